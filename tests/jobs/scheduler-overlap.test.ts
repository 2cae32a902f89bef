import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { JobScheduler, type Job } from '../../src/jobs/scheduler.ts';
import { silentLogger } from '../../src/logger.ts';

forEachStore('scheduler overlap', (ctx) => {
  test("a tick that comes while the job's previous run in the same process is still going does not start a second run", async () => {
    let running = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const job: Job = {
      name: 'overlap-test',
      schedule: '* * * * * *',
      run: async () => {
        most = Math.max(most, ++running);
        await gate;
        running--;
        return {};
      },
    };
    const scheduler = new JobScheduler(ctx.store, silentLogger);
    const first = scheduler.runOnce(job);
    await new Promise((r) => setTimeout(r, 200));
    // The lease is re-entrant for its holder: without the process's own guard this second tick would run.
    const second = scheduler.runOnce(job);
    const outcome = await Promise.race([second, new Promise((r) => setTimeout(() => r('a second run started and waits on the gate'), 1000))]);
    release();
    await second;
    assert.deepEqual(outcome, { ran: false, reason: 'lease_held' });
    assert.equal((await first).ran, true);
    assert.equal(most, 1);
    assert.equal((await scheduler.runOnce(job)).ran, true, 'the next tick after the run ended runs');
    await scheduler.stop();
  });
});
