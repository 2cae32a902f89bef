import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { IndexVersion } from '../store/search-index-files.ts';
import { IndexFileError, readIndexFileHead } from './index-file.ts';
import { readKeywordIndexFile, writeKeywordIndexFile, type KeywordIndexSnapshot } from './keyword-index-file.ts';
import { openPublished, publishedFile, publishFile } from './published-files.ts';

/**
 * How a published keyword index reaches every server:
 *
 * - the version row (`search_index_versions`, in the store) is always the source of truth: which
 *   version is current, its SHA-256, length and format, and the store position it was built at.
 *   Every server polls it, so a new version is picked up without a restart;
 * - the bytes are a file in `dir` (`keyword-index-v<N>.pbidx`). With `via: 'dir'` that directory
 *   is shared (a SQLite deployment: every process is on the machine that has the database file);
 *   with `via: 'store'` the publisher also copies the file into the store in 4 MB chunks
 *   (`search_index_chunks`) and each server downloads a version it does not have into its own
 *   `dir`, which then is only a local cache — servers on PostgreSQL need no shared disk.
 *
 * A file that does not match its version row (missing, truncated, another checksum, an old
 * format) is fetched again from the store when it is there, else reported: the engine rebuilds
 * and publishes a new version, and never serves what it read.
 */
export const KEYWORD_INDEX_NAME = 'keyword';
const FILE_PREFIX = `${KEYWORD_INDEX_NAME}-index`;

export interface PublishedKeywordIndexOptions {
  dir: string;
  via: 'dir' | 'store';
  logger?: Logger;
}

export class PublishedKeywordIndex {
  constructor(
    private readonly store: Store,
    readonly opts: PublishedKeywordIndexOptions,
  ) {}

  /**
   * The local file of a version. Its checksum is in the name: two databases whose servers share a
   * directory by mistake (or test runs) never take each other's version 1 for their own.
   */
  fileFor(v: { version: number; checksum: string }): string {
    return publishedFile(this.opts.dir, FILE_PREFIX, v);
  }

  latest(): Promise<IndexVersion | null> {
    return this.store.searchIndexFiles.latest(KEYWORD_INDEX_NAME);
  }

  /** Whether the local file of a version is there with the published length and checksum in its head. */
  async headMatches(v: IndexVersion): Promise<boolean> {
    try {
      const head = readIndexFileHead(this.fileFor(v));
      return head.bytes === v.bytes && head.checksum === v.checksum;
    } catch (err) {
      if (err instanceof IndexFileError) return false;
      throw err;
    }
  }

  /** Opens a published version; an `IndexFileError` when it cannot be served. */
  open(v: IndexVersion): Promise<KeywordIndexSnapshot> {
    const expect = { checksum: v.checksum, bytes: v.bytes };
    return openPublished({ store: this.store, ...this.opts }, v, this.fileFor(v), (file) => readKeywordIndexFile(file, expect));
  }

  /**
   * Writes a snapshot as the next version: the file, its chunks in the store (`via: 'store'`),
   * then the version row that makes it current; older versions but the previous one are dropped.
   * The caller holds the publishing lease.
   */
  publish(snap: KeywordIndexSnapshot): Promise<IndexVersion> {
    return publishFile({ store: this.store, ...this.opts }, KEYWORD_INDEX_NAME, FILE_PREFIX, (file) => writeKeywordIndexFile(file, snap), () => ({ papers: snap.index.mainSize, cursor: snap.cursor }));
  }
}
