import type { Store } from '../store/store.ts';
import { DEFAULT_FIELD_WEIGHTS } from './fusion.ts';
import type { KeywordEngine, KeywordHit, KeywordSearchOptions, MatchCount, RebuildOptions } from './keyword-engine.ts';
import { searchFilters, type FieldWeights, type ParsedQuery } from '../domain/search-query.ts';

export const COUNT_CAP = 10_000;

/** Keyword search by the store's own index: FTS5 `bm25()` on SQLite, weighted `ts_rank` on PostgreSQL. */
export class StoreKeywordEngine implements KeywordEngine {
  readonly name: string;

  constructor(
    private readonly store: Store,
    private readonly weights: FieldWeights = DEFAULT_FIELD_WEIGHTS,
  ) {
    this.name = store.dialect === 'sqlite' ? 'fts5' : 'tsvector';
  }

  async search(q: ParsedQuery, opts: KeywordSearchOptions): Promise<KeywordHit[]> {
    return this.store.search.keyword(q, searchFilters(q, opts), opts.sort, { limit: opts.limit, offset: opts.offset }, this.weights);
  }

  /** Counted by the store up to COUNT_CAP matches ("10,000+" beyond): a count never costs more than that. */
  async count(q: ParsedQuery, opts: Omit<KeywordSearchOptions, 'limit' | 'sort'>): Promise<MatchCount> {
    const n = await this.store.search.keywordCount(q, searchFilters(q, opts), COUNT_CAP);
    return { total: n, exact: n < COUNT_CAP };
  }

  async catchUp(): Promise<number> {
    return (await this.catchUpChanged()).length;
  }

  catchUpChanged(): Promise<string[]> {
    return this.store.search.drainFullTextQueue();
  }

  async rebuild(opts: RebuildOptions = {}): Promise<number> {
    if (opts.storeIndex !== 'catch-up') return this.store.search.rebuildFullText();
    await this.catchUp();
    return this.store.papers.count();
  }
}
