import { retryAfterMs } from '../../search/http-request.ts';
import type { StepOutcome } from './step.ts';

/**
 * What the enrichment steps share about calling an outside API: a timeout joined with the runner's
 * signal, and the failure outcome of a call that did not get an answer.
 */
export async function fetchWithin(url: string, init: RequestInit & { timeoutMs: number; signal: AbortSignal }): Promise<Response> {
  const { timeoutMs, signal, ...rest } = init;
  return fetch(url, { ...rest, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]), redirect: 'follow' });
}

/** A network error or timeout as a (retried) failure; the runner's own abort is passed on. */
export function unreachable(err: unknown, what: string, timeoutMs: number, signal: AbortSignal): StepOutcome {
  if (signal.aborted) throw err;
  const e = err as Error;
  if (e?.name === 'TimeoutError') return { status: 'failed', reason: `${what} did not answer within ${timeoutMs} ms` };
  return { status: 'failed', reason: `${what} unreachable: ${String(e?.message ?? err).slice(0, 200)}` };
}

/** `Retry-After` of a response, in ms. */
export const retryAfterOf = (res: Response, now = Date.now()) => retryAfterMs(res.headers.get('retry-after'), now);

/** Reads at most `maxBytes` of a body as text (a hostile server cannot make us hold gigabytes). */
export async function boundedText(res: Response, maxBytes: number): Promise<string | null> {
  const len = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(len) && len > maxBytes) {
    await res.body?.cancel();
    return null;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON body (at most `maxBytes`), or undefined when it is too large or not JSON. */
export async function boundedJson(res: Response, maxBytes: number): Promise<unknown> {
  const text = await boundedText(res, maxBytes);
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
