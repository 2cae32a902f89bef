import { drainSliced, nextSlice as yieldToLoop } from '../slices.ts';
import type { StringTable } from '../search/string-table.ts';

/** What For you keeps of a paper besides its vector. */
export interface ForYouPaper {
  title: string;
  categories: string[];
  authors: string[];
  day: string;
}

/**
 * A For-you features file's papers as its sections hold them (`for-you-features-file.ts`): per
 * paper, its row among the vectors' ids, its title's UTF-8 bytes, its feed day's code and its
 * category and author lists as codes into two dictionaries — typed arrays, views on the file's buffer.
 */
export interface PaperColumns {
  /** The vectors' ids: a look-up table over the file's bytes, built in the reader thread. */
  ids: StringTable;
  /** Per paper (in the order the service holds them), its row in `ids`. */
  rows: Uint32Array;
  titleBytes: Uint8Array;
  titleEnds: Uint32Array;
  dayNames: readonly string[];
  dayIds: Uint32Array;
  /** A few hundred distinct names: decoded when the file is opened. */
  catNames: readonly string[];
  catEnds: Uint32Array;
  catIds: Uint32Array;
  /** About three names a paper: kept as bytes, decoded when first asked for. */
  authorNameBytes: Uint8Array;
  authorNameEnds: Uint32Array;
  authorEnds: Uint32Array;
  authorIds: Uint32Array;
}

/** Author names decoded per turn of the event loop (a few milliseconds on a loaded machine). */
export const NAMES_PER_SLICE = 16_384;
/** How long a slice of checking a file's columns on the request thread runs before it yields. */
const SLICE_MS = 4;

/**
 * The papers For you knows, by id, in the order they were added — what a `Map<string, ForYouPaper>`
 * was, and still answers as one (`get`, `has`, `set`, `size`, iteration in insertion order).
 *
 * A loaded file's papers stay in its columns (`PaperColumns`): no JavaScript object or string per
 * paper is made to load them. As objects (a title, a paper object and an author list per paper,
 * 100,000 author names, a `Map` of 33,804 entries) they were the bulk of what the For-you load made
 * and kept on the request thread's heap, copied by every young-generation collection while the
 * server started (19–30 ms pauses inside feed requests; BENCHMARKS, start-up, round 24). A paper is
 * made into an object when it is asked for (`get`, iteration); `title` and `day` answer without one.
 * Papers set after the load (the delta, old upvotes) are kept as objects: one set for a loaded
 * paper replaces it in place, as `Map.set` keeps a key's position.
 */
export class ForYouPapers implements Iterable<[string, ForYouPaper]> {
  /** Set after the load: replacing a loaded paper (by its position) or new (after the loaded ones). */
  private readonly replaced = new Map<number, ForYouPaper>();
  private readonly added = new Map<string, ForYouPaper>();
  private readonly titles: Buffer | null;
  private authorNames: string[] | null = null;
  private decodingNames: Promise<string[]> | null = null;
  /** Category lists handed out, one frozen list per distinct list (a few hundred among all papers). */
  private readonly categoryLists = new Map<string, readonly string[]>();

  private constructor(
    private readonly base: PaperColumns | null,
    /** Row in `base.ids` → the paper's position in the columns, −1 for none. */
    private readonly positions: Int32Array,
  ) {
    this.titles = base && Buffer.from(base.titleBytes.buffer, base.titleBytes.byteOffset, base.titleBytes.byteLength);
  }

  /** No papers yet: every one is `set`. */
  static empty(): ForYouPapers {
    return new ForYouPapers(null, new Int32Array(0));
  }

  /** A copy of `entries` (a `Map`, another instance), in their order. */
  static from(entries: Iterable<[string, ForYouPaper]>): ForYouPapers {
    const out = ForYouPapers.empty();
    for (const [id, p] of entries) out.set(id, p);
    return out;
  }

