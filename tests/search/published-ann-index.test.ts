import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { testDb } from '../helpers/stores.ts';
import { makePaper } from '../helpers/papers.ts';
import { VectorIndex, vectorKey } from '../../src/search/vector-index.ts';
import { PublishedAnnIndex, annIndexName } from '../../src/search/published-ann-index.ts';
import { IndexFileError } from '../../src/search/index-file.ts';
import { SearchIndexService } from '../../src/services/search-index.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import type { Store } from '../../src/store/store.ts';
import { unitVector } from '../helpers/vectors.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-ann-published-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDir = () => path.join(root, `server-${++dirs}`);
const D = 16;

/** Flips one byte of the stored copy of the newest version of `name`, in its first chunk. */
async function corruptStored(store: Store, name: string, at = 5000): Promise<void> {
  const v = (await store.searchIndexFiles.latest(name))!;
  const data = Buffer.from((await store.searchIndexFiles.chunk(name, v.version, 0))!);
  data[at] ^= 0xff;
  await sql`update search_index_chunks set data = ${data} where name = ${name} and version = ${v.version} and seq = 0`.execute(testDb(store));
}

/** A search index service on `store` publishing ANN indexes through `dir`, counting full rebuilds (pages of stored vectors read). */
function server(store: Store, dir = newDir()) {
  const annFiles = new PublishedAnnIndex(store, { dir, via: 'store' });
  const svc = new SearchIndexService(store, { engine: new StoreKeywordEngine(store), embedder: async () => null, annFiles, annRefreshMs: 0 });
  const reads = { pages: 0 };
  const page = store.search.embeddingsPage.bind(store.search);
  return {
    svc,
    annFiles,
    reads,
    async open(embedderId: string) {
      store.search.embeddingsPage = async (...args) => {
        reads.pages++;
        return page(...args);
      };
      try {
        return await svc.vectorIndex({ embedderId, dimensions: D });
      } finally {
        store.search.embeddingsPage = page;
      }
    },
  };
}

