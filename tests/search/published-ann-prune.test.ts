import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { testDb } from '../helpers/stores.ts';
import { VectorIndex } from '../../src/search/vector-index.ts';
import { PublishedAnnIndex, annIndexName } from '../../src/search/published-ann-index.ts';
import type { Store } from '../../src/store/store.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-ann-prune-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const D = 8;

function index(embedderId: string, n: number): VectorIndex {
  const ix = new VectorIndex(embedderId, D);
  ix.upsert(
    Array.from({ length: n }, (_, i) => ({ key: i + 1, vector: Float32Array.from({ length: D }, (_, j) => Math.cos(i * 7 + j * 3 + embedderId.length)) })),
    '2026-03-01T00:00:00.000Z',
  );
  return ix;
}

/** Published versions of each ANN index, and the names of the index's stored chunks. */
async function published(store: Store): Promise<{ versions: Record<string, number[]>; chunked: Record<string, number[]> }> {
  const db = testDb(store);
  const versions: Record<string, number[]> = {};
  for (const r of (await sql<{ name: string; version: number }>`select name, version from search_index_versions where name like 'ann:%' order by name, version`.execute(db)).rows) (versions[r.name] ??= []).push(Number(r.version));
  const chunked: Record<string, number[]> = {};
  for (const r of (await sql<{ name: string; version: number }>`select distinct name, version from search_index_chunks where name like 'ann:%' order by name, version`.execute(db)).rows) (chunked[r.name] ??= []).push(Number(r.version));
  return { versions, chunked };
}

forEachStore('old ANN index versions are pruned', (ctx) => {
  test('after a model change only the new space (current and previous version) and the newest version of the space before it stay', async () => {
    const dir = path.join(root, `server-${++dirs}`);
    const files = new PublishedAnnIndex(ctx.store, { dir, via: 'store' });
    await files.publish(index('model-a', 30));
    for (let i = 0; i < 3; i++) await files.publish(index('model-b', 40 + i));
    // Republishing one space keeps its previous version, as every published index does.
    assert.deepEqual((await published(ctx.store)).versions, { [annIndexName('model-a')]: [1], [annIndexName('model-b')]: [2, 3] });

    // The model changes to model-c: model-b (served until now, servers may still load it) keeps its
    // newest version; model-a, two models back, goes entirely.
    const c1 = await files.publish(index('model-c', 50));
    const expected = { [annIndexName('model-b')]: [3], [annIndexName('model-c')]: [1] };
    assert.deepEqual(await published(ctx.store), { versions: expected, chunked: expected }, 'rows and stored bytes');
    const onDisk = fs.readdirSync(dir).sort();
    assert.equal(onDisk.length, 2, onDisk.join(', '));
    assert.ok(onDisk.some((f) => f.startsWith('ann-model-b-v3-')) && onDisk.some((f) => f.startsWith('ann-model-c-v1-')), onDisk.join(', '));

    // A server still on model-b loads its kept version (here from the store, into an empty directory).
    const b = (await files.latest('model-b'))!;
    const reader = new VectorIndex('model-b', D);
    await new PublishedAnnIndex(ctx.store, { dir: path.join(root, `server-${++dirs}`), via: 'store' }).open(reader, b);
    assert.equal(reader.size, 42);

    // Republishing model-c keeps model-b's version: it is still the space before this one.
    const c2 = await files.publish(index('model-c', 51));
    assert.equal(c2.version, c1.version + 1);
    assert.deepEqual((await published(ctx.store)).versions, { [annIndexName('model-b')]: [3], [annIndexName('model-c')]: [1, 2] });
  });

  test('other kinds of published index are left alone', async () => {
    const dir = path.join(root, `server-${++dirs}`);
    await ctx.store.searchIndexFiles.publish({ name: 'keyword', version: 1, format: 1, checksum: 'c', bytes: 1, papers: 1, cursor: { modifiedAt: '', id: '' }, stored: false });
    await ctx.store.searchIndexFiles.publish({ name: 'annotated', version: 1, format: 1, checksum: 'c', bytes: 1, papers: 1, cursor: { modifiedAt: '', id: '' }, stored: false });
    const files = new PublishedAnnIndex(ctx.store, { dir, via: 'store' });
    await files.publish(index('model-d', 10));
    await files.publish(index('model-e', 10));
    assert.ok(await ctx.store.searchIndexFiles.latest('keyword'));
    assert.ok(await ctx.store.searchIndexFiles.latest('annotated'));
  });
});
