import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

/** Posts the collection page's import form as a browser does: multipart, with the file and the CSRF field. */
async function importForm(client: Client, collectionId: number, file: string, opts: { csrf?: boolean; name?: string } = {}) {
  const form = new FormData();
  if (opts.csrf !== false && client.csrf) form.set('_csrf', client.csrf);
  form.set('file', new Blob([file], { type: 'text/plain' }), opts.name ?? 'library.bib');
  const res = await fetch(`${client.base}/collections/${collectionId}/import`, { method: 'POST', body: form, headers: { cookie: client.cookieHeader() }, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

forEachStore('library in and out: collections as BibTeX, RIS and CSV', (ctx) => {
  let app: TestApp;
  const attention = makePaper({ id: '1706.03762', title: 'Attention Is All You Need', doi: null });
  const resnet = makePaper({ id: '1512.03385', title: 'Deep Residual Learning for Image Recognition', doi: '10.1109/CVPR.2016.90' });
  const lora = makePaper({ id: '2106.09685', title: 'LoRA: Low-Rank Adaptation of Large Language Models' });
  const hidden = makePaper({ id: '2203.02155', title: 'Training language models to follow instructions with human feedback' });
  before(async () => {
    app = await startTestApp(ctx.store, { LIBRARY_IMPORT_MAX_BYTES: '4096' });
    await ctx.store.papers.upsertMany([attention, resnet, lora, hidden]);
    await ctx.store.papers.setHidden(hidden.id, true);
  });
  after(() => app.close());

  test('a collection downloads as .bib, .ris and .csv for whoever may read it, hidden papers left out', async () => {
    const owner = await loggedIn(app, 'lena');
    const pub = (await owner.post('/api/collections', { name: 'Reading: group #1', public: true })).json;
    const priv = (await owner.post('/api/collections', { name: 'Mine', public: false })).json;
    for (const id of [attention.id, resnet.id]) await owner.post(`/api/collections/${pub.id}/papers`, { paperId: id });
    await owner.post(`/api/collections/${priv.id}/papers`, { paperId: lora.id });
    // Hidden after it was added: an export must not carry it.
    await app.services.store.papers.setHidden(lora.id, false);
    await owner.post(`/api/collections/${pub.id}/papers`, { paperId: lora.id });
    await app.services.store.papers.setHidden(lora.id, true);

    const anon = new Client(app.url);
    const bib = await anon.get(`/collections/${pub.id}.bib`);
    assert.equal(bib.status, 200);
    assert.match(bib.headers.get('content-type')!, /^application\/x-bibtex/);
    assert.equal(bib.headers.get('content-disposition'), `attachment; filename="reading-group-1-${pub.id}.bib"`);
    assert.match(bib.text, /eprint = \{1706\.03762\}/);
    assert.match(bib.text, /doi = \{10\.1109\/CVPR\.2016\.90\}/);
    assert.doesNotMatch(bib.text, /2106\.09685/, 'a hidden paper is not exported');
    const ris = await anon.get(`/collections/${pub.id}.ris`);
    assert.match(ris.headers.get('content-type')!, /^application\/x-research-info-systems/);
    assert.equal(ris.text.match(/^TY {2}- /gm)?.length, 2);
    const csv = await anon.get(`/collections/${pub.id}.csv`);
    assert.match(csv.headers.get('content-type')!, /^text\/csv/);
    assert.equal(csv.text.trim().split('\r\n').length, 3, 'a header and two papers');

    assert.equal((await anon.get(`/collections/${priv.id}.bib`)).status, 404, 'private collections look missing');
    assert.equal((await (await loggedIn(app, 'mark')).get(`/collections/${priv.id}.ris`)).status, 404);
    assert.equal((await owner.get(`/collections/${priv.id}.csv`)).status, 200);
    assert.equal((await anon.get('/collections/999999.bib')).status, 404);
    const page = await anon.get(`/collections/${pub.id}`);
    assert.match(page.text, new RegExp(`href="/collections/${pub.id}\\.ris"`), 'the collection page links its exports');
    assert.doesNotMatch(page.text, /\/import"/, 'only the owner sees the import form');
    assert.match((await owner.get(`/collections/${pub.id}`)).text, new RegExp(`action="/collections/${pub.id}/import"`));
    await app.services.store.papers.setHidden(lora.id, false);
  });

  test('importing BibTeX matches by arXiv id, DOI and title, lists what it could not match or read, and keeps the rest', async () => {
    const owner = await loggedIn(app, 'nina');
    const col = (await owner.post('/api/collections', { name: 'Imported' })).json;
    await owner.post(`/api/collections/${col.id}/papers`, { paperId: attention.id });
    await owner.get(`/collections/${col.id}`); // the page's form carries the CSRF token
    const file = [
      '@article{vaswani, title={Attention Is All You Need}, eprint={1706.03762v7}, archivePrefix={arXiv}}',
      '@inproceedings{he, title={Whatever the title says}, doi={10.1109/cvpr.2016.90}}',
      '@misc{hu, title={{LoRA}: Low-Rank Adaptation of {Large} Language Models}, year=2021}',
      '@misc{ouyang, title={Training language models to follow instructions with human feedback}, eprint={2203.02155}}',
      '@misc{unknown, title={A Paper This Instance Does Not Have}, eprint={2401.99999}}',
      '@misc{broken, title={Unclosed',
      '@misc{near, title={Attention Is Almost All You Need}}',
    ].join('\n');
    const r = await importForm(owner, col.id, file);
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /BibTeX: 6 entries read; 2 papers added, 1 already in the collection; 3 not found; 1 entry could not be read\./);
    assert.match(r.text, /line 2: <a href="\/papers\/1512\.03385">Deep Residual Learning for Image Recognition<\/a> \(by DOI\)/);
    assert.match(r.text, /line 3: <a href="\/papers\/2106\.09685">.*\(by title\)/);
    assert.match(r.text, /line 4: Training language models.* — no paper here matches arXiv 2203\.02155, its title/, 'a hidden paper is not matched');
    assert.match(r.text, /line 5: A Paper This Instance Does Not Have — no paper here matches arXiv 2401\.99999, its title/);
    assert.match(r.text, /line 7: Attention Is Almost All You Need — no paper here matches its title/, 'titles must agree exactly, not nearly');
    assert.match(r.text, /line 6: a value is not closed/);
    const ids = (await owner.get(`/api/collections/${col.id}`)).json.papers.map((p: { id: string }) => p.id).sort();
    assert.deepEqual(ids, [attention.id, resnet.id, lora.id].sort());
  });

  test('an export imports back into another collection as the same papers (RIS and BibTeX)', async () => {
    const owner = await loggedIn(app, 'otto');
    const from = (await owner.post('/api/collections', { name: 'From', public: true })).json;
    for (const id of [attention.id, resnet.id, lora.id]) await owner.post(`/api/collections/${from.id}/papers`, { paperId: id });
    for (const format of ['ris', 'bib'] as const) {
      const to = (await owner.post('/api/collections', { name: `To ${format}` })).json;
      const text = (await owner.get(`/collections/${from.id}.${format}`)).text;
      const r = await owner.post(`/api/collections/${to.id}/import`, { text });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.format, format);
      assert.deepEqual(r.json.added.map((a: { by: string }) => a.by), ['arxiv', 'arxiv', 'arxiv']);
      const ids = (await owner.get(`/api/collections/${to.id}`)).json.papers.map((p: { id: string }) => p.id).sort();
      assert.deepEqual(ids, [attention.id, resnet.id, lora.id].sort());
    }
  });

  test('imports need the owner, the CSRF token and a bounded body; a bad one changes nothing', async () => {
    const owner = await loggedIn(app, 'paula');
    const col = (await owner.post('/api/collections', { name: 'Guarded', public: true })).json;
    const entry = '@misc{x, eprint={1706.03762}}';
    const count = async () => (await owner.get(`/api/collections/${col.id}`)).json.collection.paperCount;

    assert.equal((await importForm(owner, col.id, entry, { csrf: false })).status, 403, 'no CSRF token');
    const other = await loggedIn(app, 'quinn');
    assert.equal((await importForm(other, col.id, entry)).status, 403, "someone else's collection");
    assert.equal((await other.post(`/api/collections/${col.id}/import`, { text: entry })).status, 403);
    const anon = new Client(app.url);
    assert.equal((await anon.post(`/api/collections/${col.id}/import`, { text: entry })).status, 401);
    const big = `${entry}\n%${'x'.repeat(5000)}`;
    const tooBig = await importForm(owner, col.id, big);
    assert.equal(tooBig.status, 413);
    assert.match(tooBig.text, /larger than 4 kB/);
    const notALibrary = await owner.post(`/api/collections/${col.id}/import`, { text: 'id,title\n1,x' });
    assert.equal(notALibrary.status, 400);
    assert.equal(notALibrary.json.error.code, 'unknown_format');
    assert.equal((await owner.post(`/api/collections/${col.id}/import`, { text: entry, format: 'xml' })).status, 400);
    assert.equal(await count(), 0, 'nothing was added by any refused import');
    assert.equal((await importForm(owner, col.id, entry)).status, 200);
    assert.equal(await count(), 1);
  });
});
