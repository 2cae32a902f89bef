import { weakEtag } from './middleware/conditional-get.ts';
import { compressBody, type Encoding } from './middleware/compress.ts';
import { pageCacheCompressions } from '../metrics.ts';
import { paperDep, dayDep, VOTES_DEP } from './page-deps.ts';

/** One cached answer: what the handler sent, and when. */
export interface CachedPage {
  status: number;
  headers: [string, string][];
  body: ArrayBuffer;
  /**
   * The body's compressed copies, each made the first time a client asks for its encoding
   * (`PageCache.encoded`), counted in the cache's bytes once made and dropped with the page. The
   * ETag is the identity body's weak one for every encoding (the same page, whatever its coding).
   */
  readonly encodings: Map<Encoding, Promise<Uint8Array>>;
  /** Bytes of the finished copies in `encodings`. */
  encodedBytes: number;
  /** Its key in the cache (a copy finished after the page was dropped or replaced is not counted). */
  readonly key: string;
  etag: string;
  /** The CSP nonce the body's inline script and style carry (served again with it). */
  nonce: string;
  storedAt: number;
  /** What it was rendered from (`page-deps.ts`); undefined: anything, so every vote makes it stale. */
  deps?: readonly string[];
  /** How long it is served at most when less than the cache's `ttlMs` (a stand-in page, `pageFreshFor`). */
  ttlMs?: number;
}

/** A vote that changed a paper's count: its feed days are the rankings it may reorder. */
export interface VoteChange {
  paperId: string;
  /** The paper's own page (`sitePaths.paper`): it and the pages under it are dropped at once. */
  paperPath: string;
  days: readonly string[];
}

export interface PageCacheOptions {
  /** How long an answer is served at most (the staleness other servers' writes can cause). */
  ttlMs: number;
  /** Total bytes of cached bodies and their compressed copies; the least recently used go first. */
  maxBytes: number;
  /** Compresses a body (`compressBody` of `compress.ts`; a test counts or delays its calls). */
  compress?: (body: Uint8Array, encoding: Encoding) => Promise<Uint8Array>;
  /**
   * A vote in this process makes older answers that depend on it stale once they are this old: a
   * burst of votes re-renders a feed page at most once per `minFreshMs` instead of once per request.
   * The voted paper's own pages are dropped at once, and any other write makes every older answer stale.
   */
  minFreshMs?: number;
  now?: () => number;
}

/**
 * Rendered pages for anonymous readers, in this process: a least-recently-used map with a time to
 * live, made stale by writes. Readers with a session never reach it (their pages show their votes,
 * read state and forms), so a vote is on its voter's next page at once; everyone else sees it on
 * the paper's page at once, on lists within `minFreshMs` (on this server) and within `ttlMs` (on
 * the others, which learn of it only by the time to live). Other writes through this server show
 * on every page at once.
 *
 * A vote makes stale only the answers that depend on it (`page-deps.ts`): those showing the paper,
 * ranking its feed day, ranking by votes site-wide, or declaring nothing. Each dependency keeps the
 * time of its last vote; an answer is stale when one of its dependencies was voted on at or after
 * the time its rendering began. (Every vote used to make every list stale: at a few votes a second
 * the cache rarely answered a feed page.)
 */
export class PageCache {
  private readonly entries = new Map<string, CachedPage>();
  private bytes = 0;
  /** The last write every older answer must show. */
  private changedAt = Number.NEGATIVE_INFINITY;
  /** The last vote: older answers that rank by votes, or declare nothing, may be served until they are `minFreshMs` old. */
  private votedAt = Number.NEGATIVE_INFINITY;
  /** The last vote on each paper and feed day (only the last `ttlMs`: older ones can outdate no live answer). */
  private readonly depVotedAt = new Map<string, number>();
  private readonly now: () => number;
  private readonly minFreshMs: number;
  private readonly compress: (body: Uint8Array, encoding: Encoding) => Promise<Uint8Array>;
  readonly stats = { hits: 0, misses: 0, stored: 0, evicted: 0, compressed: 0 };

