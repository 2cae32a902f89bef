/**
 * CPU of a paper page's store reads alone, for a visitor: the reads `/papers/ID` makes before the
 * similar papers and the render (the paper with its feed entry and comments, the enrichment with
 * its artifacts and repository, the authorship and affiliations), run in this process through the
 * services of the tree in `--code` (default: this one), so that main and a branch can be compared
 * without the render's and the similar papers' CPU around them (`paper-cpu.ts` measures the whole
 * page; a statement saved is a fraction of a millisecond there, within its run-to-run spread).
 * Reports this process's CPU and its PostgreSQL backends' CPU (Linux /proc) per page.
 *
 *   npx tsx bench/load/page-reads.ts --db postgres://… [--code DIR] [--papers 2000] [--rounds 3] [--concurrency 4]
 *
 * The papers are the first N visible ones with a stored similar-papers list by md5(id), as
 * `paper-cpu.ts --listed` takes them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { db: { type: 'string' }, code: { type: 'string' }, papers: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '4' } } });
if (!values.db) throw new Error('--db postgres://… is required');
const DB = values.db;
const ROOT = path.resolve(values.code ?? path.join(HERE, '../..'));
const TICK_MS = 1000 / 100; // USER_HZ
const from = (file: string) => import(pathToFileURL(path.join(ROOT, file)).href);
const { openStore } = await from('src/store/index.ts');
const { createServices } = await from('src/services/index.ts');
const { loadConfig } = await from('src/config.ts');
const { createLogger } = await from('src/logger.ts');
// Round 22 folded the affiliations into the authorship read; before, the page read them apart.
const affiliationsApart = !fs.existsSync(path.join(ROOT, 'src/store/json-rows.ts'));

const client = new pg.Client({ connectionString: DB });
await client.connect();
const ids: string[] = (
  await client.query('select p.id from papers p join paper_similar_lists l on l.paper_id = p.id and l.content_hash = p.content_hash where p.hidden = 0 and p.deleted = 0 order by md5(p.id) limit $1', [Number(values.papers)])
).rows.map((r) => r.id);

const opened = await openStore(DB);
const services = createServices({ config: loadConfig({ PAPERBOY_DB: DB, LOG_LEVEL: 'silent', PAPERBOY_DEMO: 'false' }), logger: createLogger('silent'), store: opened.store });

/** The visitor page's reads, in the route's order (src/http/routes/pages.tsx). */
async function pageReads(id: string): Promise<void> {
  const [data] = await Promise.all([services.papers.page(id, null), services.enrichment.detail(id)]);
  await Promise.all([services.claims.paperAuthorship(data.paper.id, null), affiliationsApart ? services.orgs.affiliationsOf(data.paper.id) : null]);
}

function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}
const backends = async () => (await client.query('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()')).rows.map((r) => Number(r.pid));

async function pass(): Promise<{ nodeMs: number; pgMs: number; pages: number }> {
  const pids = await backends();
  const pg0 = new Map(pids.map((p) => [p, cpuMs(p)]));
  const cpu0 = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(values.concurrency) }, async () => {
      while (next < ids.length) await pageReads(ids[next++]);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  // The pool's connections stay open through a pass (opened in the warm-up pass).
  let pgMs = 0;
  for (const p of await backends()) pgMs += cpuMs(p) - (pg0.get(p) ?? 0);
  return { nodeMs: (cpu.user + cpu.system) / 1000, pgMs, pages: ids.length };
}

await pass(); // warm-up: JIT, prepared statements, the pool's connections
const load = [os.loadavg()[0]];
const rounds = [];
for (let r = 0; r < Number(values.rounds); r++) {
  const p = await pass();
  rounds.push({ nodeCpuMsPerPage: +(p.nodeMs / p.pages).toFixed(3), postgresCpuMsPerPage: +(p.pgMs / p.pages).toFixed(3) });
}
load.push(os.loadavg()[0]);
console.log(JSON.stringify({ code: ROOT, papers: ids.length, affiliationsApart, load, rounds }));
await client.end();
await opened.close?.();
process.exit(0);
