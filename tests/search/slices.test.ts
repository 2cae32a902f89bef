import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextSlice, slicesWaiting } from '../../src/slices.ts';
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
