import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Store } from '../store/store.ts';
import type { FormatName } from './formats/index.ts';
import { isDay } from './formats/fields.ts';
import { parsedBatches, type ParsedBatch, type ParseOptions } from './parse-lines.ts';
import { ParsePool } from './parse-pool.ts';
import { rowCount, rowIds } from '../store/packed-rows.ts';

export interface ImportOptions {
  format?: FormatName;
  /** Source name for generic papers (`NAME:id`). */
  source?: string;
  /** Puts every imported paper on this day's feed (the demo set uses it). */
  feedDay?: string;
  /** Records per transaction. */
  batchSize?: number;
  onLineError?: (err: ImportLineError) => void;
  /** Called with bytes read so far, after each batch. */
  onProgress?: (bytesRead: number) => void;
}

export interface ImportSummary {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  failed: number;
  addedToFeed: number;
  /** The first failures, as `file:line: reason`. */
  errors: string[];
}

export interface ImportLineError {
  file: string;
  line: number;
  reason: string;
}

const MAX_KEPT_ERRORS = 1000;
/** Records per transaction, by default. */
const BATCH = 1000;
/**
 * The same where rows go by COPY (PostgreSQL): each transaction costs about eight round trips
 * whatever its size, and on a loaded machine every round trip waits for the scheduler twice.
 */
const PACKED_BATCH = 5000;
/**
 * The first batch of an import's first file, where rows go by COPY: until it is parsed the
 * server has nothing to do, and a whole batch (a listing file's 2,000 papers, or 5,000) is
 * parsed by a worker that has only just started, its code not yet compiled. A small one starts
 * the server's COPYs while the worker parses the rest (bench/import, round 26).
 */
const FIRST_PACKED_BATCH = 500;
const SOURCE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** A file whose parse was asked for: its batches and the first one's promise. */
interface StartedFile {
  batches: AsyncGenerator<ParsedBatch>;
  first: Promise<IteratorResult<ParsedBatch>>;
}

export function emptySummary(): ImportSummary {
  return { read: 0, inserted: 0, updated: 0, unchanged: 0, failed: 0, addedToFeed: 0, errors: [] };
}

/**
 * Parse workers an import uses: the number asked for, except where rows go to PostgreSQL by COPY
 * (`copies`) on a machine of fewer than four cores, where one. There the server's own process
 * needs most of a core for the COPYs, and a second worker thread did the same parsing for about a
 * second more CPU per 75,000 papers (4.6-5.2 s against 3.9-4.1 s of the import's, bench/import):
 * each worker compiles the parsing code for itself, and starts and collects its garbage on its
 * own — on two cores, CPU taken from the server and the writing thread.
 */
export function parseWorkersFor(asked: number, copies: boolean, cores = os.availableParallelism()): number {
  return asked > 1 && copies && cores < 4 ? 1 : asked;
}

/** Files an import argument names: a file, every `.jsonl`/`.json` file in a directory (sorted), or `-` for stdin. */
export function importInputs(arg: string): string[] {
  if (arg === '-') return ['-'];
  const stat = fs.statSync(arg);
  if (!stat.isDirectory()) return [arg];
  return fs
    .readdirSync(arg)
    .filter((f) => /\.(jsonl|ndjson|json)$/i.test(f))
    .sort()
    .map((f) => path.join(arg, f));
}

/**
 * Streams JSON Lines into the store with idempotent upserts, one transaction per batch. A bad line
 * is reported and skipped; every good line is kept. Memory stays constant whatever the file size:
 * at most a few batches are read ahead.
 */
export class Importer {
  private pool: ParsePool | null = null;

