import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { startOaiServer } from '../helpers/oai-server.ts';
import { RunService } from '../../src/services/runs.ts';
import { JobScheduler } from '../../src/jobs/scheduler.ts';
import { harvestJob } from '../../src/jobs/harvest-job.ts';
import { scheduledJobs } from '../../src/jobs/index.ts';
import { IngestService } from '../../src/services/ingest.ts';
import { createServices } from '../../src/services/index.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

forEachStore('harvest job', (ctx) => {
  let server: Awaited<ReturnType<typeof startOaiServer>>;
  /** Run once when the first page is asked for: the harvest asking for it holds the harvest lease. */
  let whileHarvesting: (() => Promise<void>) | undefined;
  before(async () => {
    server = await startOaiServer(async (_req, _res, page) => {
      const during = page === 'start' ? whileHarvesting : undefined;
      whileHarvesting = undefined;
      await during?.();
      return false;
    });
  });
  after(() => server.close());

  const config = () =>
    loadConfig({ PAPERBOY_DB: 'unused', ARXIV_OAI_URL: `${server.url}/oai`, ARXIV_DELAY_MS: '0', HARVEST_SETS: 'cs', HARVEST_LOOKBACK_DAYS: '3' });

  test('the schedule follows the settings, on the New York clock, and can be turned off', () => {
    const services = createServices({ config: loadConfig({ PAPERBOY_DB: 'x', HARVEST_SCHEDULE: '45 20 * * 1-5' }), logger: silentLogger, store: ctx.store });
    const job = scheduledJobs(services).find((j) => j.name === 'harvest');
    assert.ok(job, 'the harvest is scheduled');
    assert.equal(job.schedule, '45 20 * * 1-5');
    assert.equal(job.timezone, 'America/New_York');
    assert.equal(loadConfig({ PAPERBOY_DB: 'x' }).harvestSchedule, '30 20 * * 0-4');
    const off = createServices({ config: loadConfig({ PAPERBOY_DB: 'x', HARVEST_ENABLED: 'false' }), logger: silentLogger, store: ctx.store });
    assert.deepEqual(
      scheduledJobs(off).map((j) => j.name),
      ['digest', 'community-cleanup', 'zotero-sync', 'search-embed', 'search:similar-lists', 'search:refine-model', 'notify', 'enrich', 'search:keyword-index', 'for-you:features'],
    );
  });

  test('two schedulers on one store: one harvests, the other finds the lease held; the run is recorded', async () => {
    const c = config();
    // The first harvest starts HARVEST_LOOKBACK_DAYS before today; serve the fixture list whatever the date.
    const job = harvestJob(new IngestService(ctx.store, c, silentLogger), c);
    const a = new JobScheduler(new RunService(ctx.store, silentLogger), silentLogger);
    const b = new JobScheduler(new RunService(ctx.store, silentLogger), silentLogger);
    // b tries while a's harvest asks for its first page, so while a holds the lease (b started 50 ms
    // after a, and a loaded machine could let b take the lease first).
    let rb: unknown;
    whileHarvesting = async () => {
      rb = await b.runOnce(job);
    };
    const ra = await a.runOnce(job);
    assert.deepEqual(rb, { ran: false, reason: 'lease_held' });
    assert.ok(ra.ran && ra.status === 'succeeded', JSON.stringify(ra));
    const run = await ctx.store.runs.last('harvest');
    assert.equal(run?.status, 'succeeded');
    assert.equal(typeof run?.stats.records, 'number');
    assert.equal(await ctx.store.leases.holder('harvest'), null, 'lease released');
  });
});

forEachStore('a job run left running by a killed process', (ctx) => {
  test('the next scheduled run marks it interrupted, then runs and records its own', async () => {
    const stale = await ctx.store.runs.start('tidy', {}, '2026-01-01T00:00:00.000Z');
    const other = await ctx.store.runs.start('another-job', {}, '2026-01-01T00:00:00.000Z');
    const outcome = await new JobScheduler(new RunService(ctx.store, silentLogger), silentLogger).runOnce({ name: 'tidy', schedule: '0 * * * *', run: async () => ({ tidied: 1 }) });
    assert.ok(outcome.ran && outcome.status === 'succeeded');
    const runs = await ctx.store.runs.recent(10);
    const byId = new Map(runs.map((r) => [r.id, r]));
    assert.equal(byId.get(stale)?.status, 'failed');
    assert.match(byId.get(stale)!.error!, /^interrupted: the process running it ended/);
    assert.ok(byId.get(stale)!.finishedAt);
    assert.equal(byId.get(other)?.status, 'running', "another job's run is not this job's to judge");
    const last = await ctx.store.runs.last('tidy');
    assert.equal(last?.status, 'succeeded');
    assert.equal(last?.stats.tidied, 1);
  });
});

forEachStore('harvest job failing', (ctx) => {
  test('a failed scheduled harvest is recorded with its error and what was stored before it', async () => {
    const closed = await startOaiServer();
    await closed.close();
    const c = loadConfig({ PAPERBOY_DB: 'unused', ARXIV_OAI_URL: `${closed.url}/oai`, ARXIV_DELAY_MS: '0', ARXIV_MAX_RETRIES: '1', HARVEST_SETS: 'cs' });
    const outcome = await new JobScheduler(new RunService(ctx.store, silentLogger), silentLogger).runOnce(harvestJob(new IngestService(ctx.store, c, silentLogger), c));
    assert.ok(outcome.ran && outcome.status === 'failed');
    const run = await ctx.store.runs.last('harvest');
    assert.equal(run?.status, 'failed');
    assert.match(run!.error!, /^cannot reach .* after 2 attempts: ECONNREFUSED \(stored before the failure: 0 pages, 0 inserted/);
  });
});

test('serve runs the scheduled harvest and stops cleanly on SIGTERM', async () => {
  const server = await startOaiServer();
  const dir = await import('node:fs').then((fs) => fs.mkdtempSync(path.join((process.env.TMPDIR ?? '/tmp'), 'paperboy-serve-')));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--host', '127.0.0.1', '--no-demo'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PAPERBOY_DB: path.join(dir, 'serve.db'),
        ARXIV_OAI_URL: `${server.url}/oai`,
        ARXIV_DELAY_MS: '0',
        HARVEST_SETS: 'cs',
        HARVEST_SCHEDULE: '* * * * * *',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stderr!.on('data', (d) => (log += d));
    child.stdout!.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while (!/"msg":"job finished"/.test(log) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(log, /"job":"harvest".*"msg":"job scheduled"/);
    assert.match(log, /"msg":"job finished"/, log);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(log, /"msg":"stopped"/);
  } finally {
    await server.close();
    (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
  }
});
