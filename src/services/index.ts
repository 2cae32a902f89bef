import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import path from 'node:path';
import { FeedService } from './feed.ts';
import { TrendingService } from './trending.ts';
import { ForYouService } from './for-you.ts';
import { FollowingService } from './following.ts';
import { FlashService } from './flash.ts';
import { DailyPapersService } from './daily-papers.ts';
import { FeedsService } from './feeds.ts';
import { IngestService } from './ingest.ts';
import { MailService } from './mail.ts';
import { SubscriptionService } from './subscriptions.ts';
import { DigestService } from './digest.ts';
import { OutboxSender } from './outbox-sender.ts';
import { AccountService } from './accounts.ts';
import { UpvoteService } from './upvotes.ts';
import { CommentService } from './comments.ts';
import { CollectionService } from './collections.ts';
import { LibraryService } from './library.ts';
import { ZoteroService } from './zotero.ts';
import { ReportService } from './reports.ts';
import { ZoteroClient } from '../ingest/zotero.ts';
import { ModerationService } from './moderation.ts';
import { SubmissionService, type PaperLookup } from './submissions.ts';
import { ReadStateService } from './read-state.ts';
import type { MailSender } from '../mail/sender.ts';
import { ArxivApiClient } from '../ingest/arxiv-api.ts';
import { SearchService, annFileBeside } from './search.ts';
import { StoreKeywordEngine } from '../search/store-keyword-engine.ts';
import { InvertedIndexEngine } from '../search/inverted-index-engine.ts';
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
  trending: TrendingService;
  forYou: ForYouService;
  following: FollowingService;
  /** One-time messages shown after a form's redirect. */
  flash: FlashService;
  dailyPapers: DailyPapersService;
  feeds: FeedsService;
  ingest: IngestService;
  mail: MailService;
  subscriptions: SubscriptionService;
  digests: DigestService;
  outbox: OutboxSender;
  accounts: AccountService;
  upvotes: UpvoteService;
  readState: ReadStateService;
  comments: CommentService;
  collections: CollectionService;
  library: LibraryService;
  zotero: ZoteroService;
  reports: ReportService;
  moderation: ModerationService;
  submissions: SubmissionService;
  search: SearchService;
  /** Store pool use (PostgreSQL), for /metrics. */
  poolStats?: () => Record<string, number>;
  /** Releases what services hold open (the SMTP connection pool, the search index). */
  close(): Promise<void>;
}

/** Outside things a deployment (or a test) may plug in; the defaults talk to the real ones. */
export interface ServiceDeps {
  config: Config;
  logger: Logger;
  store: Store;
  /** Defaults to SMTP (SMTP_URL) or, without it, `.eml` files under MAIL_DIR. */
  mail?: MailSender;
  arxiv?: PaperLookup;
  /** Store pool use (PostgreSQL), for /metrics. */
  poolStats?: () => Record<string, number>;
}

/** `fetch` that gives up after `ms` (a server that accepts the connection and never answers included). */
function fetchWithTimeout(ms: number): typeof fetch {
  return (input, init = {}) => {
    const timeout = AbortSignal.timeout(ms);
    return fetch(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
}

export function createServices(deps: ServiceDeps): Services {
  const { store, config, logger } = deps;
  const mail = new MailService(config, store, deps.mail);
  // Look-ups made while a visitor waits (submissions) fail fast: each request is cut off at the
  // deadline and SubmissionService answers by then whatever the retries do (`fetch` in the CLI
  // keeps the patient client).
  const arxiv = deps.arxiv ?? new ArxivApiClient({ baseUrl: config.arxivApiUrl, fetch: fetchWithTimeout(config.arxivLookupTimeoutMs) });
  const sqlitePath = isPostgresUrl(config.db) || config.db === ':memory:' ? undefined : path.resolve(config.db);
  const search = new SearchService(store, {
    engine: config.searchKeywordEngine === 'memory' ? new InvertedIndexEngine(store, new StoreKeywordEngine(store)) : new StoreKeywordEngine(store),
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
  const forYou = new ForYouService(store, { recentDays: config.forYouRecentDays, indexDays: config.forYouIndexDays });
  const following = new FollowingService(store);
  const collections = new CollectionService(store);
  const library = new LibraryService(store, collections, search);
  const moderation = new ModerationService(store);
  const comments = new CommentService(store, config);
  return {
    config,
    logger,
    store,
    poolStats: deps.poolStats,
    feed: new FeedService(store),
    trending: new TrendingService(store),
    forYou,
    following,
    flash: new FlashService(store),
    dailyPapers: new DailyPapersService(store),
    feeds: new FeedsService(store, async (q, limit) => (await search.search({ q, limit })).results.map((r) => r.paper)),
    ingest: new IngestService(store, deps.config, deps.logger),
    mail,
    subscriptions: new SubscriptionService(store, mail, logger),
    digests: new DigestService(config, store, mail, logger, { forYou, following }),
    outbox: new OutboxSender(config, store, mail.sender, logger),
    close: async () => {
      await mail.close();
      await search.close();
    },
    accounts: new AccountService(store, config, mail.sender, logger),
    upvotes: new UpvoteService(store),
    readState: new ReadStateService(store),
    comments,
    reports: new ReportService(store, moderation, comments),
    collections,
    library,
    zotero: new ZoteroService(store, collections, library, new ZoteroClient({ baseUrl: config.zoteroApiUrl }), logger),
    moderation,
    submissions: new SubmissionService(store, config, arxiv, config.arxivLookupTimeoutMs, (err) => logger.warn({ err: err.message }, 'arXiv look-up for a submission failed')),
    search,
  };
}
