import path from 'node:path';
import { createHash } from 'node:crypto';
import { isPostgresUrl, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { PersistOptions } from './inverted-index-engine.ts';
import { PublishedKeywordIndex } from './published-keyword-index.ts';
import { PublishedAnnIndex } from './published-ann-index.ts';

/**
 * Where and how the keyword index is published, from the settings: `SEARCH_INDEX_FILES`
 * (`auto`: beside the SQLite file, or through the store on PostgreSQL), `SEARCH_INDEX_DIR`,
 * `SEARCH_INDEX_POLL_SECONDS`. Undefined when it is off or the store lives in memory.
 */
export function keywordIndexPersistence(config: Config, store: Store, logger?: Logger): PersistOptions | undefined {
  const place = indexFilesPlace(config);
  if (!place) return undefined;
  return { files: new PublishedKeywordIndex(store, { ...place, logger }), pollMs: config.searchIndexPollSeconds * 1000, logger };
}

/**
 * Where the ANN index is published (`PublishedAnnIndex`): on PostgreSQL only, in the same place as
 * the keyword index. On SQLite each space's graph is a file beside the database (`annFileBeside`).
 */
export function annIndexPublication(config: Config, store: Store, logger?: Logger): PublishedAnnIndex | undefined {
  const place = isPostgresUrl(config.db) ? indexFilesPlace(config) : undefined;
  return place && new PublishedAnnIndex(store, { ...place, logger });
}

/** The directory of published index files and how their bytes travel, or undefined when they are off. */
function indexFilesPlace(config: Config): { dir: string; via: 'dir' | 'store' } | undefined {
  if (config.searchIndexFiles === 'off' || config.db === ':memory:') return undefined;
  const postgres = isPostgresUrl(config.db);
  const via = config.searchIndexFiles === 'auto' ? (postgres ? 'store' : 'dir') : config.searchIndexFiles;
  // On PostgreSQL the default directory is per database, so two instances on one machine keep apart.
  const dir = config.searchIndexDir
    ? path.resolve(config.searchIndexDir)
    : postgres
      ? path.resolve('data', 'search-index', createHash('sha256').update(config.db).digest('hex').slice(0, 12))
      : `${path.resolve(config.db)}.search-index`;
  return { dir, via };
}
