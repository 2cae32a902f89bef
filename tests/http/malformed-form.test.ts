import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestStore, type TestStore } from '../helpers/stores.ts';
import { startTestApp, type TestApp } from '../helpers/community.ts';

// Found by bench/fuzz (seed 7): a body that claims to be multipart but is not made the CSRF check throw (500).
let store: TestStore;
let app: TestApp;
before(async () => {
  store = await createTestStore('sqlite');
  app = await startTestApp(store.store);
});
after(async () => {
  await app.close();
  await store.close();
});

test('a malformed multipart body is a 400, not a 500', async () => {
  for (const type of ['multipart/form-data; boundary=x', 'multipart/form-data']) {
    for (const path of ['/api/auth/login', '/api/auth/password-reset/confirm']) {
      const res = await fetch(app.url + path, { method: 'POST', headers: { 'content-type': type }, body: '{"token":42}' });
      assert.equal(res.status, 400, `${path} ${type}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'bad_form');
    }
  }
});
