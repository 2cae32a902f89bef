import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../helpers/wait.ts';
import { startWorker } from '../helpers/serve-process.ts';
import { PAGES, oaiFixture, startOaiServer } from '../helpers/oai-server.ts';
import { sendXml } from '../helpers/replay-server.ts';
import { createTestStore, postgresIsReal, type TestStore } from '../helpers/stores.ts';
import { forEachStore } from '../helpers/contract.ts';
import { RunService } from '../../src/services/runs.ts';
import { JobScheduler, type Job } from '../../src/jobs/scheduler.ts';
import { silentLogger } from '../../src/logger.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Two processes must share the store: PostgreSQL when the local server is there (PGlite cannot be
// shared between processes), else one SQLite file.
describe('paperboy worker', () => {
  let store: TestStore;
  let hang = false;
  /** The worker has asked for the page that hangs. */
  let hanging = false;
  let oai: Awaited<ReturnType<typeof startOaiServer>>;
  before(async () => {
    store = await createTestStore((await postgresIsReal()) ? 'postgres' : 'sqlite');
    oai = await startOaiServer(async (_req, res, page) => {
      if (hang && page === 'start') {
        sendXml(res, oaiFixture(PAGES.start)); // whatever the date the first harvest starts from
        return true;
      }
      if (hang) {
        hanging = true;
        await sleep(20_000); // a slow arXiv: the worker must not wait for it on SIGTERM
        res.destroy();
        return true;
      }
      return false;
    });
  });
  after(async () => {
    await oai.close();
    await store.close();
  });

  const env = () => ({
    PAPERBOY_DB: store.location!,
    ARXIV_OAI_URL: `${oai.url}/oai`,
    ARXIV_DELAY_MS: '0',
    HARVEST_SETS: 'cs',
    HARVEST_SCHEDULE: '* * * * * *', // every second
  });

  test('two workers on one store run each scheduled harvest once, and stop cleanly on SIGTERM', async () => {
    const [a, b] = await Promise.all([startWorker(env()), startWorker(env())]);
    // Three scheduled harvests, a second apart, both workers up for each: counted, not assumed from
    // 5 s of waiting (on a loaded machine a harvest and the store's writes can take more than its second).
    const harvests = async () => (await store.store.runs.recent(1000)).filter((r) => r.kind === 'harvest');
    await waitFor(async () => (await harvests()).filter((r) => r.status === 'succeeded').length >= 3, 60_000, 'three scheduled harvests');
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    assert.deepEqual(await Promise.all([a.exited, b.exited]), [0, 0], a.log() + b.log());

    const runs = await harvests();
    assert.ok(runs.length >= 3, `three harvests, got ${runs.length}`);
    const ticks = runs.map((r) => String(r.stats.scheduledAt));
    assert.equal(new Set(ticks).size, ticks.length, `a tick ran twice: ${ticks.sort().join(' ')}`);
    assert.ok(runs.every((r) => r.status === 'succeeded'), JSON.stringify(runs.filter((r) => r.status !== 'succeeded')));
    // Both processes were up for every tick, yet only one took each: the other logged a skip or lost the lease race.
    assert.equal(await store.store.leases.holder('harvest'), null);
  });

  test('SIGTERM while arXiv never answers a page: aborted at the deadline, recorded as interrupted, lease released', async () => {
    // The first page is served, the second hangs (20 s): the worker waits SHUTDOWN_TIMEOUT_MS for it, no longer.
    const db = store.connection.db;
    await db.deleteFrom('runs').execute();
    hang = true;
    const w = await startWorker({ ...env(), HARVEST_SCHEDULE: '*/2 * * * * *', SHUTDOWN_TIMEOUT_MS: '2000' });
    // Polled up to 30 s (not 100 × 100 ms: a worker started at load 20 may take its first tick later).
    await waitFor(async () => (await store.store.leases.holder('harvest')) !== null, 30_000, 'the worker taking the harvest lease');
    // Into the hanging page request: waited for, not assumed after 300 ms (at load 20 the first page's writes can take longer).
    await waitFor(() => hanging, 30_000, 'the worker asked for the hanging page');
    const t0 = Date.now();
    w.child.kill('SIGTERM');
    assert.equal(await w.exited, 0, w.log());
    const took = Date.now() - t0;
    // At the deadline, not after the 20 s page; 4 s to abort and exit on a loaded 2-core machine.
    assert.ok(took < 2000 + 4000, `shutdown took ${took} ms (SHUTDOWN_TIMEOUT_MS 2000)`);
    hang = false;
    assert.equal(await store.store.leases.holder('harvest'), null, 'lease released, not left to expire');
    const run = await store.store.runs.last('harvest');
    assert.equal(run?.status, 'interrupted', JSON.stringify(run));
    assert.match(run!.error!, /^interrupted: the process was shut down/);
    assert.ok(run?.finishedAt, 'the aborted run is recorded as finished');
  });
});

forEachStore('scheduled tick', (ctx) => {
  test('a process whose timer fires after another finished the same tick does not run it again', async () => {
    let runs = 0;
    const job: Job = { name: 'tick-test', schedule: '* * * * *', run: async () => ({ n: ++runs }) };
    const a = new JobScheduler(new RunService(ctx.store, silentLogger), silentLogger);
    const b = new JobScheduler(new RunService(ctx.store, silentLogger), silentLogger);
    const tick = new Date(Date.now() - 200);
    assert.equal((await a.runOnce(job, { scheduledAt: tick })).ran, true);
    // a released the lease when it finished; b's timer for the same tick fires late
    assert.deepEqual(await b.runOnce(job, { scheduledAt: tick }), { ran: false, reason: 'already_ran' });
    assert.equal(await ctx.store.leases.holder('tick-test'), null, 'b released the lease it took to look');
    const next = new Date(Date.now() + 5);
    await sleep(10);
    assert.equal((await b.runOnce(job, { scheduledAt: next })).ran, true, 'the next tick runs');
    assert.equal(runs, 2);
  });
});
