import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { PublishedKeywordIndex } from '../../src/search/published-keyword-index.ts';
import { PublishedIndex } from '../../src/search/published-index.ts';
import pino from 'pino';
import { parseQuery } from '../../src/search/query.ts';
import { KEYWORD_INDEX_FORMAT as FORMAT_VERSION } from '../../src/search/keyword-index-file.ts';
import type { Store } from '../../src/store/store.ts';
import { loadCorpus } from './fixtures.ts';
import { indexFileDamages } from '../helpers/damaged-index-file.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-published-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDir = () => path.join(root, `server-${++dirs}`);

/** One "server": its own engine and index directory (a local cache, or the shared directory). */
function server(store: Store, via: 'dir' | 'store', dir = newDir()) {
  const files = new PublishedKeywordIndex(store, { dir, via });
  const engine = new InvertedIndexEngine(store, new StoreKeywordEngine(store), {}, 0.1, { files, pollMs: 0 });
  const ids = async (q: string, over: { category?: string; from?: string } = {}) => (await engine.search(parseQuery(q), { limit: 20, sort: 'relevance', ...over })).map((h) => h.id);
  return { engine, files, dir, ids };
}

forEachStore('published keyword index', (ctx) => {
  before(async () => {
    await loadCorpus(ctx.store);
  });

  test('the first server builds and publishes; another server on the same store loads that version instead of building', async () => {
    const a = server(ctx.store, 'store');
    await a.engine.warm();
    assert.equal(a.engine.lastLoad.source, 'build');
    assert.equal(a.engine.servedVersion, 1);
    const v = await ctx.store.searchIndexFiles.latest('keyword');
    assert.equal(v?.version, 1);
    assert.equal(v?.format, FORMAT_VERSION);
    assert.ok(v?.stored, 'the bytes are in the store for servers without a shared disk');

    // No shared disk: b has an empty directory and fetches the bytes from the store.
    const b = server(ctx.store, 'store');
    await b.engine.warm();
    assert.equal(b.engine.lastLoad.source, 'file');
    assert.equal(b.engine.servedVersion, 1);
    assert.ok(fs.existsSync(b.files.fileFor(v!)), 'downloaded into its own directory');
    for (const q of ['attention', 'neural radiance fields', 'graph attention networks', 'dark matter lensing']) assert.deepEqual(await b.ids(q), await a.ids(q), q);
    assert.deepEqual(await b.ids('attention', { category: 'stat.ML' }), ['2402.00004'], 'filters come from the file too');
    assert.deepEqual(await b.ids('attention', { from: '2020-01-01' }), ['2402.00005']);
    assert.deepEqual(await b.ids('attention'), await a.ids('attention'));
    assert.ok(!(await b.ids('attention')).includes('2402.00008'), 'hidden papers never show');
  });

  test('papers imported after the file was written are found from the in-memory delta, at start and after', async () => {
    await ctx.store.papers.upsertMany([makePaper({ id: '2402.00120', title: 'Quokka population census', abstract: 'Marsupials on Rottnest.', categories: ['q-bio.PE'], publishedAt: '2024-02-02' })]);
    const c = server(ctx.store, 'store');
    await c.engine.warm();
    assert.equal(c.engine.lastLoad.source, 'file');
    assert.ok(c.engine.lastLoad.delta >= 1, 'indexed beside the file at start');
    assert.deepEqual(await c.ids('quokka'), ['2402.00120']);
    assert.deepEqual(await c.ids('quokka', { category: 'q-bio.PE' }), ['2402.00120']);
    await ctx.store.papers.upsertMany([makePaper({ id: '2402.00121', title: 'Quokka smiles', abstract: 'Photographs.' })]);
    await c.engine.refresh();
    assert.deepEqual(new Set(await c.ids('quokka')), new Set(['2402.00120', '2402.00121']));
  });

  test('a new version published by another process (reindex, the worker) replaces the served one without a restart', async () => {
    const serving = server(ctx.store, 'store');
    await serving.engine.warm();
    const before = serving.engine.servedVersion!;
    const publisher = server(ctx.store, 'store');
    await publisher.engine.rebuild();
    const v = await publisher.engine.publish();
    assert.equal(v, before + 1);
    assert.ok(await serving.engine.pollVersion(), 'picked up');
    assert.equal(serving.engine.servedVersion, before + 1);
    assert.deepEqual(await serving.ids('quokka smiles'), await publisher.ids('quokka smiles'));
    assert.equal(await serving.engine.pollVersion(), false, 'nothing newer');
    // Older versions are pruned: the current and the previous one stay.
    assert.equal(await ctx.store.searchIndexFiles.chunk('keyword', before - 1, 0), null);
  });

  test('the worker merge rebuilds only when the delta is worn', async () => {
    const w = server(ctx.store, 'store');
    const latest = (await ctx.store.searchIndexFiles.latest('keyword'))!.version;
    assert.equal(await w.engine.mergeIfWorn(), null, 'a fresh version is left alone');
    const many = Array.from({ length: 1001 }, (_, i) => makePaper({ id: `2403.${String(i).padStart(5, '0')}`, title: `Wombat burrow ${i}`, abstract: 'Burrows.' }));
    await ctx.store.papers.upsertMany(many);
    assert.equal(await w.engine.mergeIfWorn(), latest + 1);
    const reader = server(ctx.store, 'store');
    await reader.engine.warm();
    assert.equal(reader.engine.lastLoad.source, 'file');
    assert.equal(reader.engine.lastLoad.delta, 0, 'the merge folded the new papers into the file');
    assert.equal((await reader.ids('wombat')).length, 20);
  });

  test('a version built on a store no paper has moved since loads without the modified-since scan; a change since brings it back', async () => {
    // The scans a start runs, counted (on SQLite each reads the whole papers table).
    const papers = ctx.store.papers;
    const scan = papers.modifiedSinceSliced;
    let scans = 0;
    papers.modifiedSinceSliced = function (...args: Parameters<typeof scan>) {
      scans++;
      return scan.apply(this, args);
    };
    try {
      const publisher = server(ctx.store, 'store');
      await publisher.engine.rebuild();
      const v = await publisher.engine.publish();
      const row = (await ctx.store.searchIndexFiles.latest('keyword'))!;
      assert.equal(row.version, v);
      const sqlite = (await papers.changeMark()) !== null;
      // PostgreSQL keeps no mark (its index answers the scan): it always scans.
      assert.equal(row.papersMark, sqlite ? (await papers.changeMark())!.papers : null);

      scans = 0;
      const quiet = server(ctx.store, 'store');
      await quiet.engine.warm();
      assert.equal(quiet.engine.lastLoad.source, 'file');
      assert.equal(scans, sqlite ? 0 : 1, 'no scan when the papers stand where the build began');
      assert.deepEqual(await quiet.ids('quokka smiles'), await publisher.ids('quokka smiles'));

      // A paper hidden after the build (its modified_at moves, and the mark with it): scanned, never shown.
      const shown = await quiet.ids('quokka');
      assert.ok(shown.includes('2402.00121'));
      await papers.setHidden('2402.00121', true);
      scans = 0;
      const after = server(ctx.store, 'store');
      await after.engine.warm();
      assert.equal(scans, 1, 'the change since the build is scanned for');
      assert.equal(after.engine.lastLoad.delta, 1);
      assert.ok(!(await after.ids('quokka')).includes('2402.00121'), 'the hidden paper is not served from the file');
    } finally {
      papers.modifiedSinceSliced = scan;
      await papers.setHidden('2402.00121', false);
    }
  });

  test('the merge job does not build a second time while the start-up build runs', async () => {
    const shared = newDir();
    // Nothing published: this start builds.
    await ctx.store.searchIndexFiles.prune('keyword', 2 ** 31 - 1);
    const s = server(ctx.store, 'store', shared);
    const warming = s.engine.warm();
    assert.equal(await s.engine.mergeDue(), false, 'the start-up build publishes by itself');
    assert.equal(await s.engine.mergeIfWorn(), null);
    await warming;
    assert.equal((await ctx.store.searchIndexFiles.latest('keyword'))!.version, 1, 'one publication');
  });

  for (const [problem, damage] of indexFileDamages(FORMAT_VERSION, { flipAt: (n) => n - 64, cut: 1000 })) {
    test(`a shared-directory file that fails its ${problem} check is rebuilt and republished, never served`, async () => {
      const shared = newDir();
      const first = server(ctx.store, 'dir', shared);
      await first.engine.rebuild();
      const v = (await first.engine.publish())!;
      const expected = await first.ids('attention');
      damage(first.files.fileFor((await ctx.store.searchIndexFiles.latest('keyword'))!));
      const next = server(ctx.store, 'dir', shared);
      await next.engine.warm();
      assert.equal(next.engine.lastLoad.rejected, problem);
      assert.equal(next.engine.lastLoad.source, 'build');
      assert.equal(next.engine.servedVersion, v + 1, 'a sound version replaces it');
      assert.deepEqual(await next.ids('attention'), expected);
      const again = server(ctx.store, 'dir', shared);
      await again.engine.warm();
      assert.equal(again.engine.lastLoad.source, 'file', 'the republished file loads');
      assert.deepEqual(await again.ids('attention'), expected);
    });
  }

  test('a corrupt local copy of a stored version is fetched again from the store', async () => {
    const a = server(ctx.store, 'store');
    await a.engine.warm();
    const v = a.engine.servedVersion!;
    const file = a.files.fileFor((await ctx.store.searchIndexFiles.latest('keyword'))!);
    const b = fs.readFileSync(file);
    b[b.length - 8] ^= 0xff;
    fs.writeFileSync(file, b);
    const again = server(ctx.store, 'store', a.dir);
    await again.engine.warm();
    assert.equal(again.engine.lastLoad.source, 'file');
    assert.equal(again.engine.servedVersion, v, 'the same version, from sound bytes');
    assert.deepEqual(await again.ids('attention'), await a.ids('attention'));
  });

  test('a published file the reader fails on (not a file to rebuild) is logged with its reason, and the load fails for a retry', async () => {
    const a = server(ctx.store, 'store');
    await a.engine.warm();
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    // Node's own refusal of a 2.17 GB body in one hash update (round 19, 2.5M papers), as the reader thread reports it.
    const failing = new PublishedIndex(ctx.store, { dir: a.dir, via: 'store', logger }, { ...a.files.codec, read: async () => Promise.reject(new Error('data is too long')) });
    await assert.rejects(failing.openLatest(), /data is too long/);
    const v = (await ctx.store.searchIndexFiles.latest('keyword'))!;
    const logged = lines.find((l) => l.msg === 'could not read the published keyword index');
    assert.ok(logged, `logged: ${JSON.stringify(lines)}`);
    assert.equal(logged.level, 50);
    assert.equal(logged.err, 'data is too long');
    assert.equal(logged.version, v.version);
    assert.equal(logged.file, a.files.fileFor(v));
  });
});
