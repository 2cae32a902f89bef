import type { PaperWithStats } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import { InvertedIndex, type Bm25Options, type IndexedDoc } from './inverted-index.ts';
import type { KeywordEngine, KeywordHit, KeywordSearchOptions, MatchCount } from './keyword-engine.ts';
import { searchFilters, type ParsedQuery } from '../domain/search-query.ts';
import { tokenize } from './tokenize.ts';
import { queryTermsWithVariants } from './spelling-variants.ts';

/**
 * The default keyword engine: ranked word queries (the common case) go to the in-memory BM25F
 * index with MaxScore pruning; what needs positions or other orders — phrases, exclusions,
 * `author:`, sorting by date or upvotes — goes to the store's own full-text index (`fallback`),
 * which is kept current as well. The index is built from the store on first use and follows it
 * through `catchUp` (papers modified since the last look); a rebuild folds the changes in.
 */
interface DocMeta {
  categories: string[];
  /** YYYY-MM-DD or '' */
  published: string;
}

const PAGE = 5000;

export class InvertedIndexEngine implements KeywordEngine {
  readonly name = 'bm25-maxscore';
  private index: InvertedIndex | null = null;
  private building?: Promise<number>;
  private readonly meta = new Map<string, DocMeta>();
  private cursor: { modifiedAt: string; id: string } = { modifiedAt: '', id: '' };
  /** The store's mark of other processes' writes when this index last scanned for them. */
  private otherWriters: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly fallback: KeywordEngine,
    private readonly options: Partial<Bm25Options> = {},
    /** Rebuild once changes since the build exceed this share of the index. */
    private readonly rebuildRatio = 0.1,
  ) {}

  /** Whether `search` can answer `q` from the in-memory index. */
  static handles(q: ParsedQuery, opts: KeywordSearchOptions): boolean {
    return opts.sort === 'relevance' && q.terms.length > 0 && !q.phrases.length && !q.excluded.length && !q.authors.length;
  }

  async search(q: ParsedQuery, opts: KeywordSearchOptions): Promise<KeywordHit[]> {
    if (!InvertedIndexEngine.handles(q, opts)) return this.fallback.search(q, opts);
    const index = await this.ready();
    const filter = this.filterFor(q, opts);
    const limit = Math.max(0, Math.floor(opts.limit));
    const offset = Math.max(0, Math.floor(opts.offset ?? 0));
    // Ranking is top-k: a page at `offset` ranks the hits before it too and skips them. A few spare
    // hits cover papers hidden by moderation since the index last looked. Each word is also searched
    // as its more common other spelling ("recognising" → also "recognizing").
    const hits = index.searchTerms(queryTermsWithVariants(q.terms.join(' '), (t) => index.docFrequency(t)), offset + limit + 5, { filter });
    if (!hits.length) return [];
    const visible = await this.store.papers.visibleIds(hits.map((h) => h.id));
    return hits.filter((h) => visible.has(h.id)).slice(offset, offset + limit);
  }

  /** The category and date bounds as a test on a paper id (undefined when there are none). */
  private filterFor(q: ParsedQuery, opts: Pick<KeywordSearchOptions, 'category' | 'from' | 'to'>): ((id: string) => boolean) | undefined {
    const f = searchFilters(q, opts);
    const { from, to } = f;
    const categories = f.categories.map((c) => c.toLowerCase());
    if (!categories.length && !from && !to) return undefined;
    return (id: string) => {
      const m = this.meta.get(id);
      if (!m) return false;
      if (from && m.published < from) return false;
      if (to && (!m.published || m.published > to)) return false;
      return !categories.length || m.categories.some((c) => categories.includes(c));
    };
  }

  /** Word queries are counted from the posting lists (a union, no scoring); the rest by the store. */
  async count(q: ParsedQuery, opts: Omit<KeywordSearchOptions, 'limit' | 'sort'>): Promise<MatchCount> {
    if (!InvertedIndexEngine.handles(q, { ...opts, limit: 1, sort: 'relevance' })) {
      return this.fallback.count ? this.fallback.count(q, opts) : { total: 0, exact: false };
    }
    const index = await this.ready();
    // Papers hidden since the index last looked are still counted until the next catch-up: an estimate.
    return index.countMatches(tokenize(q.terms.join(' ')), this.filterFor(q, opts));
  }

  async corrections(words: string[]): Promise<Map<string, string>> {
    return (await this.ready()).corrections(words);
  }

  /**
   * Cheap enough to run before every search: the store's full-text queue says which papers changed
   * here, and exactly those are folded in; the scan of papers modified since the last look runs only
   * when another process may have written (SQLite's data version moved; on PostgreSQL an index
   * makes the scan cheap). Scanning on every search cost 26 ms at 20,000 papers on SQLite, which
   * has no index on `modified_at` (one cost the import writer a third more time).
   */
  async catchUp(): Promise<number> {
    if (!this.fallback.catchUpChanged) return this.refresh();
    const ids = await this.fallback.catchUpChanged();
    if (!this.index) return ids.length;
    for (let i = 0; i < ids.length; i += PAGE) {
      const chunk = ids.slice(i, i + PAGE);
      const found = await this.store.papers.getMany(chunk);
      for (const p of found) this.apply(p);
      const seen = new Set(found.map((p) => p.id));
      for (const id of chunk) if (!seen.has(id)) this.forget(id);
    }
    const mark = await this.store.papers.otherWritersMark();
    if (mark === null || mark !== this.otherWriters) {
      this.otherWriters = mark;
      return Math.max(ids.length, await this.scanModified());
    }
    await this.rebuildIfWorn();
    return ids.length;
  }

  /** Everything `catchUp` might not see: the full-text queue, then every paper modified since the last look. */
  async refresh(): Promise<number> {
    const n = await this.fallback.catchUp();
    return Math.max(n, await this.scanModified());
  }

  private async scanModified(): Promise<number> {
    if (!this.index) return 0;
    let changed = 0;
    for (;;) {
      const page = await this.store.papers.modifiedSince(this.cursor, PAGE);
      for (const p of page) {
        this.apply(p);
        changed++;
      }
      if (page.length) this.cursor = { modifiedAt: page[page.length - 1].modifiedAt, id: page[page.length - 1].id };
      if (page.length < PAGE) break;
    }
    await this.rebuildIfWorn();
    return changed;
  }

  private async rebuildIfWorn(): Promise<void> {
    if (this.index && this.index.pendingChanges > Math.max(1000, this.rebuildRatio * this.index.size)) await this.build();
  }

  async warm(): Promise<void> {
    await this.ready();
  }

  async rebuild(): Promise<number> {
    await this.fallback.rebuild();
    return this.build();
  }

  /** Bytes the in-memory index holds (0 before first use). */
  memoryBytes(): number {
    return this.index?.memoryBytes() ?? 0;
  }

  private async ready(): Promise<InvertedIndex> {
    if (!this.index) await this.build();
    return this.index!;
  }

  private build(): Promise<number> {
    this.building ??= this.load().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async load(): Promise<number> {
    const cursor = (await this.store.papers.lastModified()) ?? { modifiedAt: '', id: '' };
    const docs: IndexedDoc[] = [];
    this.meta.clear();
    // By id, the primary key: a keyset on the newest-first order rescanned every paper of the same
    // day before each page (minutes at 1M papers).
    let after = '';
    for (;;) {
      const page = await this.store.papers.listById(PAGE, after);
      for (const p of page) {
        docs.push({ id: p.id, title: p.title, abstract: p.abstract });
        this.meta.set(p.id, metaOf(p));
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].id;
    }
    this.index = InvertedIndex.build(docs, this.options);
    this.cursor = cursor;
    // Papers written while the pages were read are picked up by the next catch-up.
    return docs.length;
  }

  private forget(id: string): void {
    this.index!.remove(id);
    this.meta.delete(id);
  }

  private apply(p: PaperWithStats): void {
    if (p.hidden || p.deleted) return this.forget(p.id);
    this.index!.upsert({ id: p.id, title: p.title, abstract: p.abstract });
    this.meta.set(p.id, metaOf(p));
  }
}

function metaOf(p: PaperWithStats): DocMeta {
  return { categories: p.categories.map((c) => c.toLowerCase()), published: (p.publishedAt ?? '').slice(0, 10) };
}