  /** `workers`: threads that read and parse files while the main thread writes (0 parses inline, best for small inputs); call `close()` after. */
  constructor(
    private readonly store: Store,
    private readonly opts: { workers?: number } = {},
  ) {}

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }

  async importFile(file: string, opts: ImportOptions = {}, summary = emptySummary()): Promise<ImportSummary> {
    return this.importFiles([file], opts, summary);
  }

  /**
   * Imports files in order (`-` is stdin). With worker threads, a worker reads and parses each file
   * while this thread only writes, and with two or more the next file is parsed while this one is
   * written. `onFileDone` is called after each file.
   */
  async importFiles(files: string[], opts: ImportOptions = {}, summary = emptySummary(), onFileDone?: (file: string) => void): Promise<ImportSummary> {
    // The first file's parse starts before the store prepares the bulk import, not after: the
    // parse reads no stored row, and the two take about as long (a first PostgreSQL import sets
    // its indexes aside in one transaction while the worker starts and parses its first batch),
    // so the writer's first batch no longer waits for both one after the other (bench/import,
    // round 26). Nothing is written before the preparation is done.
    const first = files.length ? this.startFile(files[0], opts, true) : null;
    let handedOver = false;
    try {
      return await this.store.papers.duringBulkImport(() => {
        handedOver = true;
        return this.importFilesInOrder(files, opts, summary, onFileDone, first);
      });
    } finally {
      // The preparation failed: the parse started for nothing is stopped.
      if (!handedOver) await first?.batches.return(undefined);
    }
  }

  private parseWorkers(): number {
    return parseWorkersFor(this.opts.workers ?? 0, this.store.papers.wantsPackedRows());
  }

  /** A file's parsed batches, already asked for (on a worker, that starts it on the file); null where this thread parses it. */
  private startFile(file: string, opts: ImportOptions, importsFirst = false): StartedFile | null {
    const batches = file === '-' || !this.parseWorkers() ? null : this.workerBatches(file, opts, importsFirst);
    const first = batches?.next();
    // Awaited when the file's turn comes; until then a failure must not count as unhandled.
    first?.catch(() => {});
    return batches && first ? { batches, first } : null;
  }

  private async importFilesInOrder(files: string[], opts: ImportOptions, summary: ImportSummary, onFileDone: ((file: string) => void) | undefined, first: StartedFile | null): Promise<ImportSummary> {
    const workers = this.parseWorkers();
    const start = (file: string) => this.startFile(file, opts);
    // Started by `importFiles` already, unless this thread parses it (stdin, no workers).
    let next = first ?? (files.length ? start(files[0]) : null);
    try {
      for (let i = 0; i < files.length; i++) {
        const file = files[i];
        const current = next;
        // The next file is parsed while this one is written, by another worker or by the same one
        // (a worker given two files parses them side by side): with one worker and no look-ahead,
        // the writer waited for each file's parse and the worker for each file's write. A single
        // worker is given the next file only once this one's first batch is out: given both at
        // the start, it parsed them side by side and the first batch, the writer's first work,
        // came only after two files' parsing (bench/import, round 24).
        if (workers === 1) await current?.first.catch(() => {});
        next = i + 1 < files.length ? start(files[i + 1]) : null;
        if (current) await this.writeAll(current.batches, current.first, file, opts, summary);
        else {
          const input = file === '-' ? process.stdin : fs.createReadStream(file, { highWaterMark: 1 << 20 });
          await this.importStream(input, file === '-' ? '<stdin>' : file, opts, summary);
        }
        if (i + 1 < files.length && !next) next = start(files[i + 1]);
        onFileDone?.(file);
      }
    } finally {
      // Stops a file parsed ahead when an earlier one failed.
      await next?.batches.return(undefined);
    }
    return summary;
  }

  /** Parses on this thread: for stdin, other streams and small files. */
  async importStream(input: Readable, name: string, opts: ImportOptions = {}, summary = emptySummary()): Promise<ImportSummary> {
    const { parseOpts, batchSize } = this.prepare(opts);
    const batches = parsedBatches(input, parseOpts, batchSize);
    await this.writeAll(batches, batches.next(), name, opts, summary);
    return summary;
  }

  /** `importsFirst`: the import's first file, whose first batch is small where rows go by COPY (`FIRST_PACKED_BATCH`). */
  private workerBatches(file: string, opts: ImportOptions, importsFirst = false): AsyncGenerator<ParsedBatch> {
    const { parseOpts, batchSize } = this.prepare(opts);
    this.pool ??= new ParsePool(this.parseWorkers());
    const first = importsFirst && parseOpts.pack && opts.batchSize === undefined ? Math.min(FIRST_PACKED_BATCH, batchSize) : batchSize;
    return this.pool.parseFile(file, parseOpts, batchSize, first);
  }

  /** Writes every batch, in order, each in its own transaction; bad lines are reported as they come. */
  private async writeAll(batches: AsyncGenerator<ParsedBatch>, first: Promise<IteratorResult<ParsedBatch>>, name: string, opts: ImportOptions, summary: ImportSummary): Promise<void> {
    for (let r = await first; !r.done; r = await batches.next()) {
      summary.read += r.value.read;
      await this.write(r.value, name, opts, summary);
      opts.onProgress?.(r.value.bytes);
    }
  }

  private prepare(opts: ImportOptions): { parseOpts: ParseOptions; batchSize: number } {
    const source = opts.source ?? 'local';
    if (!SOURCE_NAME.test(source) || source === 'arxiv') throw new Error(`bad source name ${JSON.stringify(source)}: lower-case letters, digits, - and _, not "arxiv"`);
    if (opts.feedDay !== undefined && !isDay(opts.feedDay)) throw new Error(`bad feed day ${JSON.stringify(opts.feedDay)}: use YYYY-MM-DD`);
    const now = new Date().toISOString();
    // Where the store takes rows packed as COPY text, the parse step packs them (in the workers).
    const pack = this.store.papers.wantsPackedRows();
    return { parseOpts: { format: opts.format ?? null, source, feedDay: opts.feedDay, now, pack }, batchSize: opts.batchSize ?? (pack ? PACKED_BATCH : BATCH) };
  }

  /** Writes a parsed batch's good lines in one transaction and reports its bad ones. */
  private async write(batch: ParsedBatch, name: string, opts: ImportOptions, summary: ImportSummary): Promise<void> {
    for (const f of batch.failed) this.fail(summary, opts, name, f.n, f.error);
    if (rowCount(batch.rows)) await this.writeBatch(batch, summary);
  }

  private fail(summary: ImportSummary, opts: ImportOptions, file: string, line: number, reason: string) {
    summary.failed++;
    if (summary.errors.length < MAX_KEPT_ERRORS) summary.errors.push(`${file}:${line}: ${reason}`);
    opts.onLineError?.({ file, line, reason });
  }

  private async writeBatch(batch: ParsedBatch, summary: ImportSummary): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.papers.relaxCommitForBulkLoad();
      // Stamped now, when written, not when parsed: see `upsertRows`.
      const now = new Date().toISOString();
      const outcomes = await tx.papers.upsertRows(batch.rows, now);
      for (const o of outcomes) summary[o]++;
      const ids = rowIds(batch.rows);
      const feed = batch.feedDays.flatMap((day, i) => (day ? [{ paperId: ids[i], day, isNew: outcomes[i] === 'inserted' }] : []));
      summary.addedToFeed += await tx.feed.addMany(feed, now);
    });
  }
}
