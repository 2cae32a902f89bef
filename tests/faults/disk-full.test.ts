import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestStore, type TestStore } from '../helpers/stores.ts';
import { Client, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

// The disk under the SQLite file fills up (simulated with max_page_count, which makes SQLite fail
// exactly as on a full disk: SQLITE_FULL): writes get a clear 503, nothing stored is damaged, and
// writes work again once there is room.
describe('disk full on the SQLite file', () => {
  let store: TestStore;
  let app: TestApp;
  const paper = makePaper();
  before(async () => {
    store = await createTestStore('sqlite');
    await store.store.papers.upsertMany([paper]);
    app = await startTestApp(store.store, { RATE_LIMIT_COMMENT_USER: '100000/60', RATE_LIMIT_COMMENT_IP: '100000/60' });
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  test('a write that does not fit answers 503 store_full; integrity holds; earlier data intact; recovers', async () => {
    const sqlite = store.connection.sqlite!;
    const c = new Client(app.url);
    await c.signup('writer');
    const stored: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await c.post(`/api/papers/${paper.id}/comments`, { body: `early comment ${i}` });
      assert.equal(r.status, 201, r.text);
      stored.push(r.json.id);
    }
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const pages = Number(sqlite.pragma('page_count', { simple: true }));
    sqlite.pragma(`max_page_count = ${pages + 2}`);

    const big = 'x'.repeat(9_000);
    let full: { status: number; json: any; text: string } | undefined;
    for (let i = 0; i < 50 && !full; i++) {
      const r = await c.post(`/api/papers/${paper.id}/comments`, { body: `${i} ${big}` });
      if (r.status === 201) stored.push(r.json.id);
      else full = r;
    }
    assert.ok(full, 'the disk filled up');
    assert.equal(full.status, 503, full.text);
    assert.equal(full.json.error.code, 'store_full');
    assert.match(full.json.error.message, /out of space/);

    // Reads still work, and everything acknowledged is there and whole.
    const list = await c.get(`/api/papers/${paper.id}/comments`);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(new Set(list.json.comments.map((x: { id: number }) => x.id)), new Set(stored));
    assert.equal(sqlite.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(sqlite.pragma('foreign_key_check'), []);

    sqlite.pragma('max_page_count = 1073741823');
    const again = await c.post(`/api/papers/${paper.id}/comments`, { body: 'there is room again' });
    assert.equal(again.status, 201, again.text);
  });
});
