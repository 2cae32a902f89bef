import { nextSlice } from '../slices.ts';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readInThread } from './index-file-thread.ts';
import { StringTable, buildStringTable } from './string-table.ts';

/**
 * A versioned, checksummed file of named sections — typed arrays and string lists — that loads
 * without decoding: the whole file is read into one buffer and every typed-array section is a view
 * on it (sections start at 8-byte boundaries), so a million-paper keyword index loads as a few
 * large reads and a checksum, with no per-posting JavaScript object.
 *
 * Layout (little-endian):
 *
 *   0   8  magic            `PBIDX\0\0\n`
 *   8   4  format version    of the kind's layout: the reader's must match (old files are rebuilt)
 *   12  4  header length     JSON header bytes after the fixed part
 *   16  8  file length       the whole file, so a truncated copy is told apart from a corrupt one
 *   24 32  SHA-256           of every byte from offset 64 to the end (header JSON and sections)
 *   56  8  zero
 *   64  …  JSON header       { kind, meta, sections: [{ name, type, offset, length, count }] }
 *   …      sections         each at an offset divisible by 8
 *
 * A reader checks, in this order: size ≥ 64, magic, version, recorded length = actual length,
 * checksum, then the header's section bounds. Any failure is an `IndexFileError`: the caller
 * rebuilds and never serves what it read.
 */

const MAGIC = Buffer.from('PBIDX\0\0\n', 'latin1');
const FIXED = 64;

type TypedSection = Uint32Array | Int32Array | Float32Array | Uint16Array | Uint8Array;
type ArrayType = 'u32' | 'i32' | 'f32' | 'u16' | 'u8';
/** The typed sections' array per type name in the header: one table for writing (`typeOf`) and reading. */
const ARRAYS: Record<ArrayType, { new (buffer: ArrayBufferLike, offset: number, length: number): TypedSection; readonly BYTES_PER_ELEMENT: number }> = {
  u32: Uint32Array,
  i32: Int32Array,
  f32: Float32Array,
  u16: Uint16Array,
  u8: Uint8Array,
};
export type Section = TypedSection | string[];
type SectionType = ArrayType | 'strings';

/**
 * A section handed to the writer as many arrays of one type, written one after the other (the
 * For-you features' 75,000 per-paper vectors): no copy of the whole section is made to write it.
 * It reads back as one array.
 */
export class Gathered<T extends TypedSection> {
  constructor(readonly pieces: readonly T[]) {}
  get length(): number {
    let n = 0;
    for (const p of this.pieces) n += p.length;
    return n;
  }
}
type WrittenSection = Section | Gathered<TypedSection>;

interface SectionEntry {
  name: string;
  type: SectionType;
  offset: number;
  length: number;
  /** Elements (strings for `strings`). */
  count: number;
}

export interface IndexFileContents<S = Section> {
  kind: string;
  /** The version of this kind's layout, in the fixed header: a reader expecting another refuses the file. */
  format: number;
  meta: Record<string, unknown>;
  sections: Record<string, S>;
}

export type IndexFileProblem = 'missing' | 'truncated' | 'magic' | 'version' | 'checksum' | 'header' | 'kind';

export class IndexFileError extends Error {
  constructor(
    readonly problem: IndexFileProblem,
    message: string,
  ) {
    super(message);
    this.name = 'IndexFileError';
  }
}

function typeOf(s: WrittenSection): SectionType {
  if (Array.isArray(s)) return 'strings';
  if (s instanceof Gathered) return s.pieces.length ? typeOf(s.pieces[0]) : 'u8';
  for (const t of Object.keys(ARRAYS) as ArrayType[]) if (s instanceof ARRAYS[t]) return t;
  return 'u8';
}

/** The next multiple of 8. Not `(n + 7) & ~7`: bitwise operators work on 32 bits, so past 2 GiB
 * (a 2.5M-paper keyword index) the offsets turned negative and the file could not be written. */
export const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Strings are stored joined by newlines; one containing a newline cannot be (ids and words never do). */
function encodeStrings(name: string, list: string[]): Buffer {
  for (const s of list) if (s.includes('\n')) throw new Error(`section ${name}: a string contains a newline`);
  return Buffer.from(list.join('\n'), 'utf8');
}

const view = (s: TypedSection) => Buffer.from(s.buffer, s.byteOffset, s.byteLength);

