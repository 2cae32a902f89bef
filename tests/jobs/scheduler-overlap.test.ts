import { RunService } from '../../src/services/runs.ts';
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
    // Signals, not fixed waits: at load 20 a run's lease SQL can take longer than any short sleep.
    let started!: () => void;
    const firstStarted = new Promise<void>((r) => (started = r));
    let overlapped!: (why: string) => void;
    const secondStarted = new Promise<string>((r) => (overlapped = r));
    const job: Job = {
      name: 'overlap-test',
      schedule: '* * * * * *',
      run: async () => {
        most = Math.max(most, ++running);
        if (running === 1) started();
        else overlapped('a second run started and waits on the gate');
        await gate;
        running--;
        return {};
      },
    };
    const scheduler = new JobScheduler(new RunService(ctx.store, silentLogger), silentLogger);
    const first = scheduler.runOnce(job);
    await firstStarted;
    // The lease is re-entrant for its holder: without the process's own guard this second tick would run.
    const second = scheduler.runOnce(job);
    const outcome = await Promise.race([second, secondStarted]);
    release();
    await second;
    assert.deepEqual(outcome, { ran: false, reason: 'lease_held' });
    assert.equal((await first).ran, true);
    assert.equal(most, 1);
    assert.equal((await scheduler.runOnce(job)).ran, true, 'the next tick after the run ended runs');
    await scheduler.stop();
  });
});
