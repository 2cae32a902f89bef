import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { forEachStore, type StoreContext } from '../helpers/contract.ts';
import { Client, startTestApp, type TestApp } from '../helpers/community.ts';
import { activeSubscriber } from '../helpers/mail-fixtures.ts';
import { makePaper } from '../helpers/papers.ts';
import { seedThumbnails } from '../helpers/thumbnails.ts';
import { digestPeriod } from '../../src/domain/digest-period.ts';

/**
 * RSS, Atom and the e-mail digest carry a paper's enrichments as a card shows them (issue 17): the
 * first-page thumbnail (Media RSS `media:thumbnail`, and an <img> in the item's HTML), the TL;DR
 * labelled "AI summary" or else keywords; every piece escaped once for HTML and once more for
 * XML, so an LLM's or an abstract's markup stays text. A paper without enrichments is as before.
 */
const DAY = '2025-03-04';
const HOSTILE = '<img src=x onerror=alert(1)> & "quotes"';

async function seed(ctx: StoreContext) {
  const common = { categories: ['hep-ex'], primaryCategory: 'hep-ex', publishedAt: DAY };
  const tldr = makePaper({ ...common, title: 'Muon rates with a summary', abstract: 'We measure muon rates. a < b holds.' });
  const keyed = makePaper({ ...common, title: 'Muon rates with keywords', abstract: 'Keywords but no summary.' });
  const bare = makePaper({ ...common, title: 'Muon rates, nothing found', abstract: 'Plain abstract, a < b.' });
  await ctx.store.papers.upsertMany([tldr, keyed, bare]);
  await ctx.store.feed.addMany([tldr, keyed, bare].map((p) => ({ paperId: p.id, day: DAY })));
  await ctx.store.enrichment.saveSummary(tldr.id, `Muons in brief. ${HOSTILE}`, ['muons', 'rates'], 'test-llm');
  await ctx.store.enrichment.saveKeyphrases(keyed.id, ['muon decay', `odd <b>phrase</b>`, 'rates']);
  const thumbs = await seedThumbnails(ctx.store, tldr.id);
  return { tldr, keyed, bare, thumbs };
}

