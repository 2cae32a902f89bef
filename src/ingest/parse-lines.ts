import type { Readable } from 'node:stream';
import type { Paper } from '../domain/paper.ts';
import { paperToRow, type PaperWriteRow } from '../store/mappers.ts';
import { PackedRowsBuilder, type PaperRows } from '../store/packed-rows.ts';
import { readLines } from './lines.ts';
import { FORMATS, LineError, detectFormat, type FormatName, type ImportRecord } from './formats/index.ts';

export interface ParseOptions {
  format: FormatName | null;
  source: string;
  feedDay?: string;
  /** The import's timestamp, written as the rows' created/modified time until the writer stamps its own. */
  now: string;
  /** Pack each batch's rows as COPY text (`packRows`), for a store that takes them so (`wantsPackedRows`). */
  pack?: boolean;
}

export interface ParsedLine {
  n: number;
  /** The row to write and the feed day it goes on (the paper itself stays in the parser's thread). */
  record?: { row: PaperWriteRow; feedDay: ImportRecord['feedDay'] };
  error?: string;
}

/** One JSON line parsed into the paper to store and its feed day, or a reason a person can act on. */
type ParsedPaper = { n: number; paper: Paper; feedDay: ImportRecord['feedDay']; error?: undefined } | { n: number; error: string };

/** Parses one JSON line into a paper, or a reason a person can act on. Pure: runs in worker threads too. */
export function parseLine(n: number, text: string, opts: ParseOptions): ParsedLine {
  const p = parsePaperLine(n, text, opts);
  if (p.error !== undefined) return p;
  return { n, record: { row: paperToRow(p.paper, opts.now), feedDay: p.feedDay } };
}

/**
 * Whether every string JSON.parse makes of `text` is ASCII with no whitespace but the plain space
 * and the newline, given that the line's bytes are ASCII: a string of the line can then hold other
 * whitespace only through an escape (a tab, CR or form feed as \t, \r, \f, anything as \uXXXX;
 * JSON has no other way to write them, and no raw control character inside a string). The walk
 * goes from escape to escape (a backslash and the character after it), so LaTeX's escaped
 * backslash before a t (\\tau) is not taken for a tab. 85 % of the listings' lines are plain.
 */
export function plainJsonLine(text: string, ascii: boolean): boolean {
  if (!ascii) return false;
  for (let i = text.indexOf('\\'); i !== -1; i = text.indexOf('\\', i + 2)) {
    const c = text.charCodeAt(i + 1);
    if (c === 0x74 /* t */ || c === 0x72 /* r */ || c === 0x66 /* f */ || c === 0x75 /* u */) return false;
  }
  return true;
}

/**
 * `parseLine` up to the paper: a packing parse worker packs the paper itself (`PackedRowsBuilder.addPaper`).
 * `ascii`: the line's bytes are all ASCII (`Line.ascii`).
 */
function parsePaperLine(n: number, text: string, opts: ParseOptions, ascii = false): ParsedPaper {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    return { n, error: `bad JSON: ${(err as Error).message}` };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { n, error: 'not a JSON object' };
  const format = opts.format ? FORMATS[opts.format] : detectFormat(obj as Record<string, unknown>);
  if (!format) return { n, error: 'unknown format: expected a listing, snapshot or generic paper (use --format)' };
  try {
    const parsed = format.parse(obj as Record<string, unknown>, { source: opts.source, plainText: plainJsonLine(text, ascii) });
    if (opts.feedDay) parsed.feedDay = opts.feedDay;
    const problem = unstorable(parsed.paper, text);
    if (problem) return { n, error: problem };
    return { n, paper: parsed.paper, feedDay: parsed.feedDay };
  } catch (err) {
    if (!(err instanceof LineError)) throw err;
    return { n, error: err.message };
  }
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * Why a row cannot be stored as it is, or null. PostgreSQL refuses a NUL character in text and an
 * integer past 32 bits, and fails the whole batch's transaction with it; SQLite would keep both.
 * Both stores refuse the line instead, so an import keeps every other line and says which failed.
 * `line`: the JSON text the paper was parsed from, if it was.
 */
export function unstorable(paper: Paper, line?: string): string | null {
  // JSON makes a NUL character only from the escape \u0000: a paper parsed from a line without one
  // holds none, and the walk over every field (a sixth of a parse worker's time) is left out.
  const nul = line !== undefined && !line.includes('\\u0000') ? null : fieldWithNul(paper);
  if (nul) return `${nul} contains a NUL character (U+0000), which cannot be stored`;
  const v = paper.version;
  if (v !== null && !(Number.isSafeInteger(v) && v >= 0 && v <= INT32_MAX)) return `version ${v} is out of range`;
  return null;
}

/** The first field (lists and links included) holding a NUL character. */
function fieldWithNul(value: unknown, name = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? name : null;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = fieldWithNul(v, Array.isArray(value) ? name : name ? `${name}.${k}` : k);
      if (found) return found;
    }
  }
  return null;
}

