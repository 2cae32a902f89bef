/**
 * Why an outbound call stopped at the shutdown deadline: clients that see it as the abort reason
 * say so in their errors, so a visitor reads "the server is shutting down", not "aborted".
 */
export class ShutdownError extends Error {
  override name = 'ShutdownError';
  constructor(message = 'the server is shutting down') {
    super(message);
  }
}

/** Resolves when `signal` aborts (at once if it already has); never rejects. */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Waits for `work`, or until `deadline` aborts, whichever comes first; never rejects. */
export async function untilDone(work: Promise<unknown>, deadline: AbortSignal): Promise<void> {
  await Promise.race([work.then(() => {}, () => {}), aborted(deadline)]);
}

/** `a` and `b` together: aborts when either does (either may be absent). */
export function eitherSignal(a?: AbortSignal, b?: AbortSignal): AbortSignal | undefined {
  return a && b ? AbortSignal.any([a, b]) : (a ?? b);
}

/**
 * A pause that ends early, rejecting with the signal's reason, when `signal` aborts: retry and
 * politeness sleeps use it so that a shutdown never waits out a backoff.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