function bytesOf(name: string, s: WrittenSection): Buffer[] {
  if (Array.isArray(s)) return [encodeStrings(name, s)];
  if (s instanceof Gathered) {
    const type = typeOf(s);
    if (s.pieces.some((p) => typeOf(p) !== type)) throw new Error(`section ${name}: pieces of different types`);
    return s.pieces.map(view);
  }
  return [view(s)];
}

/**
 * Strings of any content (titles, author names: a newline is possible) as UTF-8 bytes and the end
 * offset of each; `decodeTexts` reverses it. Two sections of the caller's.
 */
export function encodeTexts(list: readonly string[]): { bytes: Uint8Array; ends: Uint32Array } {
  const parts = list.map((s) => Buffer.from(s, 'utf8'));
  const ends = new Uint32Array(list.length);
  let at = 0;
  parts.forEach((b, i) => (ends[i] = at += b.length));
  const bytes = Buffer.concat(parts, at);
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), ends };
}

export async function decodeTexts(bytes: Uint8Array, ends: Uint32Array, sliceMs = 8): Promise<string[]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<string>(ends.length);
  let from = 0;
  let since = performance.now();
  for (let i = 0; i < ends.length; i++) {
    if (ends[i] < from || ends[i] > buf.length) throw new Error('text offsets out of order or out of bounds');
    out[i] = buf.toString('utf8', from, ends[i]);
    from = ends[i];
    // 100,000 author names decode in tens of milliseconds: hand the event loop back meanwhile.
    if ((i & 255) === 255 && performance.now() - since >= sliceMs) {
      await nextSlice();
      since = performance.now();
    }
  }
  return out;
}

/**
 * Writes the file atomically: to a temporary name beside it, synced, then renamed, so a reader
 * never sees a half-written file under the final name. Asynchronous, hashed and written in 32 MB
 * slices, so a serving process that publishes keeps answering. Returns its length and checksum (hex).
 */
export async function writeIndexFile(file: string, contents: IndexFileContents<WrittenSection>): Promise<{ bytes: number; checksum: string }> {
  const names = Object.keys(contents.sections);
  const bodies = names.map((n) => bytesOf(n, contents.sections[n]));
  const lengths = bodies.map((b) => b.reduce((n, x) => n + x.length, 0));
  // The header records offsets, which depend on the header's own length: lay it out until it settles.
  let headerLen = 0;
  let entries: SectionEntry[] = [];
  for (let pass = 0; pass < 4; pass++) {
    let at = align8(FIXED + headerLen);
    entries = names.map((name, i) => {
      const s = contents.sections[name];
      const e = { name, type: typeOf(s), offset: at, length: lengths[i], count: s.length };
      at = align8(at + lengths[i]);
      return e;
    });
    const next = Buffer.byteLength(JSON.stringify({ kind: contents.kind, meta: contents.meta, sections: entries }));
    if (next === headerLen) break;
    headerLen = next;
  }
  const header = Buffer.from(JSON.stringify({ kind: contents.kind, meta: contents.meta, sections: entries }), 'utf8');
  if (header.length !== headerLen) throw new Error('index file header did not settle');
  const last = entries[entries.length - 1];
  const total = last ? align8(last.offset + last.length) : align8(FIXED + header.length);

  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const fh = await fs.promises.open(tmp, 'w');
  let closed = false;
  try {
    const hash = createHash('sha256');
    let pos = FIXED;
    const write = async (part: Buffer) => {
      hash.update(part);
      let done = 0;
      while (done < part.length) done += (await fh.write(part, done, part.length - done, pos + done)).bytesWritten;
      pos += part.length;
    };
    // Small pieces (a gathered section's) are staged into one buffer and written together: one
    // awaited write per piece was 75,000 system calls for the For-you features.
    const staged = Buffer.allocUnsafe(STAGE);
    let held = 0;
    const flush = async () => {
      if (held) await write(staged.subarray(0, held));
      held = 0;
    };
    const put = async (buf: Buffer) => {
      if (buf.length <= STAGE - held) {
        buf.copy(staged, held);
        held += buf.length;
        return;
      }
      await flush();
      if (buf.length < STAGE) return put(buf);
      for (let at = 0; at < buf.length; at += SLICE) await write(buf.subarray(at, Math.min(buf.length, at + SLICE)));
    };
    const pad = async (to: number) => {
      const at = pos + held;
      if (to > at) await put(Buffer.alloc(to - at));
    };
    await put(header);
    for (let i = 0; i < entries.length; i++) {
      await pad(entries[i].offset);
      for (const piece of bodies[i]) await put(piece);
    }
    await pad(total);
    await flush();
    const checksum = hash.digest();
    const fixed = Buffer.alloc(FIXED);
    MAGIC.copy(fixed, 0);
    fixed.writeUInt32LE(contents.format, 8);
    fixed.writeUInt32LE(header.length, 12);
    fixed.writeBigUInt64LE(BigInt(total), 16);
    checksum.copy(fixed, 24);
    await fh.write(fixed, 0, FIXED, 0);
    await fh.sync();
    await fh.close();
    closed = true;
    await fs.promises.rename(tmp, file);
    return { bytes: total, checksum: checksum.toString('hex') };
  } catch (err) {
    if (!closed) await fh.close().catch(() => {});
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Bytes a writer hashes (and writes) in one go, on the thread that publishes: SHA-256 of 32 MB held
 * the event loop 60–210 ms of CPU on a loaded machine (bench/startup/blocking.ts), 4 MB up to 10 ms
 * there; 1 MB is a few milliseconds at most. (Readers hash in their own thread.)
 */
const SLICE = 1 << 20;
const STAGE = 1 << 20;

/** The fixed part only: format version (must be `format`), length and checksum (cheap: 64 bytes), or an error. */
export function readIndexFileHead(file: string, format: number): { version: number; bytes: number; checksum: string } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    throw new IndexFileError('missing', `${file}: no such index file`);
  }
  try {
    const fixed = Buffer.alloc(FIXED);
    const got = fs.readSync(fd, fixed, 0, FIXED, 0);
    return parseFixed(file, fixed.subarray(0, got), fs.fstatSync(fd).size, format);
  } finally {
    fs.closeSync(fd);
  }
}