forEachStore('enrichments in RSS, Atom and the e-mail digest', (ctx) => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof seed>>;
  before(async () => {
    world = await seed(ctx);
    app = await startTestApp(ctx.store, { SEARCH_EMBEDDER: 'none', PUBLIC_URL: 'https://papers.example.org' });
  });
  after(() => app?.close());

  const thumbUrl = () => `https://papers.example.org/thumbs/${world.thumbs.card}.webp`;

  for (const ext of ['rss', 'atom'] as const) {
    test(`${ext}: thumbnail and TL;DR or keywords, escaped; a bare paper unchanged`, async () => {
      const xml = (await new Client(app.url).get(`/feeds/category/hep-ex.${ext}`)).text;
      assert.equal(XMLValidator.validate(xml), true);
      const feed = parseFeed(xml);
      assert.equal(feed.items.length, 3, 'a feed reader reads it');
      // The XML decoded once (as a reader does before rendering the HTML): the HTML itself must keep its escapes.
      const tree = new XMLParser({ ignoreAttributes: false }).parse(xml);
      const items: Array<Record<string, any>> = ext === 'rss' ? [tree.rss.channel.item].flat() : [tree.feed.entry].flat();
      const by = (id: string) => items.find((i) => (ext === 'rss' ? i.link : i.link[0]['@_href']).endsWith(`/papers/${id}`))!;
      const html = (id: string): string => (ext === 'rss' ? by(id).description : by(id).content?.['#text']) ?? '';
      const t = html(world.tldr.id);
      assert.ok(t.includes(`<img src="${thumbUrl()}" width="120" height="155" alt="">`), t);
      assert.ok(t.includes('<strong>AI summary:</strong> Muons in brief. &lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;'), t);
      assert.ok(t.includes('<p>We measure muon rates. a &lt; b holds.</p>'), t);
      assert.doesNotMatch(t, /<img src=x/);
      const k = html(world.keyed.id);
      assert.ok(k.includes('<strong>Keywords:</strong> muon decay · odd &lt;b&gt;phrase&lt;/b&gt; · rates'), k);
      assert.doesNotMatch(k, /AI summary|<img/, 'offline key phrases are no AI summary; no thumbnail, no image');
      if (ext === 'rss') assert.equal(by(world.bare.id).description, 'Plain abstract, a &lt; b.', 'a bare item is its abstract, as before');
      else {
        assert.equal(by(world.bare.id).content ?? null, null, 'no HTML content for a bare entry');
        assert.equal(by(world.tldr.id).summary['#text'], 'We measure muon rates. a < b holds.', 'the Atom summary stays the plain abstract');
      }
      // Media RSS: one thumbnail, for the paper that has one.
      const media = items.filter((i) => i['media:thumbnail']).map((i) => i['media:thumbnail']);
      assert.deepEqual(media, [{ '@_url': thumbUrl(), '@_width': '320', '@_height': '414' }]);
    });
  }

  test('an enrichment written later moves the item\'s updated and the feed\'s Last-Modified (If-Modified-Since sees it)', async () => {
    const client = new Client(app.url);
    const first = await client.get('/feeds/category/hep-ex.atom');
    const before = first.headers.get('last-modified')!;
    assert.notEqual(before, 'Tue, 04 Mar 2025 00:00:00 GMT', 'the seeded TL;DR and key phrases were written after the feed day');
    // Key phrases for the bare paper, written an hour after everything else.
    const later = new Date(Date.parse(before) + 3_600_000).toISOString();
    await ctx.store.enrichment.saveKeyphrases(world.bare.id, ['muon lifetime'], later);
    for (const ext of ['rss', 'atom'] as const) {
      const again = await client.get(`/feeds/category/hep-ex.${ext}`, { headers: { 'If-Modified-Since': before } });
      assert.equal(again.status, 200, `${ext}: a reader polling with If-Modified-Since gets the new keywords`);
      assert.equal(again.headers.get('last-modified'), new Date(later).toUTCString());
      assert.match(again.text, /muon lifetime/);
      if (ext === 'atom') {
        const entries = [new XMLParser().parse(again.text).feed.entry].flat();
        const bare = entries.find((e: { title: string }) => e.title === world.bare.title);
        assert.equal(bare.updated, later.replace(/\.000Z$/, 'Z'), 'the entry says when it changed');
        assert.equal(bare.published, `${DAY}T00:00:00Z`, 'and still when it was published');
      }
    }
    // Nothing new since: the validators hold.
    assert.equal((await client.get('/feeds/category/hep-ex.rss', { headers: { 'If-Modified-Since': new Date(later).toUTCString() } })).status, 304);
  });

  test('the digest: thumbnail, TL;DR in place of the first sentence, keywords; escaped in HTML, plain in text', async () => {
    await activeSubscriber(ctx.store, `digest_${ctx.kind}@example.org`, { frequency: 'daily', personalPicks: false });
    const r = await app.services.digests.build(digestPeriod('daily', DAY)!, { dryRun: true, now: new Date(`${DAY}T08:00:00Z`) });
    const mail = r.preview!.find((m) => m.to === `digest_${ctx.kind}@example.org`)!;
    assert.ok(mail, 'a digest');
    assert.match(mail.html, new RegExp(`<img src="${thumbUrl().replace(/\.webp$/, '.jpg').replace(/\./g, '\\.')}" width="64" height="83" alt=""`));
    assert.ok(mail.html.includes('AI summary: Muons in brief. &lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;'), 'the TL;DR, escaped');
    assert.ok(mail.html.includes('Keywords: muon decay · odd &lt;b&gt;phrase&lt;/b&gt; · rates'));
    assert.doesNotMatch(mail.html, /<img src=x|<b>phrase/);
    assert.equal((mail.html.match(/<img /g) ?? []).length, 1, 'one thumbnail: only one paper has one');
    assert.match(mail.text, new RegExp(`AI summary: Muons in brief\\. ${HOSTILE.replace(/[()]/g, '\\$&')}`), 'the text part is plain');
    assert.match(mail.text, /Keywords: muon decay · odd <b>phrase<\/b> · rates/);
    assert.match(mail.text, /Plain abstract, a < b\./, 'a bare paper keeps its first sentence');
    assert.ok(Buffer.byteLength(mail.html) < 20_000, `a light mail (${Buffer.byteLength(mail.html)} bytes)`);
  });
});
