/**
 * How long start-up work holds the event loop, measured inside the process: a 1 ms timer records
 * each gap between its ticks, in wall time and in this thread's CPU time (the kernel's count for the
 * main thread alone). On a shared machine a wall gap can be the OS running someone else; a CPU gap
 * is the request thread's own synchronous work (garbage collection pauses included) —
 * what a request arriving then waits for on an idle machine. Each task runs alone on a store built
 * by bench/startup/run.ts (same file), with an idle baseline (15 s of nothing) in the same run:
 *
 *   npx tsx bench/startup/blocking.ts <db file>
 *
 * Tasks: `keyword (file)` loads the published keyword index (publish one first: run.ts does),
 * `keyword (build)` builds it from the store, `for-you (file)` loads the published For-you
 * features (run.ts publishes them too), `for-you (build)` builds them from the store, `ann
 * (rebuild)` inserts the stored vectors into the ANN index (when there are any: after a reindex).
 * `keyword (swap)` and `for-you (swap)`: a serving instance has loaded the published version, the
 * same snapshot is published again as the next version (as `reindex` or another server's merge
 * would), and the instance's poll loads it and swaps it in — what a server does when a new version
 * is published while it serves. The argument may be a PostgreSQL URL. `--tasks a,b` runs only the
 * tasks whose label starts with one of the words (e.g. `--tasks keyword,for-you`).
 */
import fs from 'node:fs';
import { loadavg } from 'node:os';
import { openStore } from '../../src/store/index.ts';
import { createServices } from '../../src/services/index.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { ForYouService } from '../../src/services/for-you.ts';
import { PublishedKeywordIndex } from '../../src/search/published-keyword-index.ts';
import { PublishedIndex } from '../../src/search/published-index.ts';
import { indexFilesPlace } from '../../src/search/keyword-index-setup.ts';
import { forYouFeaturesCodec } from '../../src/discovery/for-you-features-file.ts';

const db = process.argv[2];
const only = (() => {
  const at = process.argv.indexOf('--tasks');
  return at > 0 ? process.argv[at + 1].split(',') : null;
})();
const wanted = (label: string) => !only || only.some((w) => label.startsWith(w));
if (!db) {
  console.error('usage: bench/startup/blocking.ts <sqlite file>');
  process.exit(2);
}
const opened = await openStore(db);
const config = loadConfig({ PAPERBOY_DB: db, SEARCH_EMBEDDER: 'none' }, { logLevel: 'silent', demo: false });

/**
 * This thread's CPU time in ms: the kernel's per-thread run time (/proc/self/task/<pid>/schedstat,
 * nanoseconds), so work on the index file reader thread or V8's helper threads is not counted as the
 * request thread's; the process's CPU time where that file is missing.
 */
const schedstat = `/proc/self/task/${process.pid}/schedstat`;
const threadCpuMs = fs.existsSync(schedstat)
  ? () => Number(fs.readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6
  : () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1000;
    };

async function measure(label: string, task: () => Promise<unknown>): Promise<void> {
  if (!wanted(label)) return;
  const wall: number[] = [];
  const cpu: number[] = [];
  let last = performance.now();
  let lastCpu = threadCpuMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const c = threadCpuMs();
    wall.push(now - last);
    cpu.push(c - lastCpu);
    last = now;
    lastCpu = c;
  }, 1);
  const loadBefore = loadavg()[0].toFixed(1);
  const t = performance.now();
  await task();
  clearInterval(timer);
  const top = (xs: number[]) => xs.sort((a, b) => b - a).slice(0, 3).map((x) => x.toFixed(0)).join(' / ');
  const over = (xs: number[], ms: number) => xs.filter((x) => x > ms).length;
  const total = cpu.reduce((a, b) => a + b, 0);
  console.log(
    `${label.padEnd(16)} ${((performance.now() - t) / 1000).toFixed(1).padStart(6)} s | longest gaps, wall: ${top(wall)} ms (${over(wall, 50)} over 50 ms) | CPU: ${top(cpu)} ms (${over(cpu, 50)} over 50 ms, ${(total / 1000).toFixed(2)} s in all on this thread) | load ${loadBefore} → ${loadavg()[0].toFixed(1)}`,
  );
}

console.log(`store ${db}; the machine is shared: read the CPU columns against the idle baseline`);
await measure('idle (baseline)', () => new Promise((r) => setTimeout(r, 15_000)));
await measure('keyword (file)', () => createServices({ config, logger: silentLogger, store: opened.store }).keywordIndex!.warm());
await measure('keyword (build)', () => new InvertedIndexEngine(opened.store, new StoreKeywordEngine(opened.store)).warm());
{
  const forYou = createServices({ config, logger: silentLogger, store: opened.store }).forYou;
  await measure('for-you (file)', () => forYou.warm());
  console.log(`  (for-you: ${forYou.lastLoad.source}, ${forYou.lastLoad.papers} papers, ${forYou.lastLoad.delta} as the delta)`);
}
// A new version published while serving: the same snapshot again as the next version, then the
// serving instance's poll swaps it in.
if (wanted('keyword (swap)')) {
  const serving = createServices({ config, logger: silentLogger, store: opened.store }).keywordIndex!;
  await serving.warm();
  const files = new PublishedKeywordIndex(opened.store, indexFilesPlace(config)!);
  const latest = await files.openLatest();
  if (latest && 'snap' in latest) await files.publish(latest.snap);
  await measure('keyword (swap)', async () => {
    if (!(await serving.pollVersion())) throw new Error('keyword (swap): no newer version was swapped in');
  });
}
if (wanted('for-you (swap)')) {
  const serving = createServices({ config, logger: silentLogger, store: opened.store }).forYou;
  await serving.warm();
  const files = new PublishedIndex(opened.store, indexFilesPlace(config)!, forYouFeaturesCodec);
  const latest = await files.openLatest();
  if (latest && 'snap' in latest) await files.publish(latest.snap);
  await measure('for-you (swap)', async () => {
    if (!(await serving.pollVersion())) throw new Error('for-you (swap): no newer version was swapped in');
  });
}
await measure('for-you (build)', () => new ForYouService(opened.store, { recentDays: config.forYouRecentDays, indexDays: config.forYouIndexDays }).warm());
// The ANN index of the stored vectors, as a start on PostgreSQL (no index file) builds it: only when
// the store holds vectors of the configured embedder (e.g. after `paperboy reindex`).
{
  const searchIndex = createServices({ config: loadConfig({ PAPERBOY_DB: db }, { logLevel: 'silent', demo: false }), logger: silentLogger, store: opened.store }).searchIndex;
  const space = await searchIndex.spaces.serving();
  if (wanted('ann') && space && (await opened.store.search.embeddingStats(space.embedderId)).count) await measure('ann (rebuild)', () => searchIndex.vectorIndex(space, { rebuild: true }));
}
await opened.close();