  constructor(private readonly opts: PageCacheOptions) {
    this.now = opts.now ?? Date.now;
    this.minFreshMs = opts.minFreshMs ?? 1000;
    this.compress = opts.compress ?? compressBody;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes held: bodies and their finished compressed copies. */
  get usedBytes(): number {
    return this.bytes;
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
    const expired = age >= Math.min(this.opts.ttlMs, e.ttlMs ?? Infinity);
    const changedSince = e.storedAt <= this.changedAt || (age >= this.minFreshMs && this.votedSince(e));
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
  set(key: string, page: { status: number; headers: [string, string][]; body: ArrayBuffer; nonce: string; deps?: readonly string[]; ttlMs?: number }, renderedFrom = this.now()): CachedPage | null {
    if (page.body.byteLength > this.opts.maxBytes / 4) return null;
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    const entry: CachedPage = { ...page, key, encodings: new Map(), encodedBytes: 0, etag: weakEtag(page.body), storedAt: renderedFrom };
    this.entries.set(key, entry);
    this.bytes += entry.body.byteLength;
    this.stats.stored++;
    this.evict();
    return entry;
  }

  /**
   * `page`'s body in `encoding`: compressed the first time a client asks for that encoding and
   * kept with the page, so that every later hit sends the same bytes (a feed page's 58 kB were
   * compressed again on every hit). The copy counts in `maxBytes` from when it is made; it goes
   * when its page goes (stale, replaced, evicted). Concurrent first asks share one compression.
   */
  encoded(page: CachedPage, encoding: Encoding): Promise<Uint8Array> {
    const made = page.encodings.get(encoding);
    if (made) return made;
    this.stats.compressed++;
    pageCacheCompressions.inc({ encoding });
    const copy = this.compress(new Uint8Array(page.body), encoding).then(
      (bytes) => {
        // Counted only while its page is still the one cached under its key: a page dropped or
        // replaced during the compression took its count with it, and its copy goes with it.
        if (this.entries.get(page.key) === page) {
          page.encodedBytes += bytes.byteLength;
          this.bytes += bytes.byteLength;
          this.evict();
        }
        return bytes;
      },
      (err: unknown) => {
        page.encodings.delete(encoding);
        throw err;
      },
    );
    page.encodings.set(encoding, copy);
    return copy;
  }

  /** Something readers see changed (a comment, an import, a moderation): every older answer is stale. */
  changed(): void {
    this.changedAt = this.now();
  }

  /**
   * A vote changed a paper's count: its own pages are dropped at once; answers showing it, ranking
   * its feed days or ranking by votes (and those that declare nothing) once they are `minFreshMs` old.
   */
  voted(v: VoteChange): void {
    const now = this.now();
    this.votedAt = now;
    this.depVotedAt.set(paperDep(v.paperId), now);
    for (const d of v.days) this.depVotedAt.set(dayDep(d), now);
    if (this.depVotedAt.size > MAX_VOTE_MARKS) {
      for (const [k, t] of this.depVotedAt) if (now - t >= this.opts.ttlMs) this.depVotedAt.delete(k);
    }
    for (const [k, e] of this.entries) {
      const path = k.split('\n', 1)[0];
      if (path === v.paperPath || path.startsWith(v.paperPath + '/') || path.startsWith(v.paperPath + '.') || path.startsWith(v.paperPath + '?')) this.drop(k, e);
    }
  }

  /** Whether a vote this answer depends on came at or after its rendering began. */
  private votedSince(e: CachedPage): boolean {
    if (!e.deps) return e.storedAt <= this.votedAt;
    for (const d of e.deps) {
      const t = d === VOTES_DEP ? this.votedAt : this.depVotedAt.get(d);
      if (t !== undefined && e.storedAt <= t) return true;
    }
    return false;
  }

  /** Drops the least recently used answers while the cache holds more than `maxBytes`. */
  private evict(): void {
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.opts.maxBytes) break;
      this.drop(k, e);
      this.stats.evicted++;
    }
  }

  private drop(key: string, e: CachedPage): void {
    this.entries.delete(key);
    this.bytes -= e.body.byteLength + e.encodedBytes;
  }
}

/** Past this many papers and days voted on, marks older than the time to live are swept. */
const MAX_VOTE_MARKS = 10_000;
