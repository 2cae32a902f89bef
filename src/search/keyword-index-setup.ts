import path from 'node:path';
import { createHash } from 'node:crypto';
import { isPostgresUrl, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { PersistOptions } from './inverted-index-engine.ts';
import type { PublishedIndexOptions } from './published-index.ts';
import { PublishedKeywordIndex } from './published-keyword-index.ts';
import { PublishedAnnIndex } from './published-ann-index.ts';

/**
 * Where and how published index files (the keyword index, the For-you features, the ANN graph) go, from the
 * settings: `SEARCH_INDEX_FILES` (`auto`: beside the SQLite file, or through the store on
 * PostgreSQL), `SEARCH_INDEX_DIR`. Undefined when it is off or the store lives in memory.
 */
export function indexFilesPlace(config: Config, logger?: Logger): PublishedIndexOptions | undefined {
  if (config.searchIndexFiles === 'off' || config.db === ':memory:') return undefined;
  const postgres = isPostgresUrl(config.db);
  const via = config.searchIndexFiles === 'auto' ? (postgres ? 'store' : 'dir') : config.searchIndexFiles;
  // On PostgreSQL the default directory is per database, so two instances on one machine keep apart.
  const dir = config.searchIndexDir
    ? path.resolve(config.searchIndexDir)
    : postgres
      ? path.resolve('data', 'search-index', createHash('sha256').update(config.db).digest('hex').slice(0, 12))
      : `${path.resolve(config.db)}.search-index`;
  return { dir, via, logger };
}

/** The keyword index's persistence (`SEARCH_INDEX_POLL_SECONDS` too), or undefined. */
export function keywordIndexPersistence(config: Config, store: Store, logger?: Logger): PersistOptions | undefined {
  const place = indexFilesPlace(config, logger);
  return place && { files: new PublishedKeywordIndex(store, place), pollMs: config.searchIndexPollSeconds * 1000, logger };
}

/**
 * Where the ANN index is published (`PublishedAnnIndex`): on PostgreSQL only, in the same place as
 * the keyword index. On SQLite each space's graph is a file beside the database (`annFileBeside`).
 */
export function annIndexPublication(config: Config, store: Store, logger?: Logger): PublishedAnnIndex | undefined {
  const place = isPostgresUrl(config.db) ? indexFilesPlace(config, logger) : undefined;
  return place && new PublishedAnnIndex(store, place);
}
