import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { forEachStore } from '../helpers/contract.ts';
import { startApiServer, type RunningApp } from '../helpers/api-server.ts';
import { seedApiFixtures } from '../helpers/api-fixtures.ts';
import { apiAuthorizations, checksTokens } from '../helpers/api-tokens.ts';
import { API_ROUTES, toHonoPath } from '../../src/http/api-route.ts';
import { exampleOf } from '../../src/http/openapi-example.ts';

// A CommonJS module seen through ESM interop: its default export may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

type Json = Record<string, any>;

/** Extra valid requests for routes whose parameters change what the answer holds. */
const QUERY_VARIANTS: Record<string, string[]> = {
  'get /api/daily_papers': ['', 'p=1&limit=2', 'date=2025-08-01', 'week=2025-W31&sort=trending', 'month=2025-07', 'submitter=ada', 'date=2001-01-01'],
  'get /api/papers': ['', 'limit=1'],
};

/** Values for required query parameters, by name (anything else: a word that finds papers). */
const QUERY_VALUES: Record<string, string> = { q: 'attention' };

forEachStore('every API route answers as /openapi.json says', (ctx) => {
  let server: RunningApp;
  let fx: Awaited<ReturnType<typeof seedApiFixtures>>;
  let doc: Json;
  let ajv: Ajv2020;
  /** An admin's token when the build has accounts: routes that need sign-in are called with it. */
  let auth: string | null = null;

  before(async () => {
    fx = await seedApiFixtures(ctx.store);
    server = await startApiServer(ctx.store);
    const res = await fetch(`${server.url}/openapi.json`);
    assert.equal(res.status, 200);
    doc = (await res.json()) as Json;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    if (checksTokens(server.services)) [auth] = await apiAuthorizations(server, 1, { username: 'conformance', admin: true });
  });

  /** Calling these with the test's own token would end its session or revoke it: they go unsigned. */
  const SELF_DEFEATING = /^(post \/api\/auth\/logout|delete \/api\/tokens\/)/;

  function call(spec: { method: string; path: string }, op: Json, url: string, body?: string) {
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    if (op.security && auth && !SELF_DEFEATING.test(`${spec.method} ${spec.path}`)) headers.authorization = auth;
    return fetch(url, { method: spec.method.toUpperCase(), body, headers });
  }
  after(() => server.close());

  /** Checks a response against the operation's documented statuses and schemas. */
  async function conforms(label: string, op: Json, res: Response) {
    const documented = op.responses[String(res.status)];
    assert.ok(documented, `${label}: status ${res.status} is not documented (has ${Object.keys(op.responses)})`);
    const schema = documented.content?.['application/json']?.schema;
    if (!schema || res.status === 304) return;
    assert.match(res.headers.get('content-type') ?? '', /application\/json/, label);
    const body = await res.json();
    const validate = ajv.compile({ ...schema, components: doc.components });
    assert.ok(validate(body), `${label}: ${ajv.errorsText(validate.errors)}`);
  }

  function pathFor(path: string, op: Json, idValue: string): string {
    return path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name === 'id' && path.startsWith('/api/papers/')) return idValue;
      if (name === 'id' || name === 'collectionId') return String(fx.publicCollection);
      const p = (op.parameters as Json[]).find((x) => x.name === name);
      return p?.schema?.type === 'integer' ? '1' : 'ada';
    });
  }

  function requiredQuery(op: Json): string {
    const q = new URLSearchParams();
    for (const p of op.parameters as Json[]) {
      if (p.in !== 'query' || !p.required) continue;
      q.set(p.name, QUERY_VALUES[p.name] ?? (p.schema.enum?.[0] ?? (p.schema.type === 'integer' ? String(p.schema.minimum ?? 1) : 'attention')));
    }
    return q.toString();
  }

  test('it is OpenAPI 3.1 and describes every /api route the app serves', () => {
    assert.equal(doc.openapi, '3.1.0');
    const served = server.app.routes.filter((r) => r.method !== 'ALL' && (r.path.startsWith('/api/') || r.path === '/api'));
    assert.ok(served.length >= 3);
    for (const r of served) {
      const described = Object.entries(doc.paths as Json).some(([p, ops]) => toHonoPath(p) === r.path && ops[r.method.toLowerCase()]);
      assert.ok(described, `${r.method} ${r.path} is served but not in /openapi.json`);
    }
    for (const spec of API_ROUTES) assert.ok(doc.paths[spec.path]?.[spec.method], `${spec.method} ${spec.path}`);
    for (const feed of ['/feeds/daily.{format}', '/feeds/category/{category}.{format}', '/feeds/collection/{id}.{format}']) assert.ok(doc.paths[feed]?.get, feed);
    // Every $ref points at a schema that exists.
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const ref of new Set(refs)) assert.ok(doc.components.schemas[ref.slice(22, -1)], ref);
  });

  test('every route in API_ROUTES, called with valid requests, answers as its schema says', async (t) => {
    assert.ok(API_ROUTES.length >= 3);
    // Reads first (they must succeed), then writes (which may change what the reads would see).
    const ordered = [...API_ROUTES].sort((a, b) => Number(a.method !== 'get') - Number(b.method !== 'get'));
    for (const spec of ordered) {
      const key = `${spec.method} ${spec.path}`;
      const op = doc.paths[spec.path][spec.method] as Json;
      const ids = spec.path.startsWith('/api/papers/{id}') ? [fx.papers[0].id, `${fx.papers[0].id}v1`] : [''];
      const queries = QUERY_VARIANTS[key] ?? [requiredQuery(op)];
      const body = op.requestBody ? JSON.stringify(exampleOf(op.requestBody.content['application/json'].schema, doc.components.schemas, 0, true)) : undefined;
      for (const id of ids) {
        for (const query of queries) {
          const url = `${server.url}${pathFor(spec.path, op, id)}${query ? `?${query}` : ''}`;
          const res = await call(spec, op, url, body);
          const label = `${key} ${url}`;
          assert.ok(res.status < 500, `${label}: ${res.status}`);
          const canSucceed = spec.method === 'get' && (!op.security || auth);
          if (canSucceed) assert.ok(res.status >= 200 && res.status < 300, `${label}: a read answers a valid request with success, got ${res.status}`);
          else if (res.status >= 300) t.diagnostic(`${key}: a generated request got ${res.status}; checked that answer against its schema`);
          await conforms(label, op, res);
        }
      }
    }
  });

  test('invalid parameters get a documented 400 with the error shape, on every route', async () => {
    for (const spec of API_ROUTES) {
      const op = doc.paths[spec.path][spec.method] as Json;
      const typed = (op.parameters as Json[]).filter((p) => p.in === 'query' && (p.schema.type === 'integer' || p.schema.enum || p.schema.pattern));
      const id = spec.path.startsWith('/api/papers/{id}') ? fx.papers[0].id : '';
      for (const p of typed) {
        const q = new URLSearchParams(requiredQuery(op));
        q.set(p.name, p.schema.type === 'integer' ? 'not-a-number' : '!!bad!!');
        const res = await call(spec, op, `${server.url}${pathFor(spec.path, op, id)}?${q}`);
        assert.equal(res.status, op.security && !auth ? 401 : 400, `${spec.method} ${spec.path} ?${q}`);
        await conforms(`${spec.path} ?${q}`, op, res);
      }
      if (spec.path.includes('/api/papers/{id}')) {
        const res = await call(spec, op, `${server.url}${pathFor(spec.path, op, 'no%20such%20id!')}${requiredQuery(op) ? `?${requiredQuery(op)}` : ''}`);
        assert.ok([400, 401, 404].includes(res.status), `${spec.path} with a bad id: ${res.status}`);
        await conforms(`${spec.path} bad id`, op, res);
      }
    }
  });

  test('old-style arXiv ids with a slash reach the paper routes', async () => {
    const { completePaper } = await import('../../src/domain/complete-paper.ts');
    const { makePaper } = await import('../helpers/papers.ts');
    await ctx.store.papers.upsertMany([completePaper({ ...makePaper({ id: 'hep-th/9901001', categories: ['hep-th'], primaryCategory: 'hep-th' }) })]);
    const res = await fetch(`${server.url}/api/papers/hep-th/9901001`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Json).id, 'hep-th/9901001');
  });

  test('/docs/api lists every route with its parameters, and loads nothing from elsewhere', async () => {
    const res = await fetch(`${server.url}/docs/api`);
    assert.equal(res.status, 200);
    const html = await res.text();
    for (const spec of API_ROUTES) assert.ok(html.includes(`${spec.method.toUpperCase()} ${spec.path}`), spec.path);
    for (const name of ['week', 'month', 'submitter', 'cursor']) assert.ok(html.includes(`<code>${name}</code>`), name);
    assert.ok(html.includes('/feeds/category/{category}.{format}'));
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)="(https?:)?\/\//);
  });
});
