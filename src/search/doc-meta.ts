/**
 * What the keyword index's filters need of each paper — its categories and publication day — in
 * typed arrays by document number instead of one object per paper (at 1M papers a Map of objects
 * with category arrays held ~200 MB and cost seconds to build). Papers changed after the build
 * override their row through a small map.
 */
export interface PaperMeta {
  /** Lower case. */
  categories: string[];
  /** YYYY-MM-DD or ''. */
  published: string;
}

/** `2024-05-01` → 20240501; 0 for none or anything else. */
export function dayNumber(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}/.test(day)) return 0;
  return Number(day.slice(0, 4)) * 10000 + Number(day.slice(5, 7)) * 100 + Number(day.slice(8, 10));
}

export interface DocMetaParts {
  categoryNames: string[];
  catOffsets: Uint32Array;
  catIds: Uint16Array;
  published: Uint32Array;
}

export class DocMetaTable {
  private readonly catOf = new Map<string, number>();
  private readonly overrides = new Map<string, PaperMeta>();

  constructor(private readonly parts: DocMetaParts) {
    parts.categoryNames.forEach((c, i) => this.catOf.set(c, i));
    if (parts.catOffsets.length !== parts.published.length + 1) throw new Error('doc meta parts disagree on the number of documents');
  }

  static empty(): DocMetaTable {
    return new DocMetaTable({ categoryNames: [], catOffsets: new Uint32Array(1), catIds: new Uint16Array(0), published: new Uint32Array(0) });
  }

  toParts(): DocMetaParts {
    return this.parts;
  }

  get size(): number {
    return this.parts.published.length;
  }

  /** A paper changed or added since the build: its own categories and day from now on. */
  override(id: string, meta: PaperMeta): void {
    this.overrides.set(id, meta);
  }

  forget(id: string): void {
    this.overrides.delete(id);
  }

  /**
   * A test on (paper id, document number) for the given bounds; `doc` is undefined for papers not in
   * the main segment (they must have an override).
   */
  matcher(categories: string[], from?: string, to?: string): (id: string, doc: number | undefined) => boolean {
    const wanted = categories.map((c) => c.toLowerCase());
    const wantedIds = new Set(wanted.flatMap((c) => (this.catOf.has(c) ? [this.catOf.get(c)!] : [])));
    const fromN = from ? dayNumber(from) : 0;
    const toN = to ? dayNumber(to) : 0;
    const { catOffsets, catIds, published } = this.parts;
    return (id, doc) => {
      const o = this.overrides.get(id);
      if (o) {
        if (from && o.published < from) return false;
        if (to && (!o.published || o.published > to)) return false;
        return !wanted.length || o.categories.some((c) => wanted.includes(c));
      }
      if (doc === undefined || doc >= published.length) return false;
      const day = published[doc];
      if (from && day < fromN) return false;
      if (to && (!day || day > toN)) return false;
      if (!wanted.length) return true;
      for (let p = catOffsets[doc]; p < catOffsets[doc + 1]; p++) if (wantedIds.has(catIds[p])) return true;
      return false;
    };
  }
}

/** Collects the rows of a build in document order. */
export class DocMetaBuilder {
  private readonly names: string[] = [];
  private readonly catOf = new Map<string, number>();
  private catIds = new Uint16Array(1 << 12);
  private nCat = 0;
  private readonly offsets: number[] = [0];
  private readonly days: number[] = [];

  add(meta: PaperMeta): void {
    for (const c of meta.categories) {
      let id = this.catOf.get(c);
      if (id === undefined) {
        // Past 65,535 distinct categories the rest are not filterable from the index (arXiv has ~150).
        if (this.names.length >= 0xffff) continue;
        id = this.names.length;
        this.names.push(c);
        this.catOf.set(c, id);
      }
      if (this.nCat === this.catIds.length) {
        const grown = new Uint16Array(this.catIds.length * 2);
        grown.set(this.catIds);
        this.catIds = grown;
      }
      this.catIds[this.nCat++] = id;
    }
    this.offsets.push(this.nCat);
    this.days.push(dayNumber(meta.published));
  }

  finish(): DocMetaTable {
    return new DocMetaTable({ categoryNames: this.names, catOffsets: Uint32Array.from(this.offsets), catIds: this.catIds.slice(0, this.nCat), published: Uint32Array.from(this.days) });
  }
}
