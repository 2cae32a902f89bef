import { weakEtag } from './middleware/conditional-get.ts';

/** One cached answer: what the handler sent, and when. */
export interface CachedPage {
  status: number;
  headers: [string, string][];
  body: ArrayBuffer;
  etag: string;
  /** The CSP nonce the body's inline script and style carry (served again with it). */
  nonce: string;
  storedAt: number;
}

export interface PageCacheOptions {
  /** How long an answer is served at most (the staleness other servers' writes can cause). */
  ttlMs: number;
  /** Total bytes of cached bodies; the least recently used go first. */
  maxBytes: number;
  /**
   * A vote in this process makes older answers stale once they are this old: a burst of votes
   * re-renders a feed page at most once per `minFreshMs` instead of once per request. The voted
   * paper's own pages are dropped at once, and any other write makes every older answer stale.
   */
  minFreshMs?: number;
  now?: () => number;
}

/**
 * Rendered pages for anonymous readers, in this process: a least-recently-used map with a time to
 * live, made stale by writes. Readers with a session never reach it (their pages show their votes,
 * read state and forms), so a vote is on its voter's next page at once; everyone else sees it on
 * the paper's page at once, on lists within `minFreshMs` (on this server) and within `ttlMs` (on
 * the others). Other writes through this server show on every page at once.
 */
export class PageCache {
  private readonly entries = new Map<string, CachedPage>();
  private bytes = 0;
  /** The last write every older answer must show. */
  private changedAt = Number.NEGATIVE_INFINITY;
  /** The last vote: older answers may be served until they are `minFreshMs` old. */
  private votedAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  private readonly minFreshMs: number;
  readonly stats = { hits: 0, misses: 0, stored: 0, evicted: 0 };

  constructor(private readonly opts: PageCacheOptions) {
    this.now = opts.now ?? Date.now;
    this.minFreshMs = opts.minFreshMs ?? 1000;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The fresh answer for `key`, or null (and a stale one is dropped). */
  get(key: string): CachedPage | null {
    const e = this.entries.get(key);
    if (!e) {
      this.stats.misses++;
      return null;
    }
    const now = this.now();
    const age = now - e.storedAt;
    const expired = age >= this.opts.ttlMs;
    const changedSince = e.storedAt <= this.changedAt || (e.storedAt <= this.votedAt && age >= this.minFreshMs);
    if (expired || changedSince) {
      this.drop(key, e);
      this.stats.misses++;
      return null;
    }
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, e);
    this.stats.hits++;
    return e;
  }

  /**
   * Keeps an answer. `renderedFrom` is when its rendering began: a write during the rendering may
   * not be in it, so the answer counts as that old.
   */
  set(key: string, page: { status: number; headers: [string, string][]; body: ArrayBuffer; nonce: string }, renderedFrom = this.now()): CachedPage | null {
    if (page.body.byteLength > this.opts.maxBytes / 4) return null;
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    const entry: CachedPage = { ...page, etag: weakEtag(page.body), storedAt: renderedFrom };
    this.entries.set(key, entry);
    this.bytes += entry.body.byteLength;
    this.stats.stored++;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.opts.maxBytes) break;
      this.drop(k, e);
      this.stats.evicted++;
    }
    return entry;
  }

  /**
   * Something readers see changed (a comment, an import, a moderation): every older answer is stale.
   * With `vote`, only the pages under `pathPrefix` (the voted paper's) are, and lists follow once
   * they are `minFreshMs` old.
   */
  changed(pathPrefix?: string, opts: { vote?: boolean } = {}): void {
    if (opts.vote) this.votedAt = this.now();
    else this.changedAt = this.now();
    if (!pathPrefix) return;
    for (const [k, e] of this.entries) {
      const path = k.split('\n', 1)[0];
      if (path === pathPrefix || path.startsWith(pathPrefix + '/') || path.startsWith(pathPrefix + '.') || path.startsWith(pathPrefix + '?')) this.drop(k, e);
    }
  }

  private drop(key: string, e: CachedPage): void {
    this.entries.delete(key);
    this.bytes -= e.body.byteLength;
  }
}
