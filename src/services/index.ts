import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import path from 'node:path';
import { FeedService } from './feed.ts';
import { DailyPapersService } from './daily-papers.ts';
import { FeedsService } from './feeds.ts';
import { SearchService, annFileBeside } from './search.ts';
import { StoreKeywordEngine } from '../search/store-keyword-engine.ts';
import { keywordEngineFactory } from '../search/keyword-engines.ts';
import { embedderProvider } from '../search/embedder-providers.ts';
import { isPostgresUrl } from '../store/db.ts';
import { IngestService } from './ingest.ts';

/**
 * The composition root's output: what HTTP routes, CLI commands and jobs may use. Routes and
 * commands call services; services call the store.
 */
export interface Services {
  config: Config;
  logger: Logger;
  store: Store;
  feed: FeedService;
  dailyPapers: DailyPapersService;
  feeds: FeedsService;
  search: SearchService;
  ingest: IngestService;
  /** Store pool use (PostgreSQL), for /metrics. */
  poolStats?: () => Record<string, number>;
}

export function createServices(deps: { config: Config; logger: Logger; store: Store; poolStats?: () => Record<string, number> }): Services {
  const { store, config, logger } = deps;
  const sqlitePath = isPostgresUrl(config.db) || config.db === ':memory:' ? undefined : path.resolve(config.db);
  const engineFactory = keywordEngineFactory(config.searchKeywordEngine);
  if (!engineFactory) logger.warn({ engine: config.searchKeywordEngine }, 'unknown SEARCH_KEYWORD_ENGINE: using the store');
  const search = new SearchService(store, {
    engine: engineFactory ? engineFactory({ store, logger }) : new StoreKeywordEngine(store),
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
    dailyPapers: new DailyPapersService(store),
    // The search feed shows what the search page would: the search service's ranking.
    feeds: new FeedsService(store, async (q, limit) => (await search.search({ q, limit })).results.map((r) => r.paper)),
    search,
    ingest: new IngestService(store, deps.config, deps.logger),
  };
}
