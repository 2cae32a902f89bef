import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { makePdf } from '../helpers/pdfs.ts';
import { startApiServer, type RunningApp } from '../helpers/api-server.ts';
import { startArxivPdfServer, type ArxivPdfServer } from '../helpers/arxiv-pdf-server.ts';

const DAY = '2025-04-01';
const GOOD = '2504.00001';
const BAD = '2504.00002';
const HIDDEN = '2504.00003';

const imgs = (html: string) => [...html.matchAll(/<img [^>]*src="\/thumbs\/[^"]*"[^>]*>/g)].map((m) => m[0]);
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

forEachStore('thumbnails on pages, in the API and at their content-hashed URL', (ctx) => {
  let arxiv: ArxivPdfServer;
  let server: RunningApp;

  before(async () => {
    arxiv = await startArxivPdfServer({
      [GOOD]: { kind: 'pdf', bytes: await makePdf([['A paper with a first page']]) },
      [BAD]: { kind: 'html' },
      [HIDDEN]: { kind: 'pdf', bytes: await makePdf([['Hidden later']]) },
    });
    server = await startApiServer(ctx.store, { ARXIV_PDF_URL: arxiv.pdfUrl, ENRICH_HOST_DELAY_MS: '0', PUBLIC_URL: 'https://papers.example.org' });
    const papers = [GOOD, BAD, HIDDEN].map((id) => makePaper({ id, publishedAt: DAY }));
    await ctx.store.papers.upsertMany(papers);
    await ctx.store.feed.addMany(papers.map((p) => ({ paperId: p.id, day: DAY })));
  });
  after(async () => {
    await server.close();
    await server.services.close();
    await arxiv.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

  test('before enrichment: the paper shows at once, without a thumbnail; the API says null', async () => {
    assert.deepEqual(imgs(await (await get(`/papers/date/${DAY}`)).text()), []);
    const page = await get(`/papers/${GOOD}`);
    assert.equal(page.status, 200);
    assert.deepEqual(imgs(await page.text()), []);
    assert.equal(((await (await get(`/api/papers/${GOOD}`)).json()) as { thumbnail: unknown }).thumbnail, null);
  });

  let cardUrl = '';
  let pageUrl = '';

  test('after the PDF step: feed cards lazy-load the card image with its size; the paper page shows the page image', async () => {
    const r = await server.services.enrichment.run({ ids: [GOOD, BAD, HIDDEN], steps: ['pdf'] });
    assert.deepEqual([r.done, r.failed], [2, 1]);
    const feed = await (await get(`/papers/date/${DAY}`)).text();
    const cards = imgs(feed);
    assert.equal(cards.length, 2, 'the paper whose PDF failed shows without one');
    const card = cards[0];
    assert.equal(attr(card, 'loading'), 'lazy');
    assert.equal(attr(card, 'width'), '120');
    assert.equal(attr(card, 'height'), String(Math.round((414 * 120) / 320)));
    assert.equal(attr(card, 'alt'), '');
    assert.match(attr(card, 'src') ?? '', /^\/thumbs\/[0-9a-f]{32}\.webp$/);
    const thumbs = (await server.services.enrichment.forPapers([GOOD])).get(GOOD)!.thumbnails!;
    cardUrl = `/thumbs/${thumbs.card.hash}.webp`;
    pageUrl = `/thumbs/${thumbs.page.hash}.webp`;
    assert.ok(cards.some((t) => attr(t, 'src') === cardUrl));

    const paperPage = await get(`/papers/${GOOD}`);
    const big = imgs(await paperPage.text());
    assert.equal(big.length, 1);
    assert.equal(attr(big[0], 'src'), pageUrl);
    assert.equal(attr(big[0], 'loading'), 'lazy');
    assert.equal(attr(big[0], 'width'), '225');

    const failed = await get(`/papers/${BAD}`);
    assert.equal(failed.status, 200);
    assert.deepEqual(imgs(await failed.text()), []);
  });

  test('the image: its own type, cached for a year (immutable), an ETag, and 304 on revalidation', async () => {
    const res = await get(cardUrl);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/webp');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const etag = res.headers.get('etag');
    assert.equal(etag, `"${cardUrl.slice(8, 40)}"`);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(body.subarray(8, 12).toString('latin1'), 'WEBP');
    assert.equal(body.byteLength, Number(res.headers.get('content-length')));
    const again = await get(cardUrl, { 'if-none-match': etag! });
    assert.equal(again.status, 304);
    assert.equal((await get(pageUrl)).status, 200);
  });

  test('the same image as a JPEG for mail clients without WebP: same size, its own ETag, cached for a year', async () => {
    const jpgUrl = cardUrl.replace(/\.webp$/, '.jpg');
    const res = await get(jpgUrl);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const body = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...body.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG bytes');
    assert.equal(body.byteLength, Number(res.headers.get('content-length')));
    const { loadImage } = await import('@napi-rs/canvas');
    const img = await loadImage(body);
    assert.deepEqual([img.width, img.height], [320, 414], 'the card size');
    const etag = res.headers.get('etag')!;
    assert.notEqual(etag, `"${cardUrl.slice(8, 40)}"`, 'not the WebP\'s validator');
    assert.equal((await get(jpgUrl, { 'if-none-match': etag })).status, 304);
    assert.deepEqual(Buffer.from(await (await get(jpgUrl)).arrayBuffer()), body, 'the same bytes again (converted once)');
    assert.equal((await get('/thumbs/0123456789abcdef0123456789abcdef.jpg')).status, 404);
  });

  test('unknown, malformed or mistyped thumbnail names are 4xx (404, or 400 for a NUL), never 500s', async () => {
    for (const path of ['/thumbs/0123456789abcdef0123456789abcdef.webp', '/thumbs/nothex.webp', `${cardUrl.slice(0, -5)}.png`, `${cardUrl}.webp`, '/thumbs/%00.webp', `/thumbs/${'a'.repeat(5000)}.webp`]) {
      const res = await get(path);
      assert.equal(res.status, path.includes('%00') ? 400 : 404, path);
    }
  });

  test("a hidden paper's thumbnail is not served", async () => {
    const hash = (await server.services.enrichment.forPapers([HIDDEN])).get(HIDDEN)!.thumbnails!.card.hash;
    assert.equal((await get(`/thumbs/${hash}.webp`)).status, 200);
    assert.equal((await get(`/thumbs/${hash}.jpg`)).status, 200);
    await ctx.store.papers.setHidden(HIDDEN, true);
    assert.equal((await get(`/thumbs/${hash}.webp`)).status, 404);
    assert.equal((await get(`/thumbs/${hash}.jpg`)).status, 404, 'nor its JPEG, converted before it was hidden');
  });

  test('the API: `thumbnail` (absolute, page size) on /api/papers/{id}, /api/daily_papers items and their papers; documented in OpenAPI', async () => {
    const one = (await (await get(`/api/papers/${GOOD}`)).json()) as { thumbnail: string };
    assert.equal(one.thumbnail, `https://papers.example.org${pageUrl}`);
    const daily = (await (await get(`/api/daily_papers?date=${DAY}`)).json()) as Array<{ thumbnail: string | null; paper: { id: string; thumbnail: string | null } }>;
    const item = daily.find((i) => i.paper.id === GOOD)!;
    assert.equal(item.thumbnail, `https://papers.example.org${pageUrl}`);
    assert.equal(item.paper.thumbnail, item.thumbnail);
    assert.equal(daily.find((i) => i.paper.id === BAD)!.thumbnail, null);
    const list = (await (await get('/api/papers?limit=10')).json()) as { papers: Array<{ id: string; thumbnail: string | null }> };
    assert.equal(list.papers.find((p) => p.id === GOOD)!.thumbnail, one.thumbnail);
    const spec = (await (await get('/openapi.json')).json()) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    assert.ok(spec.components.schemas.Paper.properties.thumbnail, 'Paper.thumbnail is documented');
    assert.ok(spec.components.schemas.DailyPaper.properties.thumbnail, 'DailyPaper.thumbnail is documented');
  });
});
