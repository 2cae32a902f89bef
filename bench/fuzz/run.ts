/**
 * A longer fuzz run than the test's: hostile params, queries and bodies on every JSON API route of
 * the real app (in this process, over HTTP, on a fresh SQLite store), anonymous and logged in.
 *
 *   npx tsx bench/fuzz/run.ts [--seconds 120] [--seed N] [--concurrency 4]
 *
 * Exits 1 and prints the requests that answered 5xx or hung (replay with the same seed).
 */
import { parseArgs } from 'node:util';
import { createTestStore } from '../../tests/helpers/stores.ts';
import { Client, startTestApp } from '../../tests/helpers/community.ts';
import { makePaper } from '../../tests/helpers/papers.ts';
import { fuzzApi } from '../../tests/helpers/api-fuzz.ts';
import { API_ROUTES } from '../../src/http/api-route.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '120' }, seed: { type: 'string' }, concurrency: { type: 'string', default: '4' } } });
const seed = Number(values.seed ?? Math.floor(Math.random() * 2 ** 31));
const store = await createTestStore('sqlite');
await store.store.papers.upsertMany([makePaper({ id: '2501.00001' }), makePaper({ id: 'hep-th/9901001' }), makePaper()]);
const relaxed = Object.fromEntries(['SIGNUP', 'LOGIN', 'RESET', 'COMMENT', 'SUBMIT', 'UPVOTE'].flatMap((k) => [[`RATE_LIMIT_${k}_IP`, '1000000/60'], [`RATE_LIMIT_${k}_USER`, '1000000/60']]).concat([['API_RATE_LIMIT_IP', '100000000'], ['API_RATE_LIMIT_TOKEN', '100000000']]));
const app = await startTestApp(store.store, relaxed);
const clients = await Promise.all(['fuzzer', 'fuzzadmin'].map(async (n) => { const c = new Client(app.url); await c.signup(n); return c; }));
await store.connection.db.updateTable('users').set({ role: 'admin' }).where('username', '=', 'fuzzadmin').execute();
let k = 0;
const t0 = Date.now();
const result = await fuzzApi(app.url, API_ROUTES, {
  seed,
  budgetMs: Number(values.seconds) * 1000,
  concurrency: Number(values.concurrency),
  auth: (route): Record<string, string> => {
    if (route.path.startsWith('/api/auth/logout')) return {};
    const c = clients[k++ % clients.length];
    return { cookie: c.cookieHeader(), 'x-csrf-token': c.csrf ?? '' };
  },
});
const secs = (Date.now() - t0) / 1000;
console.log(JSON.stringify({ seed, routes: API_ROUTES.length, requests: result.requests, perSecond: Math.round(result.requests / secs), byStatus: result.byStatus, slowestMs: result.slowestMs, failures: result.failures.length }));
for (const [route, s] of Object.entries(result.slowestByRoute).sort((a, b) => b[1].ms - a[1].ms).slice(0, 8)) console.log(`slowest ${route}: ${s.ms} ms ${s.path}`);
for (const f of result.failures) console.log(JSON.stringify(f));
await app.close();
await store.close();
process.exit(result.failures.length ? 1 : 0);
