import type { Logger } from '../../logger.ts';
import { abortableSleep as sleep, eitherSignal } from '../../shutdown.ts';

/** A harvest that cannot go on: unreachable server, retries exhausted, a malformed page, an OAI-PMH error. */
export class HarvestError extends Error {
  override name = 'HarvestError';
  constructor(
    message: string,
    readonly url?: string,
  ) {
    super(message);
  }
}

export interface OaiClientOptions {
  baseUrl: string;
  /** Pause between requests (arXiv: at least 3000 ms); also the base of the exponential backoff. */
  delayMs?: number;
  /** Retries of one request before giving up. */
  maxRetries?: number;
  /** Longest backoff, and longest `Retry-After` honoured. */
  maxWaitMs?: number;
  fetch?: typeof fetch;
  logger?: Logger;
  /** Aborts every request and pause of this client (the process's shutdown deadline), beside each call's own signal. */
  signal?: AbortSignal;
}

export type ListRecordsParams = { resumptionToken: string } | { metadataPrefix: string; set?: string | null; from?: string | null; until?: string | null };

/**
 * Polite HTTP for OAI-PMH: one request at a time, `delayMs` apart; `503` + `Retry-After` waited
 * out; network errors and other 5xx retried with exponential backoff up to `maxRetries`.
 */
export class OaiClient {
  private readonly delayMs: number;
  private readonly maxRetries: number;
  private readonly maxWaitMs: number;
  private readonly fetchFn: typeof fetch;
  private lastRequestEnd = 0;

  constructor(private readonly opts: OaiClientOptions) {
    this.delayMs = opts.delayMs ?? 3000;
    this.maxRetries = opts.maxRetries ?? 5;
    this.maxWaitMs = opts.maxWaitMs ?? 5 * 60_000;
    this.fetchFn = opts.fetch ?? fetch;
  }

  listRecordsUrl(params: ListRecordsParams): string {
    const url = new URL(this.opts.baseUrl);
    url.searchParams.set('verb', 'ListRecords');
    if ('resumptionToken' in params) {
      url.searchParams.set('resumptionToken', params.resumptionToken);
    } else {
      url.searchParams.set('metadataPrefix', params.metadataPrefix);
      if (params.set) url.searchParams.set('set', params.set);
      if (params.from) url.searchParams.set('from', params.from);
      if (params.until) url.searchParams.set('until', params.until);
    }
    return url.toString();
  }

  /** Fetches one page's body; throws HarvestError once retries are exhausted. */
  async get(url: string, callSignal?: AbortSignal): Promise<string> {
    const signal = eitherSignal(callSignal, this.opts.signal);
    let failures = 0;
    for (;;) {
      await sleep(this.lastRequestEnd + this.delayMs - Date.now(), signal);
      let res: Response;
      try {
        res = await this.fetchFn(url, { signal, headers: { 'user-agent': 'paperboy-harvester' } });
      } catch (err) {
        this.lastRequestEnd = Date.now();
        if (signal?.aborted) throw err;
        const reason = describeFetchError(err);
        if (++failures > this.maxRetries) throw new HarvestError(`cannot reach ${url} after ${failures} attempts: ${reason}`, url);
        await this.backoff(failures, `network error: ${reason}`, url, signal);
        continue;
      }
      if (res.ok) {
        const body = await res.text();
        this.lastRequestEnd = Date.now();
        return body;
      }
      await res.body?.cancel();
      this.lastRequestEnd = Date.now();
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      if (res.status < 500 && res.status !== 429) throw new HarvestError(`HTTP ${res.status} from ${url}`, url);
      if (++failures > this.maxRetries) throw new HarvestError(`HTTP ${res.status} from ${url}, still after ${failures} attempts: giving up`, url);
      if ((res.status === 503 || res.status === 429) && retryAfterMs !== null) {
        const wait = Math.min(retryAfterMs, this.maxWaitMs);
        this.opts.logger?.info({ url, status: res.status, waitMs: wait }, 'arXiv asked us to come back later (Retry-After)');
        await sleep(wait, signal);
      } else {
        await this.backoff(failures, `HTTP ${res.status}`, url, signal);
      }
    }
  }

  private async backoff(failures: number, reason: string, url: string, signal?: AbortSignal): Promise<void> {
    const wait = Math.min(this.maxWaitMs, Math.max(this.delayMs, 100) * 2 ** (failures - 1));
    this.opts.logger?.warn({ url, attempt: failures, waitMs: wait, reason }, 'arXiv request failed: retrying');
    await sleep(wait, signal);
  }
}

/** `Retry-After` in seconds or as an HTTP date. */
export function parseRetryAfter(v: string | null, now = Date.now()): number | null {
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  return e.cause ? `${e.cause.code ?? e.cause.message}` : e.message;
}
