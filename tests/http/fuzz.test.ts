import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { Client, startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { fuzzApi } from '../helpers/api-fuzz.ts';
import { API_ROUTES } from '../../src/http/api-route.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 15_000);

// Bad input at volume: hostile params, queries and bodies on every JSON API route, as an anonymous
// visitor, a logged-in user and an admin. No 5xx, no request left hanging. bench/fuzz runs longer.
// On both stores: PostgreSQL refuses NUL bytes and out-of-range integers where SQLite does not.
forEachStore('API fuzz', (ctx) => {
  let app: TestApp;
  const clients: Client[] = [];
  before(async () => {
    await ctx.store.papers.upsertMany([makePaper({ id: '2501.00001' }), makePaper({ id: 'hep-th/9901001' }), makePaper()]);
    const relaxed = Object.fromEntries(['SIGNUP', 'LOGIN', 'RESET', 'COMMENT', 'SUBMIT', 'UPVOTE'].flatMap((k) => [[`RATE_LIMIT_${k}_IP`, '1000000/60'], [`RATE_LIMIT_${k}_USER`, '1000000/60']]).concat([['API_RATE_LIMIT_IP', '100000000'], ['API_RATE_LIMIT_TOKEN', '100000000']]));
    app = await startTestApp(ctx.store, relaxed);
    for (const name of ['fuzzer', 'fuzzadmin']) {
      const c = new Client(app.url);
      await c.signup(name);
      clients.push(c);
    }
    await ctx.opened.connection.db.updateTable('users').set({ role: 'admin' }).where('username', '=', 'fuzzadmin').execute();
  });
  after(async () => {
    await app.close();
  });

  test(`every route, seed ${SEED}, ${BUDGET_MS} ms: no 5xx, no hang`, async () => {
    assert.ok(API_ROUTES.length >= 20, `routes registered: ${API_ROUTES.length}`);
    let k = 0;
    const result = await fuzzApi(app.url, API_ROUTES, {
      seed: SEED,
      budgetMs: BUDGET_MS,
      // A hang is a request that never finishes; on the shared 2-core machine a busy moment can
      // stall every in-flight request for several seconds, so the bar is 30 s (bench/fuzz uses 10 s).
      timeoutMs: 30_000,
      concurrency: Number(process.env.FUZZ_CONCURRENCY ?? 4),
      auth: (route): Record<string, string> => {
        // Logging out (everywhere) would end the fuzzers' sessions for the rest of the run.
        if (route.path.startsWith('/api/auth/logout')) return {};
        const c = clients[k++ % clients.length];
        return { cookie: c.cookieHeader(), 'x-csrf-token': c.csrf ?? '' };
      },
    });
    console.log(`# fuzz: ${result.requests} requests over ${API_ROUTES.length} routes; by status ${JSON.stringify(result.byStatus)}; slowest ${result.slowestMs} ms`);
    assert.deepEqual(result.failures, []);
    assert.ok(result.requests >= API_ROUTES.length * 3, `at least three requests per route (${result.requests})`);
    const ok = Object.entries(result.byStatus).filter(([s]) => Number(s) < 300).reduce((n, [, v]) => n + v, 0);
    assert.ok(ok > 0, 'some requests got through validation (the fuzz is not only bouncing off 400s)');
  });
});