function parseFixed(file: string, fixed: Buffer, actual: number, format: number): { version: number; bytes: number; checksum: string; headerLen: number } {
  if (fixed.length < FIXED) throw new IndexFileError('truncated', `${file}: ${actual} bytes, shorter than the fixed header`);
  if (!fixed.subarray(0, 8).equals(MAGIC)) throw new IndexFileError('magic', `${file}: not a Paperboy index file`);
  const version = fixed.readUInt32LE(8);
  if (version !== format) throw new IndexFileError('version', `${file}: format ${version}, this Paperboy reads format ${format}`);
  const bytes = Number(fixed.readBigUInt64LE(16));
  if (bytes !== actual) throw new IndexFileError('truncated', `${file}: ${actual} bytes, its header says ${bytes}`);
  return { version, bytes, checksum: fixed.subarray(24, 56).toString('hex'), headerLen: fixed.readUInt32LE(12) };
}

/**
 * Feeds `buf` from `from` to its end to `hash`, at most `slice` bytes a call. Node's `hash.update`
 * refuses more than 2^31 − 1 bytes at once (RangeError "data is too long"): the keyword index of
 * 2.5M papers is 2.17 GB, so every server failed to read the published file whole in one call, never
 * became ready and tried again each minute (round 19: "not ready after 496 s").
 */
export function hashFrom(hash: { update(data: Uint8Array): unknown }, buf: Uint8Array, from: number, slice = HASH_SLICE): void {
  for (let at = from; at < buf.length; at += slice) hash.update(buf.subarray(at, Math.min(buf.length, at + slice)));
}

/** Bytes the reader thread hashes in one call: well under Node's 2^31 − 1 (the reader thread needs no slicing for the event loop). */
const HASH_SLICE = 1 << 30;

/** What a reader thread hands back: the whole file (its buffer moved or shared, not copied) and its parsed, checked header. */
export interface VerifiedIndexFile {
  /** A `SharedArrayBuffer` when `expect.shared` asked for one (see `readIndexFile`), else one to move. */
  buffer: ArrayBuffer | SharedArrayBuffer;
  version: number;
  bytes: number;
  checksum: string;
  headerLen: number;
  header: { kind: string; meta: Record<string, unknown>; sections: SectionEntry[] };
  /** The look-up tables of the `strings` sections `expect.tables` named (see `StringTable`). */
  tables: Record<string, { starts: Uint32Array; slots: Int32Array }>;
}

export interface ReadExpectations {
  kind: string;
  format: number;
  checksum?: string;
  bytes?: number;
  /** `strings` sections to open as a `StringTable` (its hash table built in the reader thread) instead of a decoded list. */
  tables?: string[];
  /** Read into a `SharedArrayBuffer` (memory V8 does not count as this isolate's: see `readIndexFile`). */
  shared?: boolean;
}

