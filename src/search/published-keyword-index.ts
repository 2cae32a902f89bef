import type { Store } from '../store/store.ts';
import { KEYWORD_INDEX_FORMAT, readKeywordIndexFile, writeKeywordIndexFile, type KeywordIndexSnapshot } from './keyword-index-file.ts';
import { PublishedIndex, type IndexCodec, type PublishedIndexOptions } from './published-index.ts';

/**
 * The keyword index as published files (`published-index.ts` says how they reach every server):
 * its version rows are named `keyword`, its files `keyword-index-v<N>-<checksum>.pbidx`, and the
 * store position a version records is the newest (modified_at, id) it was built from.
 */
export const KEYWORD_INDEX_NAME = 'keyword';

const keywordIndexCodec: IndexCodec<KeywordIndexSnapshot> = {
  name: KEYWORD_INDEX_NAME,
  format: KEYWORD_INDEX_FORMAT,
  write: writeKeywordIndexFile,
  read: readKeywordIndexFile,
  describe: (snap) => ({ papers: snap.index.mainSize, cursor: snap.cursor, papersMark: snap.papersMark ?? null }),
};

export type PublishedKeywordIndexOptions = PublishedIndexOptions;

export class PublishedKeywordIndex extends PublishedIndex<KeywordIndexSnapshot> {
  constructor(store: Store, opts: PublishedIndexOptions) {
    super(store, opts, keywordIndexCodec);
  }
}
