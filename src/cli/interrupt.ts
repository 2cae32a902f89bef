/**
 * Runs `fn` with a signal that aborts on the first SIGINT or SIGTERM, so a long command (a harvest,
 * an enrichment pass) stops at a clean point and says what it kept instead of the process dying;
 * the handlers go when `fn` ends. (`serve` and `worker` shut down through `shutdown.ts` instead.)
 */
export async function untilInterrupted<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
