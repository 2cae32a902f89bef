import { nextSlice } from '../slices.ts';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { IndexVersion } from '../store/search-index-files.ts';
import { IndexFileError, readIndexFileHead, type IndexFileProblem } from './index-file.ts';

/**
 * How a published index file reaches every server — the keyword index, the For-you features and
 * (on PostgreSQL) each embedding space's ANN graph alike, each a `PublishedIndex` with its own
 * codec (what the file holds) and name:
 *
 * - the version row (`search_index_versions`, in the store) is always the source of truth: which
 *   version is current, its SHA-256, length and format, and the store position it was built at.
 *   Every server polls it, so a new version is picked up without a restart;
 * - the bytes are a file in `dir` (`<prefix>-v<N>-<checksum>.pbidx`). With `via: 'dir'` that
 *   directory is shared (a SQLite deployment: every process is on the machine that has the
 *   database file); with `via: 'store'` the publisher also copies the file into the store in 4 MB
 *   chunks (`search_index_chunks`) and each server downloads a version it does not have into its
 *   own `dir`, which then is only a local cache — servers on PostgreSQL need no shared disk.
 *
 * A file that does not match its version row (missing, truncated, another checksum, an old
 * format) is fetched again from the store when it is there, else reported: the owner rebuilds and
 * publishes a new version, and never serves what it read.
 */
const CHUNK = 4 << 20;

/**
 * How long a publishing lease lasts without renewal (`store.leases.hold` renews it while the build
 * and the copy run): a server killed mid-build holds up the next publisher for at most this long.
 */
export const PUBLISH_LEASE_MS = 2 * 60_000;

export interface PublishedIndexOptions {
  dir: string;
  via: 'dir' | 'store';
  logger?: Logger;
}

/** What one kind of index file holds, and how it is written and read. */
export interface IndexCodec<T> {
  /** The version rows' name (`keyword`, `for-you`, `ann:<embedder>`). */
  name: string;
  /** The files' name prefix, safe in a file name; `<name>-index` when not given. */
  filePrefix?: string;
  /** The layout version of this kind: a published version or a file of another is rebuilt. */
  format: number;
  write(file: string, snap: T): Promise<{ bytes: number; checksum: string }>;
  /** Reads and verifies a file; an `IndexFileError` when it cannot be served. */
  read(file: string, expect: { checksum?: string; bytes?: number }): Promise<T>;
  /** What the version row records of a snapshot: how many papers, and where in the store it was built to. */
  describe(snap: T): { papers: number; cursor: { modifiedAt: string; id: string }; papersMark?: string | null };
}

export class PublishedIndex<T> {
  constructor(
    private readonly store: Store,
    readonly opts: PublishedIndexOptions,
    readonly codec: IndexCodec<T>,
  ) {}

  get name(): string {
    return this.codec.name;
  }

  private get prefix(): string {
    return this.codec.filePrefix ?? `${this.name}-index`;
  }

  /**
   * The local file of a version. Its checksum is in the name: two databases whose servers share a
   * directory by mistake (or test runs) never take each other's version 1 for their own.
   */
  fileFor(v: { version: number; checksum: string }): string {
    return path.join(this.opts.dir, `${this.prefix}-v${v.version}-${v.checksum.slice(0, 16)}.pbidx`);
  }

  latest(): Promise<IndexVersion | null> {
    return this.store.searchIndexFiles.latest(this.name);
  }

  /** Whether the local file of a version is there with the published length and checksum in its head. */
  async headMatches(v: IndexVersion): Promise<boolean> {
    try {
      const head = readIndexFileHead(this.fileFor(v), this.codec.format);
      return head.bytes === v.bytes && head.checksum === v.checksum;
    } catch (err) {
      if (err instanceof IndexFileError) return false;
      throw err;
    }
  }

  /**
   * The newest published version, opened, and checked by `check` too (a setting it must have been
   * built with: throw an `IndexFileError`); null when nothing is published, `rejected` (logged)
   * when it cannot be served — the caller rebuilds and never serves it.
   */
  async openLatest(check?: (snap: T) => void): Promise<{ snap: T; version: number; papersMark: string | null } | { rejected: IndexFileProblem } | null> {
    const latest = await this.latest();
    if (!latest) return null;
    try {
      const snap = await this.open(latest);
      check?.(snap);
      return { snap, version: latest.version, papersMark: latest.papersMark ?? null };
    } catch (err) {
      if (!(err instanceof IndexFileError)) {
        // Not a file to rebuild (a reader's failure): the caller retries; say which file and why,
        // or a server that never gets ready only logs that its catch-up failed (round 19, 2.5M).
        this.opts.logger?.error({ version: latest.version, bytes: latest.bytes, file: this.fileFor(latest), err: (err as Error).message }, `could not read the published ${this.name} index`);
        throw err;
      }
      this.opts.logger?.warn({ version: latest.version, problem: err.problem, err: err.message }, `the published ${this.name} index cannot be served: rebuilding it`);
      return { rejected: err.problem };
    }
  }

