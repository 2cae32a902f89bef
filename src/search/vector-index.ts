import fs from 'node:fs';
import { createHash } from 'node:crypto';
import usearch from 'usearch';
import { VectorIndexThread } from './vector-index-thread.ts';

const { MetricKind, ScalarKind } = usearch;

/** The ANN key of a paper: 52 bits of a hash of its id, stable across processes and embedders. */
export function vectorKey(paperId: string): number {
  const h = createHash('sha1').update(paperId).digest();
  return h.readUIntBE(0, 6) * 16 + (h[6] >> 4);
}

/** What a saved index was built from: compared with the store to tell whether it is stale. */
export interface VectorIndexMeta {
  embedderId: string;
  dimensions: number;
  count: number;
  /** The newest `embedded_at` among the vectors it holds. */
  newest: string | null;
  /** How the graph stores vectors (`LAYOUT`); a file of another layout is not loaded. */
  layout?: string;
}

const LAYOUT = 'hnsw-f16-m16';

export interface VectorMatch {
  key: number;
  /** Cosine similarity, 1 is identical. */
  similarity: number;
}

/**
 * An approximate-nearest-neighbour index (usearch HNSW, cosine) over unit vectors, optionally
 * persisted as `<file>` plus `<file>.json` (its meta). The store keeps the vectors; this index is
 * only ever a cache that can be rebuilt from them. The graph lives in a thread of its own
 * (`VectorIndexThread`): loading a saved one (`load`, `loadFrom`) is awaited there while the
 * request thread serves — usearch's native load held it 209–243 ms of CPU at 75k × 256 (issue 19).
 */
export class VectorIndex {
  private readonly thread: VectorIndexThread;
  private count = 0;
  meta: VectorIndexMeta;

  constructor(
    embedderId: string,
    readonly dimensions: number,
    private readonly file?: string,
  ) {
    this.thread = new VectorIndexThread(this, VectorIndex.options(dimensions));
    this.meta = { embedderId, dimensions, count: 0, newest: null, layout: LAYOUT };
  }

  /**
   * Half-precision vectors and a narrower search while inserting: over the 74,728-paper corpus
   * (BENCHMARKS "Reindex", round 14) an insert cost 560 µs of CPU at f32 and expansion 128, 316 µs
   * at f32 and 64, 192 µs at f16 and 64, for recall@10 0.995 against 0.999 (exact top 10 as truth).
   * Round 17 (same run): expansion_add 32 builds the graph in 7.1 s of CPU against 12.8 s at 64, for
   * recall@10 0.984 against 0.993 when searching 10, and 0.992 against 0.997 searching the 100
   * candidates served search asks for; served held-out MRR@10 stayed 0.513. Inserting was the
   * largest part of a reindex. The width is not stored in the file, so an index built at 64 loads.
   */
  static options(dimensions: number) {
    return { dimensions, metric: MetricKind.Cos, quantization: ScalarKind.F16, connectivity: 16, expansion_add: 32, expansion_search: 64, multi: false };
  }

