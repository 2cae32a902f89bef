import crypto from 'node:crypto';
import type { Paper } from '../domain/paper.ts';
import { contentCanonical, hashCanonical, paperContentValues, type PaperWriteRow } from './mappers.ts';

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
/** Spares kept: enough for the batches a worker has in flight to the writer and back (`AHEAD`, src/ingest/parse-pool.ts). */
const MAX_SPARE_SCRATCH = 8;
const MAX_FIRST_SCRATCH = 16 << 20;
const NO_BUFFER = Buffer.alloc(0);
/** After a line's content: a tab, the 27-character hash, and a tab and a stamp twice, and the newline. */
const TAIL_BYTES = 1 + 27 + 2 * (1 + STAMP_BYTES) + 1;

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
    this.checkStamps(row.created_at, row.modified_at);
    const fields: (string | number)[] = new Array(PACKED_COLUMNS.length);
    for (let c = 0; c < PACKED_COLUMNS.length; c++) {
      const v = row[PACKED_COLUMNS[c]];
      fields[c] = v === null ? '\\N' : typeof v === 'number' ? v : escapeCopy(v);
    }
    this.addLine(fields.join('\t'), row.id, row.content_hash, row.version);
  }

  /**
   * Packs a paper as `paperToRow(p, stamp)` would make its row and `add` would pack it, byte for
   * byte (tests/store/packed-rows.test.ts), without the row object: an import's parse worker packs
   * every paper it parses, and the row object, its 22 writes into the buffer and 22 escape checks
   * were about a fifth of the worker's CPU (bench/import, round 21). The content hash's input
   * holds every content field, so one look at it tells whether any field needs COPY's escapes;
   * most papers need none (a LaTeX backslash is the usual exception), and their fields go in as
   * they are.
   */
  addPaper(p: Paper, stamp: string): void {
    this.checkStamps(stamp, stamp);
    const fields: (string | number | null)[] = paperContentValues(p);
    const canonical = contentCanonical(fields);
    const plain = !needsEscape(canonical);
    if (plain && this.addCanonical(fields, canonical, p, stamp)) return;
    const hash = hashCanonical(canonical);
    for (let c = 0; c < fields.length; c++) {
      const v = fields[c];
      if (v === null) fields[c] = '\\N';
      else if (!plain && typeof v === 'string') fields[c] = escapeCopy(v);
    }
    fields.push(hash, stamp, stamp);
    // `escapeCopy` refuses a NUL; content with nothing to escape was looked at by `addCanonical`.
    this.addLine(fields.join('\t'), p.id, hash, p.version);
  }

  /**
   * A paper whose content needs no COPY escape and is all ASCII, packed from its hash's input: the
   * canonical string is written into the buffer once, hashed there, and turned into the COPY line
   * in place — each U+0001 separator becomes a tab and each null's U+0000 a `\N` (the fields after
   * a null move one byte on). The line is then not built as a second string of the same bytes
   * (`fields.join`), nor encoded twice. False (nothing added) when the content is not ASCII; a NUL
   * inside a field is refused either way (none goes past here unlooked at).
   */
  private addCanonical(fields: (string | number | null)[], canonical: string, p: Paper, stamp: string): boolean {
    let nulls = 0;
    for (let c = 0; c < fields.length; c++) if (fields[c] === null) nulls++;
    // A NUL inside a field: the canonical string holds one U+0000 more than it has nulls.
    for (let i = -1, k = 0; k <= nulls; k++) {
      i = canonical.indexOf('\u0000', i + 1);
      if (i === -1) break;
      if (k === nulls) throw new Error('a NUL character cannot be stored');
    }
    // Room for the UTF-8 of any string (three bytes a unit at most), to find out whether it is ASCII.
    this.room(canonical.length * 3 + nulls + TAIL_BYTES);
    const buf = this.buf;
    const start = this.at;
    // Written past where the line starts by one byte a null, so the line can be made in place moving bytes left only.
    const from = start + nulls;
    // UTF-8 is one byte a UTF-16 unit exactly when every unit is ASCII (a lone surrogate takes three).
    if (buf.write(canonical, from, 'utf8') !== canonical.length) return false;
    const hash = crypto.hash('sha1', buf.subarray(from, from + canonical.length), 'base64url');
    let out = start;
    let src = from;
    for (let c = 0; c < fields.length; c++) {
      if (c > 0) {
        buf[out++] = 0x09;
        src++;
      }
      const v = fields[c];
      if (v === null) {
        buf[out++] = 0x5c; // backslash
        buf[out++] = 0x4e; // N
        src++;
        continue;
      }
      const len = typeof v === 'string' ? v.length : v === 0 || v === 1 ? 1 : String(v).length;
      if (out !== src) buf.copyWithin(out, src, src + len);
      out += len;
      src += len;
    }
    out += buf.write(`\t${hash}\t${stamp}\t${stamp}\n`, out, 'latin1');
    this.at = out;
    this.ids.push(p.id);
    this.hashes.push(hash);
    this.versions.push(p.version);
    this.ends.push(out);
    return true;
  }

  /** Each distinct created/modified time is checked once: an import stamps every row of a batch alike. */
  private checkStamps(created: string, modified: string): void {
    if (created === this.checkedStamp && modified === this.checkedStamp) return;
    if (!STAMP.test(created) || !STAMP.test(modified)) throw new Error(`a packed row's timestamps must be ${STAMP_BYTES}-character ISO 8601`);
    if (created === modified) this.checkedStamp = created;
  }

  /** One row's COPY line (without its newline), written in one go: a write per field cost more in calls than in bytes. */
  private addLine(line: string, id: string, hash: string, version: number | null): void {
    // UTF-8 takes at most three bytes per UTF-16 unit: room for the line and its newline.
    this.room(line.length * 3 + 1);
    this.at += this.buf.write(line, this.at, 'utf8');
    this.buf[this.at++] = 0x0a;
    this.ids.push(id);
    this.hashes.push(hash);
    this.versions.push(version);
    this.ends.push(this.at);
  }

  /**
   * The rows added so far, packed; the builder is left empty, to be used again or dropped.
   *
   * By default the bytes are copied out of the scratch buffer at their exact size, and the scratch
   * stays with this thread. With `handOver`, `text` is a view of the scratch itself, which leaves
   * with the rows: for a caller that moves the rows to another thread and gets the buffer back once
   * they are written (`reuseScratch`), as an import's parse worker does. Copying each batch into
   * fresh memory cost the worker more in page faults than in the copy itself (bench/import,
   * round 19), and the buffers going round are the same few, already faulted in.
   */
  finish(handOver = false): PackedPaperRows {
    let text: Uint8Array;
    if (handOver) text = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.at);
    else {
      // Not from Node's shared pool: the buffer's memory is handed to another thread whole.
      text = Buffer.allocUnsafeSlow(this.at);
      this.buf.copy(text, 0, 0, this.at);
      // The scratch goes back to the thread's spares: the next batch's builder packs into it.
      reuseScratch(this.buf);
    }
    const packed = { ids: this.ids, hashes: this.hashes, versions: this.versions, text, ends: Uint32Array.from(this.ends) };
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

