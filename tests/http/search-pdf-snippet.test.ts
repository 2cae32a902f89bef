import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore, type StoreContext } from '../helpers/contract.ts';
import { Client, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { assertNoActiveAttributes } from '../helpers/html.ts';
import { PDF_SNIPPET_CHARS } from '../../src/search/highlight.ts';
import { startEmbeddingsServer } from '../helpers/embeddings-server.ts';

/**
 * A result found only through its PDF's first pages (the low-weight `pdfText` field, migration
 * 1502) shows why it is there: a short snippet of that text around the words, escaped, on the
 * search page ("In the PDF:") and in the API (`highlightedPdfText`), with both keyword engines
 * (the in-memory index, and the store's FTS5 or tsvector) on both stores. A result whose title or
 * abstract has the words keeps its abstract snippet and no PDF snippet.
 */
const HOSTILE = '<script>alert(1)</script>';
const FILLER = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20);
const PDF_TEXT = `Wombat burrow ecology\n\n${FILLER}\nWe tracked a   platypus\n\nnesting near the burrow ${HOSTILE} and its platypus young. ${FILLER}`;

async function seed(ctx: StoreContext) {
  const inPdf = makePaper({ title: 'Wombat burrow ecology', abstract: 'Burrow temperatures of wombats over one year.' });
  const inTitle = makePaper({ title: 'Platypus electroreception', abstract: 'How the platypus finds prey with its bill.' });
  await ctx.store.papers.upsertMany([inPdf, inTitle]);
  await ctx.store.enrichment.savePdf(inPdf.id, { text: PDF_TEXT, pages: 2, thumbnails: [] });
  await ctx.store.enrichment.savePdf(inTitle.id, { text: 'Platypus electroreception. The platypus bill.', pages: 1, thumbnails: [] });
  return { inPdf, inTitle };
}

type Hit = { id: string; highlightedSummary: string; highlightedPdfText: string | null };

forEachStore('a snippet of the PDF text for results only it matched', (ctx) => {
  let world: Awaited<ReturnType<typeof seed>>;
  before(async () => {
    world = await seed(ctx);
  });

  test('hybrid search (words fused with embedding neighbours): the PDF-text hit has its snippet', async () => {
    const embeddings = await startEmbeddingsServer({ dimensions: 64 });
    const app = await startTestApp(ctx.store, { SEARCH_EMBEDDER: 'http', EMBEDDINGS_URL: embeddings.url, EMBEDDINGS_MODEL: 'test', SEARCH_INDEX_FILES: 'off' });
    try {
      await app.services.searchIndex.catchUp();
      const r = await app.services.search.search({ q: 'platypus young' });
      assert.equal(r.mode, 'hybrid');
      const hit = r.results.find((x) => x.paper.id === world.inPdf.id);
      assert.ok(hit?.pdfText, 'a PDF snippet for the paper found by its PDF text');
      assert.ok(hit.pdfText.some((s) => s.match && s.text === 'platypus'));
      assert.equal(r.results.find((x) => x.paper.id === world.inTitle.id)?.pdfText, undefined);
    } finally {
      await app.close();
      await embeddings.close();
    }
  });

  for (const engine of ['memory', 'store'] as const) {
    test(`keyword engine ${engine}: the search page and /api/papers/search`, async () => {
      const app: TestApp = await startTestApp(ctx.store, { SEARCH_EMBEDDER: 'none', SEARCH_KEYWORD_ENGINE: engine, SEARCH_INDEX_FILES: 'off' });
      try {
        await app.services.searchIndex.catchUp();
        const hits = (await new Client(app.url).get('/api/papers/search?q=platypus')).json as Hit[];
        assert.deepEqual(hits.map((h) => h.id).sort(), [world.inPdf.id, world.inTitle.id].sort(), 'the PDF-text paper is found');
        const pdf = hits.find((h) => h.id === world.inPdf.id)!;
        assert.ok(pdf.highlightedPdfText, 'a PDF snippet in the API');
        assert.match(pdf.highlightedPdfText, /<mark>platypus<\/mark> nesting near the burrow &lt;script&gt;alert\(1\)&lt;\/script&gt; and its <mark>platypus<\/mark> young\./);
        assert.doesNotMatch(pdf.highlightedPdfText, /<script|\n|  /, 'escaped, and the layout whitespace folded');
        assert.ok(pdf.highlightedPdfText.replace(/<\/?mark>/g, '').replace(/&[a-z]+;/g, '_').length <= PDF_SNIPPET_CHARS + '… '.length * 2, 'short');
        assert.equal(hits.find((h) => h.id === world.inTitle.id)!.highlightedPdfText, null, 'a title match needs no PDF snippet');

        const page = await new Client(app.url).get('/search?q=platypus');
        assert.equal(page.status, 200);
        const card = page.text.slice(page.text.indexOf(`href="/papers/${world.inPdf.id}"`));
        assert.match(card.slice(0, 2000), /<p class="snippet pdf"><span class="src">In the PDF: <\/span>… [^<]*<mark>platypus<\/mark> nesting near the burrow &lt;script&gt;alert\(1\)&lt;\/script&gt; and its <mark>platypus<\/mark> young\./);
        assert.doesNotMatch(page.text, /<script>alert/);
        assert.equal((page.text.match(/In the PDF:/g) ?? []).length, 1, 'only the paper the PDF text alone matched');
        assertNoActiveAttributes(page.text);
      } finally {
        await app.close();
      }
    });
  }
});