  /**
   * Loads the saved index when its meta names the same embedder; false when there is none to load.
   * The graph is read in the index's thread; until this resolves the index must not be used.
   */
  async load(): Promise<boolean> {
    if (!this.file || !fs.existsSync(this.file) || !fs.existsSync(`${this.file}.json`)) return false;
    try {
      const meta = JSON.parse(fs.readFileSync(`${this.file}.json`, 'utf8')) as VectorIndexMeta;
      // An index saved in another layout (or by a version that did not record one) is rebuilt from the stored vectors, not loaded.
      if (!this.fits(meta)) return false;
      this.count = (await this.thread.load(this.file)).size;
      this.meta = meta;
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves once the graph's thread runs: a synchronous call before it waits for the thread to start. */
  get started(): Promise<void> {
    return this.thread.started;
  }

  /** Whether a saved graph's meta is this index's embedder, dimension and layout (else it is rebuilt, never loaded). */
  private fits(meta: VectorIndexMeta): boolean {
    return meta.embedderId === this.meta.embedderId && meta.dimensions === this.dimensions && meta.layout === LAYOUT;
  }

  /**
   * Writes the graph (usearch's own format) to `file` in the graph's thread, for `PublishedAnnIndex`;
   * resolves with the meta of the graph as written (vectors may be added once it is).
   */
  saveTo(file: string): Promise<VectorIndexMeta> {
    return this.afterSaves(async () => {
      const meta = { ...this.meta, count: this.size };
      await this.thread.save(file);
      return meta;
    });
  }

  /**
   * Loads a graph written by `saveTo` with the meta it was published with; false (nothing changed)
   * when that meta names another embedder, dimension or layout.
   */
  async loadFrom(file: string, meta: VectorIndexMeta): Promise<boolean> {
    if (!this.fits(meta)) return false;
    // The thread keeps the graph it had when the loaded one holds another count of vectors.
    const loaded = await this.thread.load(file, meta.count);
    if (!loaded.kept) return false;
    this.count = loaded.size;
    this.meta = { ...meta };
    return true;
  }

  /**
   * Saves the graph beside its meta (`<file>`, `<file>.json`). The graph's thread writes the file
   * (into a temporary name, renamed once complete) while the request thread serves: the write of an
   * embedding run's save held every request of a serving process before. Searches and inserts wait
   * for it through `idle` (`SearchIndexService.vectorIndex`), not on the request thread.
   */
  async save(): Promise<void> {
    const file = this.file;
    if (!file) return;
    await this.afterSaves(async () => {
      // The meta of the graph as written: the thread answers in order, so a vector added after this
      // call is not in the file.
      const meta = JSON.stringify(this.meta);
      const tmp = `${file}.tmp-${process.pid}`;
      await this.thread.save(tmp);
      await fs.promises.rename(tmp, file);
      await fs.promises.writeFile(`${file}.json`, meta);
    });
  }

  /** Saves one after the other (a temporary file each, one name). */
  private saveChain: Promise<unknown> = Promise.resolve();
  private savesUnderWay = 0;

  private afterSaves<T>(write: () => Promise<T>): Promise<T> {
    this.savesUnderWay++;
    const run = this.saveChain.then(write, write).finally(() => this.savesUnderWay--);
    this.saveChain = run.catch(() => undefined);
    return run;
  }

  /** Whether a save of the graph is under way (queued or being written). */
  get saving(): boolean {
    return this.savesUnderWay > 0;
  }

  /**
   * Resolves once no save of the graph is under way. A search or an insert made during one is
   * answered only after the write (the thread answers in order), the request thread waiting for it:
   * callers on the request path wait here instead.
   */
  async idle(): Promise<void> {
    while (this.savesUnderWay > 0) await this.saveChain;
  }

  clear(): void {
    this.count = this.thread.call<number>({ op: 'clear' });
    this.meta = { ...this.meta, count: 0, newest: null };
  }

  get size(): number {
    return this.count;
  }

  /** Adds vectors, replacing any already under the same key. */
  upsert(items: { key: number; vector: Float32Array }[], embeddedAt?: string): void {
    if (!items.length) return;
    const fresh: { key: number; vector: Float32Array }[] = [];
    const seen = new Set<number>();
    for (const it of items) {
      if (it.vector.length !== this.dimensions || seen.has(it.key)) continue;
      seen.add(it.key);
      fresh.push(it);
    }
    if (fresh.length) {
      const flat = new Float32Array(fresh.length * this.dimensions);
      fresh.forEach((it, i) => flat.set(it.vector, i * this.dimensions));
      // The thread replaces a key already in the graph (remove, then add), as usearch has no upsert.
      this.count = this.thread.call<number>({ op: 'upsert', keys: BigUint64Array.from(fresh.map((f) => BigInt(f.key))), vectors: flat });
    }
    this.meta.count = this.size;
    if (embeddedAt && (!this.meta.newest || embeddedAt > this.meta.newest)) this.meta.newest = embeddedAt;
  }

  search(vector: Float32Array, k: number): VectorMatch[] {
    if (!this.size || vector.length !== this.dimensions || k < 1) return [];
    return this.thread.call<VectorMatch[]>({ op: 'search', vector, k });
  }
}