forEachStore('published ANN index', (ctx) => {
  const papers = Array.from({ length: 120 }, (_, i) => makePaper({ id: `2601.${String(20000 + i).padStart(5, '0')}` }));
  const E = 'ann-test-embedder';

  before(async () => {
    await ctx.store.papers.upsertMany(papers);
    await ctx.store.search.saveEmbeddings(
      E,
      papers.map((p, i) => ({ paperId: p.id, key: vectorKey(p.id), vector: unitVector(i, D), contentHash: 'h' })),
      '2026-01-01T00:00:00.000Z',
    );
  });

  test('round trip: a published index opens on another server, from the store, with the same vectors and meta', async () => {
    const a = new VectorIndex('rt', D);
    a.upsert(Array.from({ length: 200 }, (_, i) => ({ key: i + 1, vector: unitVector(i, D) })), '2026-02-02T00:00:00.000Z');
    const v = await new PublishedAnnIndex(ctx.store, { dir: newDir(), via: 'store' }).publish(a);
    assert.equal(v.name, annIndexName('rt'));
    assert.equal(v.papers, 200);
    const b = new VectorIndex('rt', D);
    await new PublishedAnnIndex(ctx.store, { dir: newDir(), via: 'store' }).open(b, v);
    assert.equal(b.size, 200);
    assert.equal(b.meta.newest, '2026-02-02T00:00:00.000Z');
    assert.equal(b.search(unitVector(7, D), 1)[0].key, 8);
    assert.ok(b.search(unitVector(7, D), 1)[0].similarity > 0.999);
    await assert.rejects(new PublishedAnnIndex(ctx.store, { dir: newDir(), via: 'store' }).open(new VectorIndex('rt', D + 1), v), IndexFileError, 'another dimension is refused');
  });

  test('a corrupt local copy is fetched again from the store; a corrupt stored copy is refused, never loaded', async () => {
    const a = new VectorIndex('corrupt', D);
    a.upsert(Array.from({ length: 50 }, (_, i) => ({ key: i + 1, vector: unitVector(i, D) })), '2026-02-02T00:00:00.000Z');
    const dir = newDir();
    const pub = new PublishedAnnIndex(ctx.store, { dir, via: 'store' });
    const v = await pub.publish(a);
    const file = pub.fileFor('corrupt', v);
    const good = fs.readFileSync(file);
    const bytes = Buffer.from(good);
    bytes[bytes.length - 100] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const b = new VectorIndex('corrupt', D);
    await pub.open(b, v);
    assert.equal(b.size, 50, 'fetched again and loaded');
    assert.ok(fs.readFileSync(file).equals(good), 'the corrupt copy was replaced by the published bytes');
    await corruptStored(ctx.store, annIndexName('corrupt'));
    const c = new VectorIndex('corrupt', D);
    const elsewhere = new PublishedAnnIndex(ctx.store, { dir: newDir(), via: 'store' });
    await assert.rejects(elsewhere.open(c, v), (err: unknown) => err instanceof IndexFileError && err.problem === 'checksum');
    assert.equal(c.size, 0, 'nothing of it was loaded');
    assert.equal(fs.existsSync(elsewhere.fileFor('corrupt', v)), false, 'the corrupt bytes never became a local copy');
  });

  test('an index of another graph layout is refused', async () => {
    const a = new VectorIndex('layout', D);
    a.upsert([{ key: 1, vector: unitVector(1, D) }], '2026-02-02T00:00:00.000Z');
    a.meta.layout = 'hnsw-f32-m16';
    const pub = new PublishedAnnIndex(ctx.store, { dir: newDir(), via: 'store' });
    const v = await pub.publish(a);
    await assert.rejects(pub.open(new VectorIndex('layout', D), v), (err: unknown) => err instanceof IndexFileError && err.problem === 'header');
  });

  test('servers: the first rebuilds from the stored vectors and publishes; the next loads the file and adds what was stored since; a corrupt version is rebuilt and replaced', async () => {
    const first = server(ctx.store);
    const a = await first.open(E);
    assert.equal(a.size, papers.length);
    assert.ok(first.reads.pages > 0, 'nothing published yet: rebuilt from the stored vectors');
    await first.svc.close();
    const v1 = await ctx.store.searchIndexFiles.latest(annIndexName(E));
    assert.equal(v1?.papers, papers.length, 'published');

    // A vector stored after the publication: the next server adds it on top of the file.
    const late = makePaper({ id: '2601.29999' });
    await ctx.store.papers.upsertMany([late]);
    await ctx.store.search.saveEmbeddings(E, [{ paperId: late.id, key: vectorKey(late.id), vector: unitVector(999, D), contentHash: 'h' }], '2026-01-02T00:00:00.000Z');
    const second = server(ctx.store);
    const b = await second.open(E);
    assert.equal(second.reads.pages, 0, 'loaded from the published file, not rebuilt');
    assert.equal(b.size, papers.length + 1);
    assert.equal(b.search(unitVector(999, D), 1)[0].key, vectorKey(late.id));
    assert.equal(b.search(unitVector(3, D), 1)[0].key, vectorKey(papers[3].id));
    await second.svc.close();

    await corruptStored(ctx.store, annIndexName(E));
    const third = server(ctx.store);
    const c = await third.open(E);
    assert.ok(third.reads.pages > 0, 'the corrupt version was not served: rebuilt from the stored vectors');
    assert.equal(c.size, papers.length + 1);
    await third.svc.close();
    const v2 = await ctx.store.searchIndexFiles.latest(annIndexName(E));
    assert.ok(v2 && v2.version > v1!.version, 'and replaced by a new version');
    const fourth = server(ctx.store);
    assert.equal((await fourth.open(E)).size, papers.length + 1);
    assert.equal(fourth.reads.pages, 0, 'which the next server loads');
  });
});
