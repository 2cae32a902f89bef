import type { Store } from '../store/store.ts';
import type { Logger } from '../logger.ts';
import type { KeywordEngine } from './keyword-engine.ts';
import { StoreKeywordEngine } from './store-keyword-engine.ts';

/**
 * `SEARCH_KEYWORD_ENGINE` names one of these: `store` answers from the store's own full-text index
 * (FTS5 / tsvector); an in-memory pruned BM25 index registers itself here too.
 */
export type KeywordEngineFactory = (ctx: { store: Store; logger: Logger }) => KeywordEngine;

export const KEYWORD_ENGINES: Record<string, KeywordEngineFactory> = {
  store: ({ store }) => new StoreKeywordEngine(store),
};

export function keywordEngineFactory(name: string): KeywordEngineFactory | null {
  return Object.hasOwn(KEYWORD_ENGINES, name) ? KEYWORD_ENGINES[name] : null;
}
