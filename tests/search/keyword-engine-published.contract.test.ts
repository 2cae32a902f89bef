import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { keywordEngineContract } from '../helpers/keyword-engine-contract.ts';
import { InvertedIndexEngine } from '../../src/search/inverted-index-engine.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { PublishedKeywordIndex } from '../../src/search/published-keyword-index.ts';

// The in-memory engine with persistence (as `serve` runs it): built, published through the store,
// and served from what it published, with the delta in memory; it keeps the same contract.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-kw-contract-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
keywordEngineContract('memory, published as files', (store) => {
  const files = new PublishedKeywordIndex(store, { dir: path.join(root, String(++n)), via: 'store' });
  return new InvertedIndexEngine(store, new StoreKeywordEngine(store), {}, 0.1, { files, pollMs: 0 });
});
