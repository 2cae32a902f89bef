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
import { PaperService } from './papers.ts';
import { BrowseService } from './browse.ts';
import { ProfileService } from './profiles.ts';
import { RateLimitService } from './rate-limits.ts';
import { HealthService } from './health.ts';
import { StatsService } from './stats.ts';
import { RunService } from './runs.ts';
import { HousekeepingService } from './housekeeping.ts';
import { CollectionService } from './collections.ts';
import { LibraryService } from './library.ts';
import { ZoteroService } from './zotero.ts';
import { ReportService } from './reports.ts';
import { AuthorClaimService, type ClaimDecidedEvent } from './author-claims.ts';
import { OrganisationService } from './organisations.ts';
import { ZoteroClient } from '../ingest/zotero.ts';
import { ModerationService } from './moderation.ts';
import { SubmissionService, type PaperLookup } from './submissions.ts';
import { ReadStateService } from './read-state.ts';
import { NotificationService } from './notifications.ts';
import { ContentChanges } from './content-changes.ts';
import { EnrichmentService } from './enrichment/service.ts';
import type { MailSender } from '../mail/sender.ts';
import { ArxivApiClient } from '../ingest/arxiv-api.ts';
import { openSearch, type SearchService } from './search.ts';
import { SimilarListsService } from './similar-lists.ts';
import { ModelRefinementService } from './model-refinement.ts';
import { annFileBeside, type SearchIndexService } from './search-index.ts';
import { StoreKeywordEngine } from '../search/store-keyword-engine.ts';
import { InvertedIndexEngine } from '../search/inverted-index-engine.ts';
import { annIndexPublication, indexFilesPlace, keywordIndexPersistence } from '../search/keyword-index-setup.ts';
import { PublishedIndex } from '../search/published-index.ts';
import { forYouFeaturesCodec } from '../discovery/for-you-features-file.ts';
import { embedderProvider, type Meanwhile } from '../search/embedder-providers.ts';
import { sourceOf } from './embedding-spaces.ts';
import { AfterResponse } from './after-response.ts';
import { MailCooldown } from './mail-cooldown.ts';
import { isPostgresUrl } from '../config.ts';

/**
 * The composition root's output: what HTTP routes, CLI commands and jobs may use. Routes and
 * commands call services; services call the store, which is not exposed here.
 */
