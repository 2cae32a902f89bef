import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { seedThumbnails } from '../helpers/thumbnails.ts';
import { PER_PAGE } from '../../src/http/routes/pages.tsx';
import { excerpt } from '../../src/http/views/math.tsx';

/** Issue 17: a feed page stays at most 100 kB of HTML with every card enriched. */
const MAX_BYTES = 100_000;
const DAY = '2025-02-03';

/** Sentences of an abstract; one card in ten has inline math in its opening (in the corpus, 2% have any in their first 480 characters). */
const SENTENCE = 'We study sparse attention for long scientific documents and bound its cost, with experiments on eight benchmarks. ';
const WITH_MATH = 'We prove a bound of $\\mathcal{O}(n \\log n)$ on the cost of sparse attention, with $k=8$ benchmarks. ';

/**
 * The heaviest realistic card: a 112-character title with math (the corpus's 90th percentile), six
 * authors, the longest abstract in the corpus (1,934 characters), eight key phrases (and no TL;DR,
 * so the abstract shows), code with stars, and a thumbnail.
 */
function heavyPaper(i: number) {
  return makePaper({
    title: `Sparse attention at scale ${i}: ${i % 10 ? 'linear' : '$\\mathcal{O}(n \\log n)$'} transformers for very long scientific documents and their code`.slice(0, 112),
    authors: ['Alexandra Konstantinopoulou', 'Bartholomew Featherstonehaugh', 'Chidimma Oluwaseun-Adeyemi', 'Dmitri Vasilyevich Sokolov', 'Eleanor Marchbanks', 'Francesca Lombardi'],
    abstract: ((i % 10 ? '' : WITH_MATH) + SENTENCE.repeat(20)).slice(0, 1934),
    categories: ['cs.LG', 'cs.CL'],
    primaryCategory: 'cs.LG',
    publishedAt: DAY,
  });
}

forEachStore('a full feed page with every card enriched stays under 100 kB of HTML', (ctx) => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(ctx.store);
    const papers = Array.from({ length: PER_PAGE }, (_, i) => heavyPaper(i));
    await ctx.store.papers.upsertMany(papers);
    await ctx.store.feed.addMany(papers.map((p) => ({ paperId: p.id, day: DAY })));
    for (const [i, p] of papers.entries()) {
      const repo = `research-laboratory-${i}/sparse-attention-at-scale`;
      await ctx.store.enrichment.saveCode(p.id, [`https://github.com/${repo}`], `https://github.com/${repo}`, repo);
      await ctx.store.enrichment.saveRepo({ repo, fullName: repo, stars: 1_234 + i, description: null, etag: null, status: 'ok', checkedAt: new Date().toISOString() });
      await ctx.store.enrichment.saveKeyphrases(p.id, ['sparse attention mechanisms', 'long document modelling', 'scientific documents', 'efficient transformers', 'complexity bounds', 'benchmarks', 'attention', 'scale']);
      await seedThumbnails(ctx.store, p.id);
    }
  });
  after(() => app?.close());

  test(`${PER_PAGE} enriched cards, each with its lazy thumbnail, stars and keywords, in at most ${MAX_BYTES / 1000} kB`, async () => {
    const res = await new Client(app.url).get(`/papers/date/${DAY}`);
    assert.equal(res.status, 200);
    const html = res.text;
    const bytes = Buffer.byteLength(html);
    if (process.env.DUMP_FEED) (await import('node:fs')).writeFileSync(process.env.DUMP_FEED, html);
    const cards = html.match(/<article class="card"/g) ?? [];
    assert.equal(cards.length, PER_PAGE, 'a full page');
    const imgs = html.match(/<img [^>]*src="\/thumbs\/[0-9a-f]{32}\.webp"[^>]*>/g) ?? [];
    assert.equal(imgs.length, PER_PAGE, 'every card has its thumbnail');
    for (const img of imgs) assert.match(img, /width="120" height="155" loading="lazy"/, 'lazy, with its size');
    assert.equal((html.match(/★ 1,2\d\d/g) ?? []).length, PER_PAGE, 'every card has its stars');
    assert.equal((html.match(/class="kw">Keywords: sparse attention mechanisms/g) ?? []).length, PER_PAGE, 'every card has its keywords');
    assert.equal((html.match(/<math /g) ?? []).length, (PER_PAGE / 10) * 3, 'math in titles and abstracts is rendered');
    assert.ok(bytes <= MAX_BYTES, `the page is ${bytes} bytes (${(bytes / 1000).toFixed(1)} kB)`);
  });

  test(`signed in, the same ${PER_PAGE} cards with their upvote and "mark seen" buttons in at most ${MAX_BYTES / 1000} kB: one shared form each, not one per card`, async () => {
    const client = new Client(app.url);
    await client.signup('size_reader');
    const html = (await client.get(`/papers/date/${DAY}`)).text;
    const bytes = Buffer.byteLength(html);
    if (process.env.DUMP_FEED) (await import('node:fs')).writeFileSync(process.env.DUMP_FEED + '.signed', html);
    // A card's upvote button: its paper in formaction (the script reads it there), its count, and
    // what it counts for screen readers.
    assert.equal((html.match(/<button form="card-vote" formaction="\/papers\/[^"]+\/upvote" name="action" value="add" aria-pressed="false">0<span class="vh"> upvotes<\/span><\/button>/g) ?? []).length, PER_PAGE, 'an upvote button on every card');
    assert.equal((html.match(/form="card-seen" name="paperId"/g) ?? []).length, PER_PAGE, 'a "mark seen" button on every card');
    for (const id of ['card-vote', 'card-seen', 'card-unseen']) assert.equal((html.match(new RegExp(`<form method="post" id="${id}"`, 'g')) ?? []).length, 1, `one ${id} form`);
    assert.match(html, /<form method="post" id="card-vote" data-upvote="true">/, 'the shared vote form is handed to the script');
    assert.equal((html.match(/name="_csrf"/g) ?? []).length, 3 + 1, 'the token in the three shared forms and the header\'s log-out form, not in each card');
    // Signing in adds a button or two a card, not a form: with a form per card (the token and the way
    // back each time) these cards came to about 30 kB more than a visitor's page.
    const visitor = Buffer.byteLength((await new Client(app.url).get(`/papers/date/${DAY}`)).text);
    assert.ok(bytes - visitor <= PER_PAGE * 240, `signing in adds ${bytes - visitor} bytes to the page (${bytes} against ${visitor})`);
    assert.ok(bytes <= MAX_BYTES, `the signed-in page is ${bytes} bytes (${(bytes / 1000).toFixed(1)} kB)`);
  });

  test("a card's abstract is cut at a word, never inside math, and the paper's page has it all", async () => {
    const cut = excerpt(WITH_MATH.repeat(20), 400);
    assert.ok(cut.length <= 401 && cut.endsWith('…'), cut);
    assert.equal((cut.match(/\$/g) ?? []).length % 2, 0, 'no math span cut in two');
    assert.match(cut, /\S…$/);
    const whole = excerpt('$' + 'x'.repeat(600) + '$ and more words after the formula', 400);
    assert.match(whole, /^\$x+\$…$/, 'a formula that fills the excerpt is kept whole, not shown as raw TeX');
    assert.equal(excerpt('short abstract', 400), 'short abstract');
    const html = (await new Client(app.url).get(`/papers/date/${DAY}`)).text;
    const id = /href="\/papers\/([0-9.]+)"/.exec(html)![1];
    const page = (await new Client(app.url).get(`/papers/${id}`)).text;
    assert.ok((page.match(/We study sparse attention/g) ?? []).length >= 15, 'the whole abstract on the paper page');
  });
});
