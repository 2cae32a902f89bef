import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One JSON request to an outside server, with what every such call needs: a timeout per attempt,
 * retries with exponential back-off (and jitter) on network errors and 5xx, `429` honouring
 * `Retry-After`, and an AbortSignal that stops waiting and retrying at once (a search's budget).
 */
export interface RetryPolicy {
  /** Milliseconds one attempt may take. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** First back-off; doubles each attempt, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { timeoutMs: 30_000, retries: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

export class HttpCallError extends Error {
  override name = 'HttpCallError';
  constructor(
    message: string,
    /** The final HTTP status, or undefined when no answer came (network error, timeout). */
    readonly status?: number,
    /** The error body's message, when the server sent one. */
    readonly serverMessage?: string,
  ) {
    super(message);
  }
}

export interface JsonCall {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Aborts the call (and any wait before a retry): the caller no longer wants the answer. */
  signal?: AbortSignal;
  /** Told before each retry, e.g. to log it. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

/** Statuses worth another attempt: the server may answer next time. */
function retryable(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

/** The human part of an error body: OpenAI `{error: {message}}`, TEI `{error}` / `{message}`, Ollama `{error}`. */
export function errorMessageOf(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const e = j.error;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  const raw = text.trim().slice(0, 200);
  return raw || undefined;
}

/** Sends the call, retrying as the policy allows; resolves with the parsed JSON body of a 2xx answer. */
export async function callJson(call: JsonCall, policy: RetryPolicy = DEFAULT_RETRY): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    if (call.signal?.aborted) throw new HttpCallError(`${call.url}: gave up (${abortReason(call.signal)})`);
    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    let res: Response;
    try {
      res = await fetch(call.url, {
        method: call.method,
        headers: { accept: 'application/json', ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}), ...call.headers },
        body: call.body !== undefined ? JSON.stringify(call.body) : undefined,
        signal: either(AbortSignal.timeout(policy.timeoutMs), call.signal),
      });
    } catch (err) {
      if (call.signal?.aborted) throw new HttpCallError(`${call.url}: gave up (${abortReason(call.signal)})`);
      const why = (err as Error).name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : `unreachable: ${causeOf(err)}`;
      if (attempt >= policy.retries) throw new HttpCallError(`${call.url} ${why}${attempt ? ` (after ${attempt + 1} attempts)` : ''}`);
      call.onRetry?.({ attempt: attempt + 1, delayMs: Math.round(backoff), reason: why });
      await sleep(backoff, undefined, { signal: call.signal }).catch(() => {});
      continue;
    }
    if (res.ok) {
      const text = await res.text();
      try {
        return JSON.parse(text);
      } catch {
        throw new HttpCallError(`${call.url} answered ${res.status} with something that is not JSON: ${text.slice(0, 120)}`, res.status);
      }
    }
    const text = await res.text().catch(() => '');
    const message = errorMessageOf(text);
    if (!retryable(res.status) || attempt >= policy.retries) {
      throw new HttpCallError(`${call.url} answered ${res.status}${message ? `: ${message}` : ''}${attempt ? ` (after ${attempt + 1} attempts)` : ''}`, res.status, message);
    }
    const asked = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
    const delayMs = asked !== undefined ? Math.min(asked, policy.maxDelayMs) : Math.round(backoff);
    call.onRetry?.({ attempt: attempt + 1, delayMs, reason: `${res.status}${message ? ` ${message}` : ''}` });
    await sleep(delayMs, undefined, { signal: call.signal }).catch(() => {});
  }
}

/** Aborts when either does (AbortSignal.any needs Node 20.3; `engines` says 20). */
function either(a: AbortSignal, b?: AbortSignal): AbortSignal {
  if (!b) return a;
  const c = new AbortController();
  const on = (s: AbortSignal) => () => c.abort(s.reason);
  if (a.aborted || b.aborted) c.abort((a.aborted ? a : b).reason);
  a.addEventListener('abort', on(a), { once: true });
  b.addEventListener('abort', on(b), { once: true });
  return c.signal;
}

function abortReason(signal: AbortSignal): string {
  const r = signal.reason as { message?: string } | undefined;
  return r?.message ?? 'aborted';
}

function causeOf(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