  /**
   * A file's columns, checked (every offset in order and in bounds, every code in its dictionary,
   * every paper with a row of its own) with the event loop handed back every `sliceMs`: typed arrays
   * only, nothing per paper is made. Throws when they do not fit together (the caller refuses the file).
   */
  static open(c: PaperColumns, sliceMs = SLICE_MS): Promise<ForYouPapers> {
    return drainSliced(ForYouPapers.openSteps(c), sliceMs);
  }

  /** `open`'s checks, pausing (`yield`) every 16,384 elements: an `await` per element made a promise each. */
  private static *openSteps(c: PaperColumns): Generator<void, ForYouPapers> {
    const n = c.rows.length;
    if (c.titleEnds.length !== n || c.dayIds.length !== n || c.catEnds.length !== n || c.authorEnds.length !== n) throw new Error('per-paper sections disagree on the number of papers');
    function* ends(e: Uint32Array, total: number, exact: boolean): Generator<void, void> {
      let last = 0;
      for (let i = 0; i < e.length; i++) {
        if (e[i] < last) throw new Error('offsets out of order');
        last = e[i];
        if ((i & 0x3fff) === 0x3fff) yield;
      }
      if (exact ? last !== total : last > total) throw new Error('offsets out of bounds');
    }
    function* codes(ids: Uint32Array, names: number): Generator<void, void> {
      for (let i = 0; i < ids.length; i++) {
        if (ids[i] >= names) throw new Error('a name out of its dictionary');
        if ((i & 0x3fff) === 0x3fff) yield;
      }
    }
    yield* ends(c.titleEnds, c.titleBytes.length, false);
    yield* ends(c.authorNameEnds, c.authorNameBytes.length, false);
    yield* ends(c.catEnds, c.catIds.length, true);
    yield* ends(c.authorEnds, c.authorIds.length, true);
    yield* codes(c.dayIds, c.dayNames.length);
    yield* codes(c.catIds, c.catNames.length);
    yield* codes(c.authorIds, c.authorNameEnds.length);
    const positions = new Int32Array(c.ids.size).fill(-1);
    for (let i = 0; i < n; i++) {
      const r = c.rows[i];
      if (r >= positions.length) throw new Error('a paper without a vector');
      if (positions[r] !== -1) throw new Error('a paper listed twice');
      positions[r] = i;
      if ((i & 0x3fff) === 0x3fff) yield;
    }
    return new ForYouPapers(c, positions);
  }

  get size(): number {
    return this.loaded + this.added.size;
  }

  /** Papers in the columns. */
  private get loaded(): number {
    return this.base ? this.base.rows.length : 0;
  }

  /** A loaded paper's position, or −1. */
  private position(id: string): number {
    if (!this.base) return -1;
    const row = this.base.ids.get(id);
    return row === undefined ? -1 : this.positions[row];
  }

  has(id: string): boolean {
    return this.added.has(id) || this.position(id) >= 0;
  }

  get(id: string): ForYouPaper | undefined {
    const a = this.added.get(id);
    if (a) return a;
    const p = this.position(id);
    return p < 0 ? undefined : this.paperAt(p);
  }

  /** As `Map.set`: a known id keeps its place. */
  set(id: string, paper: ForYouPaper): this {
    const p = this.position(id);
    if (p >= 0) this.replaced.set(p, paper);
    else this.added.set(id, paper);
    return this;
  }

  /** `get(id)?.title` without making the paper. */
  title(id: string): string | undefined {
    const a = this.added.get(id);
    if (a) return a.title;
    const p = this.position(id);
    if (p < 0) return undefined;
    return this.replaced.get(p)?.title ?? this.titleAt(p);
  }

  /** `get(id)?.day` without making the paper. */
  day(id: string): string | undefined {
    const a = this.added.get(id);
    if (a) return a.day;
    const p = this.position(id);
    if (p < 0) return undefined;
    return this.replaced.get(p)?.day ?? this.base!.dayNames[this.base!.dayIds[p]];
  }

