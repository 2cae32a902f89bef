import type { PaperWriteRow } from './mappers.ts';

/**
 * Paper write rows packed for PostgreSQL's bulk path: every row's line in COPY's text format, in
 * one buffer, and beside it the three things the writer judges a row by before writing it.
 *
 * An import's parse workers pack their rows (src/ingest/parse-lines.ts), so the writing thread
 * receives one buffer a batch — moved between threads, not copied — instead of thousands of row
 * objects to deserialise, escape and encode: that was most of its CPU time on a first import
 * (bench/import). No database import here: the workers load this module.
 */
export interface PackedPaperRows {
  ids: string[];
  hashes: string[];
  versions: (number | null)[];
  /** The rows' COPY lines (`PACKED_COLUMNS`), one after the other. */
  text: Uint8Array;
  /** Where each row's line ends in `text` (exclusive); a row starts where the one before it ends. */
  ends: Uint32Array;
}

/** Rows for a paper write: objects, or packed (`packRows`) where the store asked for that. */
export type PaperRows = PaperWriteRow[] | PackedPaperRows;

/** The columns of a packed line, in order; the two timestamps come last so a writer can stamp them in place. */
export const PACKED_COLUMNS = [
  'id', 'source', 'version', 'title', 'abstract', 'authors', 'categories', 'primary_category', 'published_at', 'updated_at',
  'comment', 'journal_ref', 'doi', 'license', 'abs_url', 'pdf_url', 'code_urls', 'project_urls', 'deleted', 'content_hash',
  'created_at', 'modified_at',
] as const satisfies readonly (keyof PaperWriteRow)[];

/** An ISO 8601 timestamp as `Date.toISOString` writes it: the width the stamp is written over. */
const STAMP_BYTES = 24;
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const INTEGER_COLUMNS = new Set<string>(['version', 'deleted']);
/** Scratch buffers of this thread not in use by a builder (each builder takes one while it packs). */
const SCRATCH: Buffer[] = [];
const MAX_SPARE_SCRATCH = 2;
const MAX_FIRST_SCRATCH = 16 << 20;
const NO_BUFFER = Buffer.alloc(0);

export function rowCount(rows: PaperRows): number {
  return Array.isArray(rows) ? rows.length : rows.ids.length;
}

export function rowIds(rows: PaperRows): string[] {
  return Array.isArray(rows) ? rows.map((r) => r.id) : rows.ids;
}

/**
 * Packs rows one at a time as COPY text, straight into one buffer: a row object can be dropped as
 * soon as it is added, so a batch's rows never live long enough to burden the garbage collector
 * (and building a string per line, then joining them, made V8 copy every line once more).
 * A NUL character cannot be sent at all (PostgreSQL text never holds one): the importer refuses
 * such lines before they get here, and this throws rather than let the server fail the batch.
 *
 * Rows are packed into a scratch buffer the thread keeps (`SCRATCH`) and `finish` copies out
 * exactly the bytes used. A buffer sized for the batch and handed over whole was mostly empty (an
 * import file's batch is a third of the rows it was sized for), and every byte of it counted as
 * memory outside the receiving thread's heap: 10 MB a batch made the writing thread run a full
 * garbage collection about once a second (bench/import).
 */
export class PackedRowsBuilder {
  private buf: Buffer;
  private at = 0;
  private ids: string[] = [];
  private hashes: string[] = [];
  private versions: (number | null)[] = [];
  private ends: number[] = [];
  /** The last created/modified time found well formed (`add`). */
  private checkedStamp = '';

  /** `rows`: about how many rows will be added (the scratch buffer grows past it if need be). */
  constructor(rows = 64) {
    this.buf = SCRATCH.pop() ?? Buffer.allocUnsafeSlow(Math.min(MAX_FIRST_SCRATCH, Math.max(1 << 16, rows * 2048)));
  }

  get length(): number {
    return this.ids.length;
  }

  add(row: PaperWriteRow): void {
    // An import stamps every row of a batch alike: each distinct stamp is checked once.
    if (row.created_at !== this.checkedStamp || row.modified_at !== this.checkedStamp) {
      if (!STAMP.test(row.created_at) || !STAMP.test(row.modified_at)) throw new Error(`a packed row's timestamps must be ${STAMP_BYTES}-character ISO 8601`);
      if (row.created_at === row.modified_at) this.checkedStamp = row.created_at;
    }
    const last = PACKED_COLUMNS.length - 1;
    for (let c = 0; c <= last; c++) {
      const v = row[PACKED_COLUMNS[c]];
      const s = v === null ? '\\N' : typeof v === 'number' ? String(v) : escapeCopy(v);
      // UTF-8 takes at most three bytes per UTF-16 unit: room for the field and its separator.
      this.room(s.length * 3 + 1);
      this.at += this.buf.write(s, this.at, 'utf8');
      this.buf[this.at++] = c === last ? 0x0a : 0x09;
    }
    this.ids.push(row.id);
    this.hashes.push(row.content_hash);
    this.versions.push(row.version);
    this.ends.push(this.at);
  }

