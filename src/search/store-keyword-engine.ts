import type { Store } from '../store/store.ts';
import { DEFAULT_FIELD_WEIGHTS, type FieldWeights } from './fusion.ts';
import type { KeywordEngine, KeywordHit, KeywordSearchOptions } from './keyword-engine.ts';
import type { ParsedQuery } from './query.ts';

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
    const categories = [...q.categories, ...(opts.category ? [opts.category] : [])];
    return this.store.search.keyword(q, { from: opts.from ?? q.from, to: opts.to ?? q.to, categories }, opts.sort, opts.limit, this.weights);
  }

  async catchUp(): Promise<number> {
    return (await this.catchUpChanged()).length;
  }

  catchUpChanged(): Promise<string[]> {
    return this.store.search.drainFullTextQueue();
  }

  rebuild(): Promise<number> {
    return this.store.search.rebuildFullText();
  }
}
