import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { FeedService } from './feed.ts';
import { DailyPapersService } from './daily-papers.ts';
import { FeedsService } from './feeds.ts';

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
  /** Store pool use (PostgreSQL), for /metrics. */
  poolStats?: () => Record<string, number>;
}

export function createServices(deps: { config: Config; logger: Logger; store: Store; poolStats?: () => Record<string, number> }): Services {
  const { store } = deps;
  return {
    ...deps,
    feed: new FeedService(store),
    dailyPapers: new DailyPapersService(store),
    feeds: new FeedsService(store),
  };
}