  /** The rows added so far, packed; the builder is left empty, to be used again or dropped. */
  finish(): PackedPaperRows {
    // Not from Node's shared pool: the buffer's memory is handed to another thread whole.
    const text = Buffer.allocUnsafeSlow(this.at);
    this.buf.copy(text, 0, 0, this.at);
    const packed = { ids: this.ids, hashes: this.hashes, versions: this.versions, text, ends: Uint32Array.from(this.ends) };
    // The scratch goes back to the thread's spares: the next batch's builder packs into it.
    if (SCRATCH.length < MAX_SPARE_SCRATCH) SCRATCH.push(this.buf);
    this.buf = NO_BUFFER;
    this.at = 0;
    this.ids = [];
    this.hashes = [];
    this.versions = [];
    this.ends = [];
    return packed;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    if (this.buf === NO_BUFFER) {
      this.buf = SCRATCH.pop() ?? Buffer.allocUnsafeSlow(1 << 16);
      if (n <= this.buf.length) return;
    }
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}

export function packRows(rows: readonly PaperWriteRow[]): PackedPaperRows {
  const b = new PackedRowsBuilder(rows.length);
  for (const r of rows) b.add(r);
  return b.finish();
}

/** Text as a COPY field: backslash, tab, newline and carriage return escaped (one pass; most fields have none). */
export function escapeCopy(v: string): string {
  // One scan for the common field that needs nothing (after normalisation most hold no tab,
  // newline or backslash), instead of one for the NUL and one for the escapes.
  if (!NEEDS_CARE.test(v)) return v;
  if (v.includes('\u0000')) throw new Error('a NUL character cannot be stored');
  return v.replace(ESCAPE_ALL, escapeChar);
}

const NEEDS_CARE = /[\\\t\n\r\0]/;
const ESCAPE_ALL = /[\\\t\n\r]/g;
const REPLACEMENT: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeChar = (c: string) => REPLACEMENT[c];
const UNESCAPE = /\\(.)/g;
const UNESCAPED: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };

const lineStart = (p: PackedPaperRows, i: number) => (i === 0 ? 0 : p.ends[i - 1]);

/**
 * Writes `stamp` over every row's created and modified time, in place. A writer stamps rows when it
 * writes them, not when they were parsed: readers that follow `modified_at` (the keyword index's
 * catch-up) trust a row to appear no later than a moment after its stamp.
 */
export function stampPacked(p: PackedPaperRows, stamp: string): void {
  if (!STAMP.test(stamp)) throw new Error(`a stamp must be ${STAMP_BYTES}-character ISO 8601, not ${JSON.stringify(stamp)}`);
  const buf = Buffer.from(p.text.buffer, p.text.byteOffset, p.text.byteLength);
  for (let i = 0; i < p.ends.length; i++) {
    const end = p.ends[i] - 1; // the newline
    buf.write(stamp, end - STAMP_BYTES, 'latin1');
    buf.write(stamp, end - 2 * STAMP_BYTES - 1, 'latin1');
  }
}

/** The COPY lines of the rows at `indices` (in that order): the whole buffer when that is every row. */
export function packedLines(p: PackedPaperRows, indices: readonly number[]): Uint8Array {
  const all = indices.length === p.ends.length && indices.every((v, i) => v === i);
  if (all) return p.text;
  return Buffer.concat(indices.map((i) => p.text.subarray(lineStart(p, i), p.ends[i])));
}

/** Row `i` as an object again: for the rare row a COPY cannot insert (an update, a conflict). */
export function unpackRow(p: PackedPaperRows, i: number): PaperWriteRow {
  const line = Buffer.from(p.text.buffer, p.text.byteOffset + lineStart(p, i), p.ends[i] - lineStart(p, i) - 1).toString('utf8');
  const fields = line.split('\t');
  const row: Record<string, string | number | null> = {};
  PACKED_COLUMNS.forEach((c, k) => {
    const f = fields[k];
    if (f === '\\N') row[c] = null;
    else if (INTEGER_COLUMNS.has(c)) row[c] = Number(f);
    else row[c] = f.includes('\\') ? f.replace(UNESCAPE, (_, ch: string) => UNESCAPED[ch]) : f;
  });
  return row as unknown as PaperWriteRow;
}

export function unpackRows(rows: PaperRows): PaperWriteRow[] {
  return Array.isArray(rows) ? rows : rows.ids.map((_, i) => unpackRow(rows, i));
}