  /** Opens a published version; an `IndexFileError` when it cannot be served. */
  async open(v: IndexVersion): Promise<T> {
    if (v.format !== this.codec.format) throw new IndexFileError('version', `published ${this.name} index v${v.version} has format ${v.format}, this Paperboy reads format ${this.codec.format}`);
    const file = this.fileFor(v);
    const expect = { checksum: v.checksum, bytes: v.bytes };
    try {
      return await this.codec.read(file, expect);
    } catch (err) {
      if (!(err instanceof IndexFileError) || !v.stored) throw err;
      if (err.problem !== 'missing') this.opts.logger?.warn({ file, problem: err.problem }, `local copy of the ${this.name} index is unusable; fetching it again from the store`);
    }
    await this.download(v, file);
    return this.codec.read(file, expect);
  }

  /** Copies a stored version's chunks into `file` (atomically), checking length and checksum on the way. */
  private async download(v: IndexVersion, file: string): Promise<void> {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.download-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const fh = await fs.promises.open(tmp, 'w');
    let ok = false;
    try {
      const hash = createHash('sha256');
      let pos = 0;
      for (let seq = 0; ; seq++) {
        const data = await this.store.searchIndexFiles.chunk(this.name, v.version, seq);
        if (!data) break;
        const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        // The checksum covers the file after its 64-byte fixed header; hashed 1 MB at a time with
        // the event loop handed back between (a 4 MB chunk is up to 10 ms of CPU on a loaded machine).
        for (let at = Math.max(0, 64 - pos); at < buf.length; at += 1 << 20) {
          hash.update(buf.subarray(at, Math.min(buf.length, at + (1 << 20))));
          await nextSlice();
        }
        await fh.write(buf, 0, buf.length, pos);
        pos += buf.length;
      }
      if (pos !== v.bytes) throw new IndexFileError('truncated', `the store holds ${pos} bytes of ${this.name} index v${v.version}, its version row says ${v.bytes}`);
      if (hash.digest('hex') !== v.checksum) throw new IndexFileError('checksum', `the stored bytes of ${this.name} index v${v.version} do not match its checksum`);
      await fh.sync();
      ok = true;
    } finally {
      await fh.close();
      if (ok) await fs.promises.rename(tmp, file);
      else await fs.promises.rm(tmp, { force: true });
    }
  }

  /**
   * Writes a snapshot as the next version: the file, its chunks in the store (`via: 'store'`),
   * then the version row that makes it current; older versions but the previous one are dropped.
   * The caller holds the publishing lease.
   */
  async publish(snap: T): Promise<IndexVersion> {
    const files = this.store.searchIndexFiles;
    const version = await files.nextVersion(this.name);
    const writing = path.join(this.opts.dir, `${this.prefix}-v${version}.writing-${process.pid}`);
    const { bytes, checksum } = await this.codec.write(writing, snap);
    const file = this.fileFor({ version, checksum });
    await fs.promises.rename(writing, file);
    const stored = this.opts.via === 'store';
    try {
      if (stored) {
        const fh = await fs.promises.open(file, 'r');
        try {
          const buf = Buffer.alloc(CHUNK);
          for (let seq = 0, pos = 0; pos < bytes; seq++) {
            const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
            if (!bytesRead) throw new Error(`${file} ended at ${pos} of ${bytes} bytes`);
            await files.putChunk(this.name, version, seq, buf.subarray(0, bytesRead));
            pos += bytesRead;
          }
        } finally {
          await fh.close();
        }
      }
      const v: IndexVersion = { name: this.name, version, format: this.codec.format, checksum, bytes, ...this.codec.describe(snap), stored, publishedAt: new Date().toISOString() };
      await files.publish(v, v.publishedAt);
      await this.dropBefore(version - 1);
      return v;
    } catch (err) {
      await files.dropChunks(this.name, version).catch(() => {});
      await fs.promises.rm(file, { force: true });
      throw err;
    }
  }

  /** Drops the versions older than `keepFrom`: rows, bytes in the store and files in `dir`. */
  async dropBefore(keepFrom: number): Promise<void> {
    await this.store.searchIndexFiles.prune(this.name, keepFrom);
    await this.removeFilesBefore(keepFrom);
  }

  /**
   * Drops this index altogether: every version row, its bytes in the store and the files in `dir`
   * (an index no server is to load again: an ANN index of a replaced model).
   */
  async dropAll(): Promise<void> {
    await this.store.searchIndexFiles.dropAll(this.name);
    await this.removeFilesBefore(Number.POSITIVE_INFINITY);
  }

  /** Local files of versions older than `keepFrom` (a server still reading one has it in memory already). */
  private async removeFilesBefore(keepFrom: number): Promise<void> {
    const re = new RegExp(`^${this.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-v(\\d+)-[0-9a-f]+\\.pbidx$`);
    for (const name of await fs.promises.readdir(this.opts.dir).catch(() => [] as string[])) {
      const m = re.exec(name);
      if (m && Number(m[1]) < keepFrom) await fs.promises.rm(path.join(this.opts.dir, name), { force: true });
    }
  }
}