/** The format of a file, from its first line that is a JSON object of a known shape. */
export function detectLineFormat(text: string): FormatName | null {
  try {
    const obj = JSON.parse(text);
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return null;
    return detectFormat(obj)?.name ?? null;
  } catch {
    return null;
  }
}

/** One batch of an input's lines, parsed: the good lines' rows, the bad lines' reasons, how many lines it read, and the bytes read so far. */
export interface ParsedBatch {
  /** The good lines' rows, in line order: objects, or packed where `ParseOptions.pack` asked. */
  rows: PaperRows;
  /** Each good line's feed day (null: none), in the same order. */
  feedDays: (string | null)[];
  /** The lines that cannot be stored, with the reason. */
  failed: { n: number; error: string }[];
  read: number;
  bytes: number;
}

/** A batch being filled: each line is parsed and its row packed (or kept) as it is read. */
class BatchBuilder {
  private readonly objects: PaperWriteRow[] = [];
  private readonly packed: PackedRowsBuilder | null;
  private readonly feedDays: (string | null)[] = [];
  private readonly failed: { n: number; error: string }[] = [];
  read = 0;

  constructor(
    pack: boolean,
    size: number,
    private readonly handOver: boolean,
  ) {
    this.packed = pack ? new PackedRowsBuilder(size) : null;
  }

  add(n: number, text: string, opts: ParseOptions, ascii: boolean): void {
    this.read++;
    const p = parsePaperLine(n, text, opts, ascii);
    if (p.error !== undefined) {
      this.failed.push({ n, error: p.error });
      return;
    }
    if (this.packed) this.packed.addPaper(p.paper, opts.now);
    else this.objects.push(paperToRow(p.paper, opts.now));
    this.feedDays.push(p.feedDay);
  }

  finish(bytes: number): ParsedBatch {
    return { rows: this.packed ? this.packed.finish(this.handOver) : this.objects, feedDays: this.feedDays, failed: this.failed, read: this.read, bytes };
  }
}

/**
 * An input's non-blank lines, parsed `batchSize` at a time (the first batch `firstBatchSize`), in order: the importer's own thread and
 * its parse workers read inputs this one way. The first line of a known shape fixes the format for
 * the rest of the input (unless `opts.format` is given). `handOver`: packed rows come in the
 * packing thread's scratch buffer itself, for a caller that gives it back (`PackedRowsBuilder.finish`).
 */
export async function* parsedBatches(input: Readable | AsyncIterable<Buffer>, opts: ParseOptions, batchSize: number, handOver = false, firstBatchSize = batchSize): AsyncGenerator<ParsedBatch> {
  const parseOpts = { ...opts };
  let size = firstBatchSize;
  const batch = () => new BatchBuilder(Boolean(opts.pack), size, handOver);
  let current = batch();
  let bytes = 0;
  for await (const line of readLines(input)) {
    bytes = line.bytes;
    if (line.text.trim() === '') continue;
    parseOpts.format ??= detectLineFormat(line.text);
    // Parsed at once, not held until the batch is full: a line and its objects die young.
    current.add(line.n, line.text, parseOpts, line.ascii);
    if (current.read >= size) {
      yield current.finish(bytes);
      size = batchSize;
      current = batch();
    }
  }
  if (current.read) yield current.finish(bytes);
}
