import assert from 'node:assert/strict';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * `p`, or a failed assertion naming `what` after `ms`: a hang fails the test instead of stalling it.
 * The timer is cleared once `p` settles (left running, it kept the test file's process up to `ms` longer).
 */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `${what}: still waiting after ${ms} ms` })), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `cond` every 20 ms until it holds; fails naming `what` after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}
