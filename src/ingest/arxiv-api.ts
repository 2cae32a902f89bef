import { parseArxivId } from '../domain/arxiv-id.ts';
import type { Paper } from '../domain/paper.ts';
import { parseAtomFeed } from './arxiv-atom.ts';
import { XmlFormatError } from './xml.ts';
import { abortableSleep } from '../shutdown.ts';

/** A failed look-up: a bad id (named in `id`), an error feed, or an unreachable or failing API. */
export class ArxivApiError extends Error {
  override name = 'ArxivApiError';
  id?: string;
  constructor(message: string, opts: { id?: string; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    if (opts.id !== undefined) this.id = opts.id;
  }
}

/** arXiv asks for at most 100 ids per `id_list` request. */
const BATCH = 100;
const RETRIES = 3;

/**
 * Looks papers up by id in arXiv's Atom API (`id_list`), in batches of at most 100, one request at
 * a time with `minIntervalMs` between them (arXiv asks for 3 s). Ids may be old- or new-style,
 * with or without a version, or arXiv URLs; papers come back with canonical (versionless) ids.
 */
export class ArxivApiClient {
  private readonly baseUrl: string;
  private readonly minIntervalMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly signal?: AbortSignal;
  private lastRequestAt = 0;
  private queue: Promise<unknown> = Promise.resolve();

  /** `signal` (the process's shutdown deadline) aborts every request, pause and retry of this client. */
  constructor(opts: { baseUrl: string; minIntervalMs?: number; fetch?: typeof fetch; signal?: AbortSignal }) {
    this.baseUrl = opts.baseUrl;
    this.minIntervalMs = opts.minIntervalMs ?? 3000;
    this.fetchFn = opts.fetch ?? fetch;
    this.signal = opts.signal;
  }

  /** The papers found, in the order asked (ids arXiv does not know are left out). */
  async fetchByIds(ids: string[]): Promise<Paper[]> {
    const wanted: string[] = [];
    for (const raw of ids) {
      const parsed = parseArxivId(raw);
      if (!parsed) throw new ArxivApiError(`not an arXiv id: ${JSON.stringify(raw)}`, { id: raw });
      const asked = parsed.version ? `${parsed.id}v${parsed.version}` : parsed.id;
      if (!wanted.includes(asked)) wanted.push(asked);
    }
    const found = new Map<string, Paper>();
    for (let i = 0; i < wanted.length; i += BATCH) {
      for (const p of await this.fetchBatch(wanted.slice(i, i + BATCH))) found.set(p.id, p);
    }
    const out: Paper[] = [];
    for (const asked of wanted) {
      const p = found.get(parseArxivId(asked)!.id);
      if (p && !out.includes(p)) out.push(p);
    }
    return out;
  }

  private async fetchBatch(batch: string[]): Promise<Paper[]> {
    const url = new URL(this.baseUrl);
    url.searchParams.set('id_list', batch.join(','));
    url.searchParams.set('max_results', String(batch.length));
    const { status, body } = await this.get(url.toString());
    let feed;
    try {
      feed = parseAtomFeed(body);
    } catch (err) {
      if (!(err instanceof XmlFormatError)) throw err;
      // arXiv answers a bad request with HTTP 400 and (usually) an error feed; without one, the status is the news.
      if (status !== 200) throw new ArxivApiError(`arXiv API request failed (HTTP ${status}): ${url}`);
      throw new ArxivApiError(`arXiv API response from ${url} is malformed: ${err.message}`, { cause: err });
    }
    if (feed.errors.length) {
      const e = feed.errors[0];
      const id = e.id ?? (batch.length === 1 ? batch[0] : undefined);
      throw new ArxivApiError(`arXiv API error${id ? ` for id ${id}` : ''}: ${e.message}`, { id });
    }
    if (status !== 200) throw new ArxivApiError(`arXiv API request failed (HTTP ${status}): ${url}`);
    return feed.papers;
  }

  /** One polite GET: spaced `minIntervalMs` from the previous one, retried on network errors and 5xx. */
  private get(url: string): Promise<{ status: number; body: string }> {
    const run = this.queue.then(() => this.getWithRetries(url));
    this.queue = run.catch(() => {});
    return run;
  }

  private async getWithRetries(url: string): Promise<{ status: number; body: string }> {
    try {
      return await this.tryGet(url);
    } catch (err) {
      if (this.signal?.aborted) throw new ArxivApiError(`arXiv API request stopped (${(this.signal.reason as Error)?.message ?? 'aborted'}): ${url}`, { cause: err });
      throw err;
    }
  }

  private async tryGet(url: string): Promise<{ status: number; body: string }> {
    const signal = this.signal;
    let lastError = '';
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      // Spaced from the end of the previous request, so a slow answer never shortens the pause.
      const wait = this.lastRequestAt + this.minIntervalMs - Date.now();
      if (wait > 0) await sleep(wait, signal);
      // Backoff grows from the politeness interval, so a client set to 0 (tests) retries quickly.
      if (attempt > 0) await sleep(Math.min(60_000, Math.max(this.minIntervalMs, 50) * 2 ** attempt), signal);
      let res: Response;
      try {
        res = await this.fetchFn(url, { signal, headers: { 'user-agent': 'paperboy (+https://github.com/paperboy)' } });
      } catch (err) {
        this.lastRequestAt = Date.now();
        if (signal?.aborted) throw err;
        lastError = `${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`;
        continue;
      }
      try {
        if (res.status < 500 && res.status !== 429) return { status: res.status, body: await res.text() };
        await res.body?.cancel();
      } finally {
        this.lastRequestAt = Date.now();
      }
      lastError = `HTTP ${res.status}`;
      const retryAfter = Number(res.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0) await sleep(Math.min(retryAfter, 300) * 1000, signal);
    }
    throw new ArxivApiError(`arXiv API request failed (${lastError}): ${url}`);
  }
}

const sleep = abortableSleep;
