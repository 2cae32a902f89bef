import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { startSeededApi } from '../helpers/api-fixtures.ts';
import type { RunningApp } from '../helpers/api-server.ts';
import { API_ROUTES } from '../../src/http/api-route.ts';

/**
 * Authentication is declared once, in each route's spec (`auth`), and `apiRoute` enforces it: every
 * route documented as needing an account answers 401 without one, whatever its handler does.
 */
forEachStore('API routes enforce the auth their spec declares', (ctx) => {
  let server: RunningApp;
  before(async () => {
    ({ server } = await startSeededApi(ctx.store));
  });
  after(() => server?.close());

  test('every `user` and `admin` route answers 401 without a session or token; the spec is what /openapi.json documents', async () => {
    const guarded = API_ROUTES.filter((r) => r.auth === 'user' || r.auth === 'admin');
    assert.ok(guarded.length >= 20, `only ${guarded.length} guarded routes found`);
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    for (const spec of guarded) {
      const url = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'id' && spec.path.startsWith('/api/papers/') ? '2501.00001' : name === 'name' ? 'ada' : '1'));
      const res = await fetch(`${server.url}${url}`, { method: spec.method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: spec.method === 'get' ? undefined : '{}' });
      assert.equal(res.status, 401, `${spec.method} ${spec.path} answered ${res.status} without credentials`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'login_required');
      assert.ok(doc.paths[spec.path]?.[spec.method]?.security?.length, `${spec.method} ${spec.path} documents its security`);
    }
  });
});