  *entries(): IterableIterator<[string, ForYouPaper]> {
    const b = this.base;
    for (let p = 0; p < this.loaded; p++) yield [b!.ids.at(b!.rows[p]), this.paperAt(p)];
    yield* this.added;
  }

  [Symbol.iterator](): IterableIterator<[string, ForYouPaper]> {
    return this.entries();
  }

  *keys(): IterableIterator<string> {
    const b = this.base;
    for (let p = 0; p < this.loaded; p++) yield b!.ids.at(b!.rows[p]);
    yield* this.added.keys();
  }

  *values(): IterableIterator<ForYouPaper> {
    for (let p = 0; p < this.loaded; p++) yield this.paperAt(p);
    yield* this.added.values();
  }

  /** Every paper's id and feed day, in order, without making the papers. */
  *days(): IterableIterator<[string, string]> {
    const b = this.base;
    for (let p = 0; p < this.loaded; p++) yield [b!.ids.at(b!.rows[p]), this.replaced.get(p)?.day ?? b!.dayNames[b!.dayIds[p]]];
    for (const [id, m] of this.added) yield [id, m.day];
  }

  /**
   * The papers of feed days `from`..`to` (For you's candidates) and those before `from` that have a
   * vector (`hasVector`; its background pool), each in order — as a walk over `days()` sorting them
   * would, but a loaded paper's day is compared by its code and its vector not looked up (a loaded
   * file's papers all have one: `open` checked it); only the ids kept are made.
   */
  splitByDay(from: string, to: string, hasVector: (id: string) => boolean): { candidates: string[]; older: string[] } {
    const candidates: string[] = [];
    const older: string[] = [];
    const b = this.base;
    if (b) {
      // Per day code: 1 in the window, 2 before it, 0 after.
      const where = Uint8Array.from(b.dayNames, (d) => (d >= from && d <= to ? 1 : d < from ? 2 : 0));
      for (let p = 0; p < this.loaded; p++) {
        const r = this.replaced.get(p);
        const w = r ? (r.day >= from && r.day <= to ? 1 : r.day < from ? 2 : 0) : where[b.dayIds[p]];
        if (w === 1) candidates.push(b.ids.at(b.rows[p]));
        else if (w === 2) older.push(b.ids.at(b.rows[p]));
      }
    }
    for (const [id, m] of this.added) {
      if (m.day >= from && m.day <= to) candidates.push(id);
      else if (m.day < from && hasVector(id)) older.push(id);
    }
    return { candidates, older };
  }

  /**
   * The papers with a category (or an author) equal to `value` but for case, in order, as their id
   * and feed day: a loaded paper's codes are compared with the names that match (no paper is made).
   * The first author match decodes the author names in slices (`authorNamesSliced`).
   */
  async matching(kind: 'category' | 'author', value: string): Promise<[string, string][]> {
    const v = value.toLowerCase();
    const b = this.base;
    const out: [string, string][] = [];
    const has = (m: ForYouPaper) => (kind === 'category' ? m.categories : m.authors).some((x) => x.toLowerCase() === v);
    if (b) {
      const names = kind === 'category' ? b.catNames : await this.authorNamesSliced();
      const hit = new Uint8Array(names.length);
      let any = false;
      for (let k = 0; k < names.length; k++) {
        if (names[k].toLowerCase() !== v) continue;
        hit[k] = 1;
        any = true;
      }
      const ends = kind === 'category' ? b.catEnds : b.authorEnds;
      const ids = kind === 'category' ? b.catIds : b.authorIds;
      for (let p = 0; p < this.loaded; p++) {
        const r = this.replaced.get(p);
        if (r) {
          if (has(r)) out.push([b.ids.at(b.rows[p]), r.day]);
          continue;
        }
        if (!any) continue;
        for (let k = p ? ends[p - 1] : 0; k < ends[p]; k++) {
          if (hit[ids[k]]) {
            out.push([b.ids.at(b.rows[p]), b.dayNames[b.dayIds[p]]]);
            break;
          }
        }
      }
    }
    for (const [id, m] of this.added) if (has(m)) out.push([id, m.day]);
    return out;
  }

