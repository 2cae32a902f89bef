import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import path from 'node:path';
import { FeedService } from './feed.ts';
import { SearchService, annFileBeside } from './search.ts';
import { StoreKeywordEngine } from '../search/store-keyword-engine.ts';
import { embedderProvider } from '../search/embedder-providers.ts';
import { isPostgresUrl } from '../store/db.ts';

/**
 * The composition root's output: what HTTP routes, CLI commands and jobs may use. Routes and
 * commands call services; services call the store.
 */
export interface Services {
  config: Config;
  logger: Logger;
  store: Store;
  feed: FeedService;
  search: SearchService;
  /** Store pool use (PostgreSQL), for /metrics. */
  poolStats?: () => Record<string, number>;
}

export function createServices(deps: { config: Config; logger: Logger; store: Store; poolStats?: () => Record<string, number> }): Services {
  const { store, config, logger } = deps;
  const sqlitePath = isPostgresUrl(config.db) || config.db === ':memory:' ? undefined : path.resolve(config.db);
  const search = new SearchService(store, {
    engine: new StoreKeywordEngine(store),
    embedder: async () => {
      const provider = embedderProvider(config.searchEmbedder);
      if (!provider) {
        logger.debug({ embedder: config.searchEmbedder }, 'no such embedder here yet: keyword search only');
        return null;
      }
      return provider.open({ config, store, logger, sqlitePath });
    },
    indexFile: annFileBeside(sqlitePath),
    logger,
  });
  return {
    ...deps,
    feed: new FeedService(store),
    search,
  };
}
