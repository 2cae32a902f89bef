import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_HOLD_MS, REQUEST_HOLDS_MS, nextSlice, requestsServing, servingRequest, sliceStats, slicesWaiting } from '../../src/slices.ts';
import { decodeLinesSliced, decodeTexts, encodeTexts } from '../../src/search/index-file.ts';

/**
 * A request in flight while start-up work loads is delayed by at most one slice at each of its
 * awaits, however many loaders run (src/slices.ts). The "request" here awaits a turn of the loop
 * at each step, as a request on PostgreSQL awaits each query; slices are counted between its steps.
 */
async function slicesPerRequestStep(yieldSlice: () => Promise<unknown>, loaders = 3): Promise<number[]> {
  let ran = 0;
  let done = false;
  const loader = async () => {
    for (let i = 0; i < 40 && !done; i++) {
      ran++;
      await yieldSlice();
    }
  };
  const running = Array.from({ length: loaders }, loader);
  // Let every loader reach its first yield.
  await new Promise((r) => setImmediate(r));
  const between: number[] = [];
  for (let step = 0; step < 10; step++) {
    const before = ran;
    await new Promise((r) => setImmediate(r));
    between.push(ran - before);
  }
  done = true;
  await Promise.all(running);
  return between;
}

test('three loaders yielding with setImmediate run three slices between each of a request\'s steps (the problem)', async () => {
  const between = await slicesPerRequestStep(() => new Promise((r) => setImmediate(r)));
  assert.equal(Math.max(...between), 3, `slices between steps: ${between}`);
});

test('three loaders yielding with nextSlice run at most one slice between each of a request\'s steps', async () => {
  const between = await slicesPerRequestStep(nextSlice);
  assert.ok(Math.max(...between) <= 1, `slices between steps: ${between}`);
  // ...and they still make progress: a slice in most turns.
  assert.ok(between.filter((n) => n === 1).length >= 8, `slices between steps: ${between}`);
  assert.equal(slicesWaiting(), 0);
});

test('nextSlice lets waiting slices through in the order they asked, one per turn, and none is lost', async () => {
  const order: string[] = [];
  await Promise.all(['a', 'b', 'c'].map(async (name) => {
    for (let i = 0; i < 3; i++) {
      await nextSlice();
      order.push(`${name}${i}`);
    }
  }));
  assert.deepEqual(order, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'c2']);
  assert.equal(slicesWaiting(), 0);
});

test('the index-file decoders running side by side wait in the one queue of slices (not each its own setImmediate)', async () => {
  const words = Array.from({ length: 20_000 }, (_, i) => `word${i}`);
  const lines = Buffer.from(words.join('\n'));
  const texts = encodeTexts(words);
  let most = 0;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      most = Math.max(most, slicesWaiting());
      await new Promise((r) => setImmediate(r));
    }
  })();
  // sliceMs 0: yield at every chance, so both are waiting at once.
  const [a, b] = await Promise.all([decodeLinesSliced(lines, 0, lines.length, 0, 1024), decodeTexts(texts.bytes, texts.ends, 0)]);
  watching = false;
  await watch;
  assert.deepEqual(a, words);
  assert.deepEqual(b, words);
  assert.ok(most >= 2, `at most ${most} slice(s) waited at once`);
});

/** A background loader that counts its slices until told to stop. */
function backgroundLoader() {
  const state = { ran: 0, done: false, finished: Promise.resolve() };
  state.finished = (async () => {
    while (!state.done) {
      await nextSlice();
      state.ran++;
    }
  })();
  return state;
}