/**
 * Reads a whole file and runs every check on it: fixed header, the version row's length and
 * checksum (`expect`), the SHA-256 of the body, the JSON header, its kind and each section's
 * bounds. Synchronous and CPU-heavy (SHA-256 of 63 MB is hundreds of milliseconds on a loaded
 * machine): it runs in the reader thread (`index-file-thread.ts`), never on the request thread.
 */
export function readAndVerifyIndexFile(file: string, expect: ReadExpectations): VerifiedIndexFile {
  let buf: Buffer;
  try {
    buf = readWholeSync(file, undefined, expect.shared);
  } catch {
    throw new IndexFileError('missing', `${file}: no such index file`);
  }
  const head = parseFixed(file, buf.subarray(0, FIXED), buf.length, expect.format);
  if (expect.bytes !== undefined && expect.bytes !== head.bytes) throw new IndexFileError('truncated', `${file}: ${head.bytes} bytes, the published version has ${expect.bytes}`);
  if (expect.checksum !== undefined && expect.checksum !== head.checksum) throw new IndexFileError('checksum', `${file}: not the published version (its checksum differs)`);
  const hash = createHash('sha256');
  hashFrom(hash, buf, FIXED);
  const actual = hash.digest('hex');
  if (actual !== head.checksum) throw new IndexFileError('checksum', `${file}: checksum mismatch (the file is corrupt)`);
  let header: VerifiedIndexFile['header'];
  try {
    header = JSON.parse(buf.toString('utf8', FIXED, FIXED + head.headerLen));
  } catch {
    throw new IndexFileError('header', `${file}: unreadable header`);
  }
  if (header.kind !== expect.kind) throw new IndexFileError('kind', `${file}: holds a ${header.kind}, not a ${expect.kind}`);
  if (!Array.isArray(header.sections)) throw new IndexFileError('header', `${file}: no section list`);
  for (const e of header.sections) {
    if (e.offset % 8 !== 0 || e.offset < FIXED + head.headerLen || e.offset + e.length > buf.length) throw new IndexFileError('header', `${file}: section ${e.name} out of bounds`);
  }
  const tables: VerifiedIndexFile['tables'] = {};
  for (const name of expect.tables ?? []) {
    const e = header.sections.find((x) => x.name === name);
    if (!e || e.type !== 'strings') throw new IndexFileError('header', `${file}: no strings section ${name}`);
    try {
      tables[name] = buildStringTable(new Uint8Array(buf.buffer, buf.byteOffset + e.offset, e.length), e.count);
    } catch (err) {
      throw new IndexFileError('header', `${file}: section ${name}: ${(err as Error).message}`);
    }
  }
  return { buffer: buf.buffer, version: head.version, bytes: head.bytes, checksum: head.checksum, headerLen: head.headerLen, header, tables };
}

/**
 * The whole file in one unpooled buffer (its own ArrayBuffer at offset 0: movable to another
 * thread, every section's typed-array view aligned), read in slices: `fs.readFile` refuses files
 * over 2 GB, and the keyword index of 2.5M papers is 2.2 GB. (Node 20 buffers stop at 4 GB: past
 * that a file needs splitting into several.) `shared`: the buffer is a `SharedArrayBuffer` (see
 * `readIndexFile`), posted to another thread without a copy and without being moved.
 */
export function readWholeSync(file: string, sliceBytes = 64 << 20, shared = false): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    // A SharedArrayBuffer is zero-filled: calloc, whose large blocks are fresh pages from the
    // kernel, so nothing is written twice and resident memory is only what the read fills.
    const alloc = (n: number) => (shared ? Buffer.from(new SharedArrayBuffer(n)) : Buffer.allocUnsafeSlow(n));
    const buf = alloc(size);
    let pos = 0;
    while (pos < size) {
      const got = fs.readSync(fd, buf, pos, Math.min(sliceBytes, size - pos), pos);
      if (!got) {
        // Shrank while read: the length check reports it. Still a buffer of its own, at offset 0.
        const short = alloc(pos);
        buf.copy(short, 0, 0, pos);
        return short;
      }
      pos += got;
    }
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Strings stored joined by newlines, split a window of bytes at a time with the event loop handed
 * back every `sliceMs`: the keyword index's vocabulary is hundreds of thousands of words, and one
 * `toString().split('\n')` of it held the request thread for tens of milliseconds.
 */
