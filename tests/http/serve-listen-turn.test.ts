import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createTestStore, type TestStore } from '../helpers/stores.ts';
import { startServe, type ServeProcess } from '../helpers/serve-process.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * `paperboy serve` opens its port only once the background start-up work has begun (issue 19,
 * start-up under load): the job schedules, the keyword index's load with its reader thread, the
 * "For you" features. What each of those does before its first real wait used to run in the same
 * turn of the event loop as the listen, so a request arriving as the port opened waited for it
 * (BENCHMARKS, start-up, round 19). Measured inside the real process by a preload
 * (`tests/helpers/listen-turn-probe.mjs`): the request thread's CPU between the port opening and
 * the loop's next turn, and the threads running then. Linux only (/proc).
 */
const linux = process.platform === 'linux';
let store: TestStore | undefined;
let serve: ServeProcess | undefined;
after(async () => {
  serve?.child.kill('SIGTERM');
  await serve?.exited;
  await store?.close();
});

test('serve listens after its start-up work began: the loop turns at once, the reader thread already runs below it', { skip: !linux && 'Linux only' }, async () => {
  store = await createTestStore('sqlite');
  const probe = new URL('../helpers/listen-turn-probe.mjs', import.meta.url).href;
  serve = await startServe({ PAPERBOY_DB: store.location!, SEARCH_KEYWORD_ENGINE: 'memory', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${probe}` });
  const res = await fetch(`${serve.url}/`);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  const probeLine = () => serve!.log().split('\n').find((l) => l.includes('"listenProbe":true'));
  // Polled with a deadline of 30 s (not 100 × 50 ms): the probe's line may come late on a loaded machine.
  await waitFor(() => probeLine() !== undefined, 30_000, `the probe reporting:\n${serve.log()}`);
  const line = probeLine()!;
  const probe_ = JSON.parse(line.slice(line.indexOf('{'))) as { cpuAfterListenMs: number; threadsAtListen: number; lowThreadsAtListen: number };
  // The index reader thread was started before the port opened, and lowered its own priority.
  assert.ok(probe_.lowThreadsAtListen >= 1, `a lowered thread when the port opened: ${line}`);
  // Nothing of the start-up work's own runs between the listen and the loop's next turn: the
  // server's log line and the probe itself (a few ms of CPU on a loaded machine, however big the store).
  assert.ok(probe_.cpuAfterListenMs < 10, `request-thread CPU after the port opened, before the loop turned: ${probe_.cpuAfterListenMs} ms`);
  // The job schedules begin only once the start-up loading is done (a job's first check is
  // synchronous SQL that every request would wait for): after the "For you" features and the
  // keyword index (`/readyz` 200), never before the port opened.
  // Polled up to 60 s (not 200 × 50 ms: at load 20 the start-up loading can take longer).
  await waitFor(() => /job scheduled/.test(serve!.log()), 60_000, `the jobs being scheduled:\n${serve.log()}`);
  const log = serve.log();
  const at = (re: RegExp) => log.search(re);
  assert.ok(at(/job scheduled/) >= 0, `the jobs were scheduled:\n${log}`);
  assert.ok(at(/Paperboy is serving/) < at(/job scheduled/), 'the schedules begin after the port opened');
  assert.ok(at(/(loaded|built) the \\?"For you\\?" index/) >= 0 && at(/(loaded|built) the \\?"For you\\?" index/) < at(/job scheduled/), `after the "For you" features:\n${log}`);
  assert.equal((await fetch(`${serve.url}/readyz`)).status, 200, 'and the keyword index is in memory');
});
