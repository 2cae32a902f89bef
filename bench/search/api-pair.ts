/**
 * Two builds of the search API in one process, asked in turn: the same 200 queries go to each
 * through `GET /api/papers/search?q=&limit=20` over real HTTP, alternating query by query, so both
 * see the same machine load. Each server runs the code of its own checkout (`--baseline DIR`, e.g.
 * an archive of main, and this one), on its own connection to the same SQLite file, keyword index
 * loaded from the file's published index. CPU per request is this process's (both servers and the
 * client); with one request in flight at a time it is the request's.
 *
 *   node --max-old-space-size=12000 --import tsx bench/search/api-pair.ts <search-queries dir> \
 *     --db /tmp/search-1m.db --baseline /tmp/main-checkout [--rounds 3]
 *
 * The store must exist (bench/search/api.ts builds it); `SEARCH_EMBEDDER` as in api.ts (`--embedder`).
 */
import path from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadQueries, percentiles } from './common.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { db: { type: 'string' }, baseline: { type: 'string' }, rounds: { type: 'string', default: '3' }, embedder: { type: 'string', default: 'none' } },
});
const [queriesDir] = positionals;
if (!queriesDir || !values.db || !values.baseline) {
  console.error('usage: bench/search/api-pair.ts <search-queries dir> --db FILE --baseline DIR [--rounds N] [--embedder none]');
  process.exit(2);
}
const here = path.resolve(import.meta.dirname, '../..');
const load = () => loadavg()[0].toFixed(1);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function serve(root: string) {
  const m = (p: string) => import(path.join(root, p));
  const [{ openStore }, { createServices }, { createApp }, { startServer }, { loadConfig }, { silentLogger }] = await Promise.all(
    ['src/store/index.ts', 'src/services/index.ts', 'src/http/app.ts', 'src/http/server.ts', 'src/config.ts', 'src/logger.ts'].map(m),
  );
  const opened = await openStore(values.db!);
  const config = loadConfig({ PAPERBOY_DB: values.db!, SEARCH_EMBEDDER: values.embedder!, SEARCH_KEYWORD_ENGINE: 'memory', API_RATE_LIMIT_IP: '1000000', PAGE_CACHE_SECONDS: '0' }, { logLevel: 'silent', demo: false });
  const services = createServices({ config, logger: silentLogger, store: opened.store });
  const t = performance.now();
  const stop = services.searchIndex.keepInStep(3_600_000);
  while (!services.searchIndex.indexReady) await new Promise((r) => setTimeout(r, 100));
  console.log(`${root}: keyword index loaded in ${((performance.now() - t) / 1000).toFixed(1)} s; load ${load()}`);
  const server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: silentLogger });
  return { root, url: server.url as string, close: async () => (stop(), await server.close(1000), await opened.close()) };
}

const builds = [await serve(path.resolve(values.baseline)), await serve(here)];
const queries = loadQueries(queriesDir);
const ask = async (url: string, q: string) => {
  const res = await fetch(`${url}/api/papers/search?limit=20&q=${encodeURIComponent(q)}`);
  if (res.status !== 200) throw new Error(`${res.status} for ${q}`);
  return JSON.stringify(await res.json());
};
// Same answers from both (ids, scores, highlights: the whole JSON), and a warm-up.
let differ = 0;
for (const q of queries) if ((await ask(builds[0].url, q)) !== (await ask(builds[1].url, q))) differ++;
console.log(`answers differing between the two builds: ${differ} of ${queries.length}`);
const fmt = (p: { p50: number; p99: number; mean: number }) => `p50 ${p.p50.toFixed(2)}, p99 ${p.p99.toFixed(2)}, mean ${p.mean.toFixed(2)} ms`;
for (let round = 1; round <= Number(values.rounds); round++) {
  const cpu: number[][] = [[], []];
  const wall: number[][] = [[], []];
  const before = load();
  for (const [i, q] of queries.entries()) {
    // Which build goes first alternates too.
    for (const b of i % 2 ? [1, 0] : [0, 1]) {
      const t = performance.now();
      const c = cpuMs();
      await ask(builds[b].url, q);
      cpu[b].push(cpuMs() - c);
      wall[b].push(performance.now() - t);
    }
  }
  builds.forEach((b, i) => console.log(`round ${round}, ${i ? 'this checkout' : 'baseline    '}: CPU ${fmt(percentiles(cpu[i]))}; wall ${fmt(percentiles(wall[i]))}; load ${before} → ${load()}`));
}
for (const b of builds) await b.close();
process.exit(0);
