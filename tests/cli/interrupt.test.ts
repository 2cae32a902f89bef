import assert from 'node:assert/strict';
import { test } from 'node:test';
import { untilInterrupted } from '../../src/cli/interrupt.ts';

// `paperboy harvest` and `enrich` stop at a clean point on Ctrl-C (SIGINT) or SIGTERM through this.
test('SIGINT or SIGTERM aborts the signal, with the reason "interrupted"; the handlers go when the work ends', async () => {
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const reason = await untilInterrupted(async (signal) => {
      assert.equal(signal.aborted, false);
      process.emit(sig);
      return signal.aborted ? (signal.reason as Error).message : 'not aborted';
    });
    assert.equal(reason, 'interrupted', sig);
  }
  await assert.rejects(untilInterrupted(async () => Promise.reject(new Error('failed'))), /failed/);
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before, 'no handler left behind');
});