export async function decodeLinesSliced(buf: Buffer, from: number, to: number, sliceMs = SLICE_MS, windowBytes = 128 << 10): Promise<string[]> {
  // Searched within a view of the section, at offsets from its start: Node 20's Buffer indexOf and
  // lastIndexOf handle byte offsets past 2 GiB as 32-bit integers (nothing found, or a negative
  // position), and in the keyword index of 2.5M papers the ids section lies after 2 GB of postings.
  const part = buf.subarray(from, to);
  const n = part.length;
  const out: string[] = [];
  let since = performance.now();
  for (let at = 0; at <= n; ) {
    let end = Math.min(n, at + windowBytes);
    if (end < n) {
      // The window ends at its last newline; a single string longer than the window is taken whole.
      const back = part.lastIndexOf(10, end - 1);
      if (back >= at) end = back;
      else {
        // Not found is -1; any other answer before `end` would be a wrong one: never step back.
        const next = part.indexOf(10, end);
        end = next >= end ? next : n;
      }
    }
    const lines = part.toString('utf8', at, end).split('\n');
    for (let i = 0; i < lines.length; i++) out.push(lines[i]);
    at = end + 1;
    if (performance.now() - since >= sliceMs) {
      await nextSlice();
      since = performance.now();
    }
  }
  return out;
}

/** How long one slice of decoding on the request thread may run before it yields. */
const SLICE_MS = 4;

/** The kinds of file this process has read (`readIndexFile`: the first of each is shared). */
const kindsRead = new Set<string>();

/**
 * Reads and verifies a whole file; `expect` (from the store's version row) must match too. Reading
 * and every check run in a reader thread (the file's buffer comes back moved, not copied); here only
 * the sections are opened — typed arrays as views on that buffer, string lists decoded in slices —
 * so a server loading a version, at start or when a new one is published, keeps answering requests.
 *
 * The first file of each kind a process reads (its start-up load) is read into a
 * `SharedArrayBuffer`. A moved `ArrayBuffer` counts as this isolate's external memory, and V8 starts
 * a collection — a scavenge, then incremental marking and a mark-compact — whenever external memory
 * has grown more than 64 MB since the last mark-compact (`Heap::ReportExternalMemoryPressure`,
 * `kExternalAllocationSoftLimit`): at 75k papers the keyword index (63 MB) and the For-you features
 * (70 MB) each started one just after the port opened, pauses of 20–73 ms on the request thread
 * (BENCHMARKS, start-up, round 25). A shared backing store is not counted
 * (`BackingStore::PerIsolateAccountingLength` returns 0 for it, deps/v8/src/objects/backing-store.h
 * in Node 20's V8 11.3) — nor would it be collected sooner for being counted: at start-up nothing of
 * that kind is garbage yet. Every later file of the kind (a new version published while serving)
 * comes as a moved, counted `ArrayBuffer`, as before: its arrival starts the collection that frees
 * the versions retired before it, and in the reader thread a collection that drops its handle on
 * the start-up buffer, so no process keeps more than the versions it did. The kind is marked on the
 * first attempt, not the first success: a file refused at every start-up retry is one shared buffer
 * in all, not one a minute.
 */
export async function readIndexFile(file: string, expect: ReadExpectations): Promise<IndexFileContents<Section | StringTable> & { checksum: string; bytes: number }> {
  const shared = !kindsRead.has(expect.kind);
  kindsRead.add(expect.kind);
  const reply = await readInThread(file, { ...expect, shared });
  if ('error' in reply) {
    const { problem, message } = reply.error;
    throw problem ? new IndexFileError(problem as IndexFileProblem, message) : new Error(message);
  }
  const { verified } = reply;
  const buf = Buffer.from(verified.buffer);
  const { header } = verified;
  const sections: Record<string, Section | StringTable> = {};
  for (const e of header.sections) {
    const table = verified.tables[e.name];
    if (table) {
      sections[e.name] = new StringTable(new Uint8Array(buf.buffer, e.offset, e.length), table.starts, table.slots);
      continue;
    }
    if (e.type === 'strings') sections[e.name] = e.count === 0 ? [] : await decodeLinesSliced(buf, e.offset, e.offset + e.length);
    else if (Object.hasOwn(ARRAYS, e.type)) {
      const View = ARRAYS[e.type as ArrayType];
      sections[e.name] = new View(buf.buffer, e.offset, e.length / View.BYTES_PER_ELEMENT);
    } else throw new IndexFileError('header', `${file}: section ${e.name} of unknown type`);
    if (sections[e.name].length !== e.count) throw new IndexFileError('header', `${file}: section ${e.name} holds ${sections[e.name].length} elements, its header says ${e.count}`);
  }
  return { kind: header.kind, format: verified.version, meta: header.meta, sections, checksum: verified.checksum, bytes: verified.bytes };
}