/**
 * Gives a scratch buffer back to this thread's spares, for the next builder to pack into: one
 * `finish(true)` handed over, once the rows in it are written. A buffer that is not its own
 * ArrayBuffer from the start (a pooled or offset view) is not taken.
 */
export function reuseScratch(buf: ArrayBuffer | Buffer): void {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf);
  if (b.byteOffset !== 0 || b.length !== b.buffer.byteLength || b.length === 0) return;
  if (SCRATCH.length < MAX_SPARE_SCRATCH) SCRATCH.push(b);
}

export function packRows(rows: readonly PaperWriteRow[]): PackedPaperRows {
  const b = new PackedRowsBuilder(rows.length);
  for (const r of rows) b.add(r);
  return b.finish();
}

/**
 * Text as a COPY field: backslash, tab, newline and carriage return escaped (most fields have none).
 * A character at a time, each by a search for it and a replace with a fixed string: the one regex
 * for all four called a function per match, and a LaTeX abstract has dozens of backslashes (twice
 * the time, bench/import round 23).
 */
export function escapeCopy(v: string): string {
  if (v.includes('\u0000')) throw new Error('a NUL character cannot be stored');
  if (!needsEscape(v)) return v;
  // The backslash first: the escapes written after it are not escaped again.
  if (v.includes('\\')) v = v.replace(BACKSLASHES, '\\\\');
  if (v.includes('\t')) v = v.replace(TABS, '\\t');
  if (v.includes('\n')) v = v.replace(NEWLINES, '\\n');
  if (v.includes('\r')) v = v.replace(CARRIAGE_RETURNS, '\\r');
  return v;
}

/**
 * Whether `v` holds a character COPY's text format escapes: looked for in a whole row's content at
 * once (`addPaper`), and in each field (`escapeCopy`). Four searches for one character each are a
 * tenth of the time of one regex for all four over a paper's content.
 */
function needsEscape(v: string): boolean {
  return v.includes('\\') || v.includes('\n') || v.includes('\t') || v.includes('\r');
}

const BACKSLASHES = /\\/g;
const TABS = /\t/g;
const NEWLINES = /\n/g;
const CARRIAGE_RETURNS = /\r/g;
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
