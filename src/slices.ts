/**
 * Where sliced background work (loading a published index at start or when a new version comes
 * in, decoding its strings, the catch-up scan of the papers, building For-you features) hands the
 * event loop back: `await nextSlice()` instead of `await setImmediate()`.
 *
 * Each loader used to await its own `setImmediate`, and Node runs every immediate queued when its
 * check phase begins: with the keyword index, the For-you features and the catch-up scan loading
 * at once, each turn of the loop ran one slice of each back to back before a waiting request was
 * read (and on PostgreSQL, between each of a request's queries). Here the waiting slices form one
 * queue and one of them goes per turn of the loop: a request waits for one slice at most, at each
 * of its awaits, however many loaders are running. The loaders still take turns at full speed
 * when nothing else is waiting (an idle poll phase costs microseconds).
 */
const waiting: Array<() => void> = [];
let scheduled = false;

function turn(): void {
  const next = waiting.shift();
  // The next slice's turn is queued from inside this check phase, so Node runs it in the next
  // turn of the loop, after the poll phase has read whatever arrived meanwhile.
  scheduled = waiting.length > 0;
  if (scheduled) setImmediate(turn);
  next?.();
}

/** Resolves when this slice of background work may run: at most one waiting slice per turn of the loop. */
export function nextSlice(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(turn);
    }
  });
}

/** How many slices are waiting for their turn (tests and diagnostics). */
export function slicesWaiting(): number {
  return waiting.length;
}

/**
 * A computation written as a generator that pauses (`yield`) at points where it may hand the loop
 * back: `drain` runs it to its end at once, `drainSliced` hands the loop back (`nextSlice`) whenever
 * a slice has run `sliceMs`. One body serves the synchronous and the sliced form of a load.
 */
export function drain<T>(steps: Generator<void, T>): T {
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

export async function drainSliced<T>(steps: Generator<void, T>, sliceMs: number): Promise<T> {
  let since = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - since >= sliceMs) {
      await nextSlice();
      since = performance.now();
    }
  }
}