  /** How many papers name each category (a paper naming one twice counts twice), in the order they first appear. */
  categoryCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    const count = (c: string) => counts.set(c, (counts.get(c) ?? 0) + 1);
    const b = this.base;
    for (let p = 0; p < this.loaded; p++) {
      const r = this.replaced.get(p);
      if (r) r.categories.forEach(count);
      else for (let k = p ? b!.catEnds[p - 1] : 0; k < b!.catEnds[p]; k++) count(b!.catNames[b!.catIds[k]]);
    }
    for (const m of this.added.values()) m.categories.forEach(count);
    return counts;
  }

  private paperAt(p: number): ForYouPaper {
    const r = this.replaced.get(p);
    if (r) return r;
    const b = this.base!;
    return { title: this.titleAt(p), categories: this.categoriesAt(p), authors: this.authorsAt(p), day: b.dayNames[b.dayIds[p]] };
  }

  private titleAt(p: number): string {
    const e = this.base!.titleEnds;
    return this.titles!.toString('utf8', p ? e[p - 1] : 0, e[p]);
  }

  /** A loaded paper's categories: one frozen list per distinct list, shared by the papers that have it. */
  private categoriesAt(p: number): string[] {
    const b = this.base!;
    const from = p ? b.catEnds[p - 1] : 0;
    let key = '';
    for (let k = from; k < b.catEnds[p]; k++) key += `${b.catIds[k]},`;
    let list = this.categoryLists.get(key);
    if (!list) {
      const out = new Array<string>(b.catEnds[p] - from);
      for (let k = 0; k < out.length; k++) out[k] = b.catNames[b.catIds[from + k]];
      this.categoryLists.set(key, (list = Object.freeze(out)));
    }
    return list as string[];
  }

  private authorsAt(p: number): string[] {
    const b = this.base!;
    const names = this.authorNameList();
    const from = p ? b.authorEnds[p - 1] : 0;
    const out = new Array<string>(b.authorEnds[p] - from);
    for (let k = 0; k < out.length; k++) out[k] = names[b.authorIds[from + k]];
    return out;
  }

  /**
   * The author names, decoded the first time an author interest is matched, handing the event loop
   * back every `NAMES_PER_SLICE` names: about three a paper, millions at 2.5M papers — decoded in one
   * go, a second of the request thread inside one request.
   */
  private authorNamesSliced(): Promise<string[]> {
    if (this.authorNames) return Promise.resolve(this.authorNames);
    this.decodingNames ??= (async () => {
      const b = this.base!;
      const buf = Buffer.from(b.authorNameBytes.buffer, b.authorNameBytes.byteOffset, b.authorNameBytes.byteLength);
      const names = new Array<string>(b.authorNameEnds.length);
      for (let i = 0; i < names.length; i++) {
        names[i] = buf.toString('utf8', i ? b.authorNameEnds[i - 1] : 0, b.authorNameEnds[i]);
        if (i % NAMES_PER_SLICE === NAMES_PER_SLICE - 1) {
          await yieldToLoop();
          // Made meanwhile by a paper asked for (`authorNameList`): the same list.
          if (this.authorNames) return this.authorNames;
        }
      }
      return (this.authorNames = names);
    })();
    return this.decodingNames;
  }

  /** The author names at once, for a paper's authors (`get`, iteration): decoded the first time, never at load. */
  private authorNameList(): string[] {
    if (this.authorNames) return this.authorNames;
    const b = this.base!;
    const buf = Buffer.from(b.authorNameBytes.buffer, b.authorNameBytes.byteOffset, b.authorNameBytes.byteLength);
    const names = new Array<string>(b.authorNameEnds.length);
    for (let i = 0; i < names.length; i++) names[i] = buf.toString('utf8', i ? b.authorNameEnds[i - 1] : 0, b.authorNameEnds[i]);
    return (this.authorNames = names);
  }
}
