/**
 * How long each background job holds a SQLite serving process's request thread (issue 19, "nothing
 * blocks a request"): the services as `serve` builds them over a copy of a real store, the keyword
 * index and For-you features loaded, then each scheduled job's `due()` and `run()` in turn, each
 * measured as the longest stretch of this thread's CPU between the ticks of a 1 ms timer
 * (`longestHold`, the event-loop tests' measure), with its total CPU and wall time.
 *
 * Before the runs, `--touch N` papers get a new abstract (so the embedding, similar-lists, keyword
 * index and For-you jobs have the work a harvest of N papers gives them). Network jobs (harvest,
 * enrichment, Zotero) are pointed at a closed local port: what they do with the store is measured.
 *   npx tsx bench/jobs/event-loop-holds.ts --db /tmp/house-75k.db [--touch 300] [--jobs a,b]
 */
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openRuntime } from '../../src/services/runtime.ts';
import { scheduledJobs } from '../../src/jobs/index.ts';
import { longestHold } from '../../tests/helpers/event-loop.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, touch: { type: 'string', default: '300' }, jobs: { type: 'string' } } });
const dead = 'http://127.0.0.1:9';
const config = loadConfig({ PAPERBOY_DB: values.db!, LOG_LEVEL: 'warn', PAPERBOY_DEMO: 'false', ARXIV_OAI_URL: dead, ARXIV_API_URL: dead, HF_HUB_URL: dead, ARXIV_DELAY_MS: '0', ARXIV_MAX_RETRIES: '0', ENRICH_HOST_DELAY_MS: '0', ENRICH_MAX_WAIT_MS: '0' });
const runtime = await openRuntime(config, createLogger('warn'), { serving: true });
const { services } = runtime;
const stopIndexing = services.searchIndex.keepInStep();
await Promise.all([services.forYou.warm(), services.searchIndex.indexLoaded]);
// A process that has served a paper page: the ANN index is open (its first opening is not a job's).
const anyPaper = new Database(values.db!, { readonly: true }).prepare('select id from papers order by id limit 1').get() as { id: string };
await services.search.similar(anyPaper.id, 5);
await services.searchIndex.embedder();
// The minute-by-minute catch-up is not a job: stopped, so that only the jobs' own work is measured.
await stopIndexing();
// The papers a harvest would bring: the newest N get a new abstract (written by another process — a
// harvest in the worker — once this one serves).
const touch = Number(values.touch);
if (touch > 0) {
  const opened = await openStore(values.db!);
  const ids = (new Database(values.db!, { readonly: true }).prepare('select id from papers order by published_at desc limit ?').all(touch) as { id: string }[]).map((r) => r.id);
  const papers = await opened.store.papers.getMany(ids);
  await opened.store.papers.upsertMany(papers.map((p) => ({ ...p, abstract: `${p.abstract} Revised to study the event loop.` })));
  await opened.close();
  console.log(`touched ${papers.length} papers`);
}
const wanted = values.jobs?.split(',');
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
console.log(`load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log('job | due: hold ms | run: longest hold ms | run CPU ms | run wall ms | result');
for (const job of scheduledJobs(services)) {
  if (wanted && !wanted.some((w) => job.name.includes(w))) continue;
  let due = true;
  const dueHold = job.due ? await longestHold(async () => { due = await job.due!(); }) : 0;
  let result: unknown = 'not due';
  let c0 = 0, t0 = 0, c1 = 0, t1 = 0, hold = 0;
  if (due) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 120_000);
    c0 = cpu(); t0 = performance.now();
    hold = await longestHold(async () => { result = await job.run(controller.signal).catch((err: Error) => `failed: ${err.message.slice(0, 80)}`); });
    c1 = cpu(); t1 = performance.now();
    clearTimeout(timer);
  }
  console.log(`${job.name} | ${dueHold.toFixed(1)} | ${hold.toFixed(1)} | ${(c1 - c0).toFixed(0)} | ${(t1 - t0).toFixed(0)} | ${JSON.stringify(result).slice(0, 160)}`);
}
await runtime.close();
process.exit(0);
