import { AsyncLocalStorage } from 'node:async_hooks';

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
interface Waiting {
  resolve: () => void;
  /** Asked for inside a request's own handling (`servingRequest`): never held back for requests. */
  request: boolean;
}
const waiting: Waiting[] = [];
let scheduled = false;

/**
 * Requests being answered (`servingRequest`), and whether background slices are held back for them.
 * A request on SQLite runs its reads synchronously, but it still hands the loop back where it
 * really waits — the answer's compression on libuv's thread pool, a worker's answer — and each such
 * wait let one waiting slice run inside it: a feed request during start-up waited for up to 16–23 slices
 * of the keyword index's scan and the For-you load (round 23). Now background slices wait while a
 * request is in flight, and go once none is (between a client's requests) — or once they have waited
 * `MAX_HOLD_MS`, so that loading still moves, a slice per `MAX_HOLD_MS`, under traffic that never
 * stops. A request older than `REQUEST_HOLDS_MS` holds nothing: one that waits for the background
 * work itself (its load or catch-up) would otherwise slow that work, and itself, to a slice per hold.
 */
let requestsInFlight = 0;
/** When the latest request began (`servingRequest`). */
let lastRequestAt = Number.NEGATIVE_INFINITY;
/** Slices that went when a hold ended with requests still in flight (tests and diagnostics). */
export const sliceStats = { afterHold: 0 };
const inRequest = new AsyncLocalStorage<true>();
/** The longest background slices are held back for requests in flight before one of them goes anyway. */
export const MAX_HOLD_MS = 20;
/**
 * How long after it began a request holds background slices back at all. A request that lasts longer
 * (one awaiting a background load; any at a loaded machine's pace) no longer does: what it awaits
 * moves at full speed again. (Holding for a request's first MAX_HOLD_MS only let 8–11 slices into the
 * slower feed requests at load 9, round 23.)
 */
export const REQUEST_HOLDS_MS = 100;
let heldSince: number | null = null;
let holdTimer: NodeJS.Timeout | undefined;
let timerArmed = false;

function onHoldTimer(): void {
  timerArmed = false;
  schedule();
}

function disarm(): void {
  clearTimeout(holdTimer);
  timerArmed = false;
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(turn);
}

function release(): void {
  if (heldSince === null) return;
  heldSince = null;
  disarm();
  schedule();
}

function turn(): void {
  scheduled = false;
  if (!waiting.length) return;
  let i = 0;
  const now = performance.now();
  // Held until MAX_HOLD_MS after the hold began, and never for a request older than
  // REQUEST_HOLDS_MS: a request that waits for background work itself (a search for the keyword
  // index's load or catch-up, a signed-in page for the "For you" load) holds it back that long only.
  const holdEnds = Math.min((heldSince ?? now) + MAX_HOLD_MS, lastRequestAt + REQUEST_HOLDS_MS);
  if (requestsInFlight > 0 && now < holdEnds) {
    // A request's own slices go; background ones wait for the requests to end (or for the hold's end).
    i = waiting.findIndex((w) => w.request);
    if (i < 0) {
      heldSince ??= now;
      // This turn comes again at the hold's end and one slice goes. (A timer may fire a little
      // early by performance.now(), libuv's clock being the loop's: armed again then.)
      if (!timerArmed) {
        timerArmed = true;
        // Not unref'd: held slices are work still to do, as a queued immediate is.
        holdTimer = setTimeout(onHoldTimer, Math.max(1, Math.ceil(holdEnds - now)));
      }
      return;
    }
  } else if (heldSince !== null) {
    // The hold ends with this slice; the next one is held again only for a request younger than REQUEST_HOLDS_MS.
    heldSince = null;
    disarm();
    sliceStats.afterHold++;
  }
  const [next] = waiting.splice(i, 1);
  // The next slice's turn is queued from inside this check phase, so Node runs it in the next
  // turn of the loop, after the poll phase has read whatever arrived meanwhile.
  if (waiting.length) schedule();
  next.resolve();
}

/** Resolves when this slice of background work may run: at most one waiting slice per turn of the loop. */
export function nextSlice(): Promise<void> {
  return new Promise<void>((resolve) => {
    const request = inRequest.getStore() === true;
    waiting.push({ resolve, request });
    // A held queue goes on when the hold ends; a request's own slice does not wait for that.
    if (heldSince === null || request) schedule();
  });
}

/**
 * Runs a request's handling (the HTTP server wraps every request in it): while any runs, background
 * slices wait (at most MAX_HOLD_MS); slices the request itself asks for go as before.
 */
export async function servingRequest<T>(handle: () => T | Promise<T>): Promise<T> {
  requestsInFlight++;
  lastRequestAt = performance.now();
  try {
    return await inRequest.run(true, handle);
  } finally {
    if (--requestsInFlight === 0) release();
  }
}

/** How many slices are waiting for their turn (tests and diagnostics). */
export function slicesWaiting(): number {
  return waiting.length;
}

/** Requests in flight, as `servingRequest` counts them (tests and diagnostics). */
export function requestsServing(): number {
  return requestsInFlight;
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