/** Turns of the event loop (a setImmediate each) until `stop()`: how many a stretch of waiting took. */
function turnCounter() {
  const c = { turns: 0, stopped: false, stop: () => void (c.stopped = true) };
  const tick = () => {
    if (c.stopped) return;
    c.turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return c;
}

test('background slices wait while a request is in flight: at most one per MAX_HOLD_MS of it, not one per turn', async () => {
  const loader = backgroundLoader();
  try {
    await new Promise((r) => setImmediate(r));
    let during = -1;
    const t = performance.now();
    await servingRequest(async () => {
      const before = loader.ran;
      // 200 turns of the loop inside the request (a millisecond or two) (a request on PostgreSQL awaits each query; on
      // SQLite the answer's compression on the thread pool): without the hold a slice ran in each.
      for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
      during = loader.ran - before;
    });
    const elapsed = performance.now() - t;
    // A request older than REQUEST_HOLDS_MS holds nothing any more (a stalled machine): then nothing to check.
    if (elapsed < REQUEST_HOLDS_MS) assert.ok(during <= Math.floor(elapsed / MAX_HOLD_MS), `${during} background slices ran during a request of ${elapsed.toFixed(1)} ms (200 turns)`);
    // Once no request is in flight, the loader goes on at a slice a turn.
    const after = loader.ran;
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    assert.ok(loader.ran - after >= 8, `${loader.ran - after} slices in 10 turns after the request`);
  } finally {
    loader.done = true;
    await loader.finished;
  }
  assert.equal(requestsServing(), 0);
  assert.equal(slicesWaiting(), 0);
});

test("a request's own slices are not held back for it (nor for other requests in flight)", async () => {
  const loader = backgroundLoader();
  // Another request in flight all along.
  let endOther!: () => void;
  const other = servingRequest(() => new Promise<void>((r) => (endOther = r)));
  const turns = turnCounter();
  try {
    await servingRequest(async () => {
      for (let i = 0; i < 20; i++) await nextSlice();
    });
    turns.stop();
    // Held, each of the 20 would wait MAX_HOLD_MS: thousands of turns of the spinning counter.
    assert.ok(turns.turns <= 100, `the request's 20 slices took ${turns.turns} turns of the loop`);
  } finally {
    turns.stop();
    endOther();
    await other;
    loader.done = true;
    await loader.finished;
  }
  assert.equal(slicesWaiting(), 0);
});

test('under requests that never stop, background loading still moves: a slice at least every MAX_HOLD_MS or so', async () => {
  const loader = backgroundLoader();
  await new Promise((r) => setImmediate(r));
  const before = loader.ran;
  const t = performance.now();
  // Overlapping requests, each awaiting a 5 ms timer: one is always in flight for 6 × MAX_HOLD_MS.
  let first = servingRequest(() => new Promise((r) => setTimeout(r, 5)));
  while (performance.now() - t < 6 * MAX_HOLD_MS) {
    const next = servingRequest(() => new Promise((r) => setTimeout(r, 5)));
    await first;
    first = next;
  }
  const during = loader.ran - before;
  await first;
  loader.done = true;
  await loader.finished;
  assert.ok(during >= 2, `${during} background slices in ${(performance.now() - t).toFixed(0)} ms of requests always in flight`);
  assert.equal(slicesWaiting(), 0);
});

test('a request that waits for background work itself holds it back for its first REQUEST_HOLDS_MS only, not a hold per slice', async () => {
  // A load begun outside any request (serve's start-up loading), 200 slices long, that a request
  // then awaits (a search awaiting the keyword index's load, a signed-in page the For-you load).
  let slices = 0;
  const load = (async () => {
    for (let i = 0; i < 200; i++) {
      await nextSlice();
      slices++;
    }
  })();
  await new Promise((r) => setImmediate(r));
  const holdsBefore = sliceStats.afterHold;
  // Held for as long as the request waits, the load would never end: a deadline, not a hang.
  let timer: NodeJS.Timeout | undefined;
  const finished = await servingRequest(() => Promise.race([load.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), 10_000)))]));
  clearTimeout(timer);
  assert.ok(finished, `the load awaited by a request did not end in 10 s (${slices} of 200 slices)`);
  assert.equal(slices, 200);
  // Held for the request's whole life, each of the 200 would go only when a hold ended; here only
  // those of its first REQUEST_HOLDS_MS (one per MAX_HOLD_MS), then the load goes at full speed.
  const afterHold = sliceStats.afterHold - holdsBefore;
  assert.ok(afterHold <= REQUEST_HOLDS_MS / MAX_HOLD_MS + 2, `${afterHold} of the load's 200 slices waited for a hold to end`);
  assert.equal(slicesWaiting(), 0);
});
