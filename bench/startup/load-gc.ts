/**
 * What loading a published index costs the request thread, in one process, as `serve` does it: the
 * For-you features (a fresh `ForYouService`'s `warm()`: the newest published file, read and verified
 * in the reader thread, opened here, then the delta) or the keyword index (a fresh keyword engine's
 * `warm()`). Per load: this thread's CPU (the kernel's count for it alone), the garbage collections
 * during the load (count by kind and pause, from `PerformanceObserver`) and the heap the loaded index
 * keeps (after a full collection; every load is kept to the end). Several loads in a row, the first
 * one apart (modules and the reader thread warming up):
 *
 *   npx tsx bench/startup/load-gc.ts <db file> [--loads 6] [--what for-you|keyword]
 *
 * The store is one `bench/startup/run.ts` built (it publishes the files).
 */
import fs from 'node:fs';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { openStore } from '../../src/store/index.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { loads: { type: 'string', default: '6' }, what: { type: 'string', default: 'for-you' } } });
const db = positionals[0];
if (!db) {
  console.error('usage: bench/startup/load-gc.ts <db file> [--loads N] [--what for-you|keyword]');
  process.exit(2);
}
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const schedstat = `/proc/self/task/${process.pid}/schedstat`;
const threadCpuMs = () => Number(fs.readFileSync(schedstat, 'utf8').split(' ')[0]) / 1e6;

// perf_hooks' `detail.kind` is V8's GCType (v8-callbacks.h): a bit each. (Before round 25 this table
// was one bit off: its "incremental marking" was a mark-compact, its "weak callbacks" incremental marking.)
const GC_KINDS: Record<number, string> = { 1: 'scavenge', 2: 'minor mark-compact', 4: 'mark-compact', 8: 'incremental marking', 16: 'weak callbacks' };
const gcs: { kind: number; ms: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ kind: (e as unknown as { detail: { kind: number } }).detail.kind, ms: e.duration });
}).observe({ entryTypes: ['gc'] });

const opened = await openStore(db);
const config = loadConfig({ PAPERBOY_DB: db, SEARCH_EMBEDDER: 'none' }, { logLevel: 'silent', demo: false });
console.log(`store ${db}, load ${loadavg()[0].toFixed(1)}`);
const kept: unknown[] = [];
for (let i = 0; i < Number(values.loads); i++) {
  gc();
  await new Promise((r) => setTimeout(r, 50));
  const heap = v8.getHeapStatistics().used_heap_size;
  const services = createServices({ config, logger: silentLogger, store: opened.store });
  const loader = values.what === 'keyword' ? services.keywordIndex! : services.forYou;
  gcs.length = 0;
  const cpu = threadCpuMs();
  const t = performance.now();
  await loader.warm();
  const ms = performance.now() - t;
  const used = threadCpuMs() - cpu;
  // The observer reports in a later turn.
  await new Promise((r) => setTimeout(r, 20));
  const longest = Math.max(0, ...gcs.map((g) => g.ms));
  const kinds = [...new Set(gcs.map((g) => g.kind))].map((k) => `${GC_KINDS[k] ?? k} ${gcs.filter((g) => g.kind === k).length}`).join(', ');
  kept.push(loader);
  gc();
  const keptMb = (v8.getHeapStatistics().used_heap_size - heap) / 1e6;
  console.log(
    `${values.what} load ${i + 1}${i ? "" : " (cold)"}: ${loader.lastLoad.source}, ${loader.lastLoad.papers} papers (${loader.lastLoad.delta} delta) in ${ms.toFixed(0)} ms | request thread CPU ${used.toFixed(1)} ms | GC during the load: ${gcs.length} (${kinds || 'none'}), ${gcs.reduce((a, g) => a + g.ms, 0).toFixed(1)} ms, longest ${longest.toFixed(1)} ms | heap kept ${keptMb.toFixed(1)} MB | load ${loadavg()[0].toFixed(1)}`,
  );
}
await opened.close();
