import { keywordEngineContract } from '../helpers/keyword-engine-contract.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';

// The two keyword engines, each on SQLite and PostgreSQL.
keywordEngineContract('store (FTS5 / tsvector)', (store) => new StoreKeywordEngine(store));
keywordEngineContract('memory (BM25 MaxScore over the store)', (store) => new InvertedIndexEngine(store, new StoreKeywordEngine(store)));