export interface Services {
  config: Config;
  /** The in-memory keyword index (`SEARCH_KEYWORD_ENGINE=memory`), for reindex's publishing phase and the worker's merge; null otherwise. */
  keywordIndex: InvertedIndexEngine | null;
  logger: Logger;
  runs: RunService;
  housekeeping: HousekeepingService;
  papers: PaperService;
  browse: BrowseService;
  profiles: ProfileService;
  rateLimits: RateLimitService;
  health: HealthService;
  stats: StatsService;
  feed: FeedService;
  trending: TrendingService;
  forYou: ForYouService;
  following: FollowingService;
  /** One-time messages shown after a form's redirect. */
  flash: FlashService;
  dailyPapers: DailyPapersService;
  feeds: FeedsService;
  ingest: IngestService;
  /** Changes readers see made outside a request (enrichments, harvests, imports), for the page cache. */
  changes: ContentChanges;
  mail: MailService;
  subscriptions: SubscriptionService;
  digests: DigestService;
  outbox: OutboxSender;
  accounts: AccountService;
  upvotes: UpvoteService;
  readState: ReadStateService;
  notifications: NotificationService;
  comments: CommentService;
  collections: CollectionService;
  library: LibraryService;
  zotero: ZoteroService;
  reports: ReportService;
  claims: AuthorClaimService;
  orgs: OrganisationService;
  moderation: ModerationService;
  submissions: SubmissionService;
  search: SearchService;
  /** Keeps the search indexes in step with the store (catch-up, reindex, background embedding). */
  searchIndex: SearchIndexService;
  /** Each paper's stored similar-papers list (written by reindex and the background job, read by paper pages). */
  similarLists: SimilarListsService;
  /** The background contrastive refinement of the offline model (job `search:refine-model`). */
  modelRefinement: ModelRefinementService;
  /** Enrichments (thumbnails and PDF text, code and stars, TL;DR and keywords, hub artifacts) as pages and the API read them, and the runner that makes them (background only). */
  enrichment: EnrichmentService;
  /**
   * Trains the configured embedder's model (when it has one to train), running `meanwhile` (the
   * full-text rebuild) alongside where it can; false when the embedder does not learn from the papers.
   */
  trainEmbedder(onProgress?: (phase: string, done: number, total: number) => void, meanwhile?: Meanwhile): Promise<boolean>;
  /** Store pool use (PostgreSQL), for /metrics. */
  poolStats?: () => Record<string, number>;
  /** Mails still being sent after their request was answered (sign-up, password reset). */
  afterResponse: AfterResponse;
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
  /**
   * The process's shutdown deadline (`serve`, `worker`): every outbound call the services make
   * (arXiv, SMTP, the embeddings server, Zotero), with its pauses and retries, is aborted when it aborts.
   */
  shutdown?: AbortSignal;
  /** Called once each time a moderator approves or refuses an author claim (notifications hook in here). */
  onClaimDecided?: (e: ClaimDecidedEvent) => void | Promise<void>;
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
  const mail = new MailService(config, store, deps.mail, deps.shutdown);
  // Look-ups made while a visitor waits (submissions) fail fast: each request is cut off at the
  // deadline and SubmissionService answers by then whatever the retries do (`fetch` in the CLI
  // keeps the patient client); the shutdown deadline still aborts them.
  const arxiv = deps.arxiv ?? new ArxivApiClient({ baseUrl: config.arxivApiUrl, fetch: fetchWithTimeout(config.arxivLookupTimeoutMs), signal: deps.shutdown });
  const sqlitePath = isPostgresUrl(config.db) || config.db === ':memory:' ? undefined : path.resolve(config.db);
  const openEmbedder = (c: Config) => {
    const provider = embedderProvider(c.searchEmbedder);
    if (!provider) {
      logger.debug({ embedder: c.searchEmbedder }, 'no such embedder here yet: keyword search only');
      return Promise.resolve(null);
    }
    return provider.open({ config: c, store, logger, sqlitePath, signal: deps.shutdown });
  };
  const configured = embedderProvider(config.searchEmbedder);
  // The in-memory keyword index, loaded from its published file when there is one (SEARCH_INDEX_FILES).
  const keywordIndex = config.searchKeywordEngine === 'memory' ? new InvertedIndexEngine(store, new StoreKeywordEngine(store), {}, 0.1, keywordIndexPersistence(config, store, logger)) : null;
  const { search, index: searchIndex } = openSearch(store, {
    engine: keywordIndex ?? new StoreKeywordEngine(store),
    embedder: () => openEmbedder(config),
    embedderSource: { provider: config.searchEmbedder, model: config.embeddingsModel },
    // The local model, retrained by `paperboy reindex` under a running server: which one the store holds now.
    embedderIdNow: configured?.currentId && (() => configured.currentId!({ config, store, logger, sqlitePath })),
    // The model of an older space, to embed queries in it while the configured one is embedded.
    reopenSpace: (space) => {
      const source = sourceOf(space);
      return source.provider ? openEmbedder({ ...config, searchEmbedder: source.provider, embeddingsModel: source.model ?? config.embeddingsModel }) : Promise.resolve(null);
    },
    embedBudgetMs: config.searchEmbedBudgetMs,
    catchUpBudgetMs: config.searchCatchUpBudgetMs,
    indexFile: annFileBeside(sqlitePath),
    annFiles: annIndexPublication(config, store, logger),
    logger,
  });
  const after = new AfterResponse(logger);
  const cooldown = new MailCooldown(store, config);
  // The For-you features, loaded from their published file when there is one (same settings and directory as the keyword index's).
  const indexFiles = indexFilesPlace(config, logger);
  const forYou = new ForYouService(
    store,
    { recentDays: config.forYouRecentDays, indexDays: config.forYouIndexDays },
    indexFiles && { files: new PublishedIndex(store, indexFiles, forYouFeaturesCodec), pollMs: config.searchIndexPollSeconds * 1000, logger },
  );
  const following = new FollowingService(store);
  const collections = new CollectionService(store);
  const library = new LibraryService(store, collections, search);
  const moderation = new ModerationService(store);
  const notifications = new NotificationService(store, mail, logger);
  const comments = new CommentService(store, config);
  const runs = new RunService(store, logger);
  const changes = new ContentChanges();
  const enrichment = new EnrichmentService(store, config, logger, { signal: deps.shutdown, onChange: () => changes.notify() });
  return {
    config,
    logger,
    runs,
    housekeeping: new HousekeepingService(store, { notificationsKeepDays: config.notificationsKeepDays }),
    poolStats: deps.poolStats,
    afterResponse: after,
    papers: new PaperService(store, comments),
    browse: new BrowseService(store),
    profiles: new ProfileService(store),
    rateLimits: new RateLimitService(store),
    health: new HealthService(store),
    stats: new StatsService(store),
    feed: new FeedService(store),
    trending: new TrendingService(store),
    forYou,
    following,
    flash: new FlashService(store),
    dailyPapers: new DailyPapersService(store),
    feeds: new FeedsService(store, async (q, limit) => (await search.search({ q, limit })).results.map((r) => r.paper)),
    ingest: new IngestService(store, deps.config, deps.logger, runs, deps.shutdown, () => changes.notify()),
    changes,
    mail,
    subscriptions: new SubscriptionService(store, mail, logger, cooldown),
    digests: new DigestService(config, store, mail, logger, { forYou, following }),
    outbox: new OutboxSender(config, store, mail.sender, logger),
    close: async () => {
      await after.drain();
      await mail.close();
      await searchIndex.close();
      await enrichment.close();
    },
    accounts: new AccountService(store, config, mail.sender, logger, after, cooldown),
    upvotes: new UpvoteService(store, changes),
    readState: new ReadStateService(store),
    notifications,
    comments,
    reports: new ReportService(store, moderation, comments),
    claims: new AuthorClaimService(store, {
      // The claimant hears of the decision in their inbox (and by mail if they asked for it).
      onClaimDecided: async (e) => {
        const outcome = e.decision === 'approve' ? 'approved' : e.decision === 'revoke' ? 'revoked' : 'refused';
        // A revocation follows the approval of the same claim: its own event, so its own key.
        await notifications.notify('claim_decided', { userId: e.userId, actorId: null, paperId: e.paperId, commentId: null, detail: { outcome }, dedupeKey: e.decision === 'revoke' ? `claim:${e.claimId}:revoke` : `claim:${e.claimId}` });
        await deps.onClaimDecided?.(e);
      },
    }),
    orgs: new OrganisationService(store),
    collections,
    library,
    zotero: new ZoteroService(store, collections, library, new ZoteroClient({ baseUrl: config.zoteroApiUrl, signal: deps.shutdown }), logger),
    moderation,
    submissions: new SubmissionService(store, config, arxiv, config.arxivLookupTimeoutMs, (err) => logger.warn({ err: err.message }, 'arXiv look-up for a submission failed')),
    search,
    keywordIndex,
    searchIndex,
    similarLists: new SimilarListsService(store, search),
    modelRefinement: new ModelRefinementService(store, { enabled: config.searchEmbedder === 'local' && config.searchRefine, logger }),
    enrichment,
    trainEmbedder: async (onProgress, meanwhile) => {
      const provider = embedderProvider(config.searchEmbedder);
      if (!provider?.train) {
        await meanwhile?.({ running: false });
        return false;
      }
      await provider.train({ config, store, logger, sqlitePath }, onProgress, meanwhile);
      return true;
    },
  };
}
