import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { Store } from '../store/store.ts';
import { FORMATS, LineError, detectFormat, type FormatName, type ImportFormat, type ImportRecord } from './formats/index.ts';
import { isDay } from './formats/fields.ts';

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
const SOURCE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export function emptySummary(): ImportSummary {
  return { read: 0, inserted: 0, updated: 0, unchanged: 0, failed: 0, addedToFeed: 0, errors: [] };
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
 * is reported and skipped; every good line is kept. Memory stays constant whatever the file size.
 */
export class Importer {
  constructor(private readonly store: Store) {}

  async importFile(file: string, opts: ImportOptions = {}, summary = emptySummary()): Promise<ImportSummary> {
    const input: Readable = file === '-' ? process.stdin : fs.createReadStream(file, { highWaterMark: 1 << 20 });
    return this.importStream(input, file === '-' ? '<stdin>' : file, opts, summary);
  }

  async importStream(input: Readable, name: string, opts: ImportOptions = {}, summary = emptySummary()): Promise<ImportSummary> {
    const source = opts.source ?? 'local';
    if (!SOURCE_NAME.test(source) || source === 'arxiv') throw new Error(`bad source name ${JSON.stringify(source)}: lower-case letters, digits, - and _, not "arxiv"`);
    if (opts.feedDay !== undefined && !isDay(opts.feedDay)) throw new Error(`bad feed day ${JSON.stringify(opts.feedDay)}: use YYYY-MM-DD`);
    const batchSize = opts.batchSize ?? 1000;
    let format: ImportFormat | null = opts.format ? FORMATS[opts.format] : null;
    let bytes = 0;
    let lineNo = 0;
    let batch: ImportRecord[] = [];
    const fail = (reason: string) => {
      summary.failed++;
      const err = { file: name, line: lineNo, reason };
      if (summary.errors.length < MAX_KEPT_ERRORS) summary.errors.push(`${name}:${lineNo}: ${reason}`);
      opts.onLineError?.(err);
    };
    const rl = readline.createInterface({ input, crlfDelay: Infinity });
    for await (const line of rl) {
      lineNo++;
      bytes += Buffer.byteLength(line) + 1;
      if (line.trim() === '') continue;
      summary.read++;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (err) {
        fail(`bad JSON: ${(err as Error).message}`);
        continue;
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        fail('not a JSON object');
        continue;
      }
      const record = obj as Record<string, unknown>;
      format ??= detectFormat(record);
      if (!format) {
        fail('unknown format: expected a listing, snapshot or generic paper (use --format)');
        continue;
      }
      try {
        const parsed = format.parse(record, { source });
        if (opts.feedDay) parsed.feedDay = opts.feedDay;
        batch.push(parsed);
      } catch (err) {
        if (!(err instanceof LineError)) throw err;
        fail(err.message);
        continue;
      }
      if (batch.length >= batchSize) {
        await this.writeBatch(batch, summary);
        batch = [];
        opts.onProgress?.(bytes);
      }
    }
    if (batch.length) await this.writeBatch(batch, summary);
    opts.onProgress?.(bytes);
    return summary;
  }

  private async writeBatch(batch: ImportRecord[], summary: ImportSummary): Promise<void> {
    const now = new Date().toISOString();
    await this.store.transaction(async (tx) => {
      const outcomes = await tx.papers.upsertMany(
        batch.map((r) => r.paper),
        now,
      );
      for (const o of outcomes) summary[o]++;
      const feed = batch.filter((r) => r.feedDay).map((r) => ({ paperId: r.paper.id, day: r.feedDay! }));
      summary.addedToFeed += await tx.feed.addMany(feed, now);
    });
  }
}
