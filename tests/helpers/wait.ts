import assert from 'node:assert/strict';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `p`, or a failed assertion naming `what` after `ms`: a hang fails the test instead of stalling it. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => assert.fail(`${what}: still waiting after ${ms} ms`))]);
}

/** Polls `cond` every 20 ms until it holds; fails naming `what` after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}
