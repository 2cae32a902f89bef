import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { FeedService } from './feed.ts';
import { TrendingService } from './trending.ts';
import { ForYouService } from './for-you.ts';
import { FollowingService } from './following.ts';
import { AccountService } from './accounts.ts';
import { UpvoteService } from './upvotes.ts';
import { CommentService } from './comments.ts';
import { CollectionService } from './collections.ts';
import { ModerationService } from './moderation.ts';
import { SubmissionService, type PaperLookup } from './submissions.ts';
import { UnconfiguredMailSender, type MailSender } from '../mail/sender.ts';
import { ArxivApiClient } from '../ingest/arxiv-api.ts';
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
  trending: TrendingService;
  forYou: ForYouService;
  following: FollowingService;
  accounts: AccountService;
  upvotes: UpvoteService;
  comments: CommentService;
  collections: CollectionService;
  moderation: ModerationService;
  submissions: SubmissionService;
  ingest: IngestService;
  /** Store pool use (PostgreSQL), for /metrics. */
  poolStats?: () => Record<string, number>;
}

/** Outside things a deployment (or a test) may plug in; the defaults talk to the real ones. */
export interface ServiceDeps {
  config: Config;
  logger: Logger;
  store: Store;
  mail?: MailSender;
  arxiv?: PaperLookup;
  poolStats?: () => Record<string, number>;
}

export function createServices(deps: ServiceDeps): Services {
  const { store, config, logger } = deps;
  const mail = deps.mail ?? new UnconfiguredMailSender(logger);
  const arxiv = deps.arxiv ?? new ArxivApiClient({ baseUrl: config.arxivApiUrl });
  return {
    config,
    logger,
    store,
    poolStats: deps.poolStats,
    feed: new FeedService(store),
    trending: new TrendingService(store),
    forYou: new ForYouService(store, { recentDays: config.forYouRecentDays, indexDays: config.forYouIndexDays }),
    following: new FollowingService(store),
    accounts: new AccountService(store, config, mail, logger),
    upvotes: new UpvoteService(store),
    comments: new CommentService(store, config),
    collections: new CollectionService(store),
    moderation: new ModerationService(store),
    submissions: new SubmissionService(store, config, arxiv),
    ingest: new IngestService(store, deps.config, deps.logger),
  };
}
