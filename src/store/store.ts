import { sql, type Kysely } from 'kysely';
import { pendingMigrations } from './migrate.ts';
import type { Database } from './schema.ts';
import type { DialectName } from './dialect.ts';
import { dialectOf } from './dialect.ts';
import type { SqliteBulk } from './sqlite-bulk.ts';
import type { PgCopy } from './pg-copy.ts';
import { PaperRepository } from './papers.ts';
import { FeedRepository } from './feed.ts';
import { RunRepository } from './runs.ts';
import { LeaseRepository } from './leases.ts';
import { RateLimitRepository } from './rate-limits.ts';
import { HarvestStateRepository } from './harvest-state.ts';
import { SubscriptionRepository } from './subscriptions.ts';
import { OutboxRepository } from './outbox.ts';
import { UserRepository } from './users.ts';
import { SessionRepository } from './sessions.ts';
import { ApiTokenRepository } from './api-tokens.ts';
import { PasswordResetRepository } from './password-resets.ts';
import { LoginFailureRepository } from './login-failures.ts';
import { UpvoteRepository } from './upvotes.ts';
import { CommentRepository } from './comments.ts';
import { CollectionRepository } from './collections.ts';
import { AuditLogRepository } from './audit-log.ts';
import { SearchRepository } from './search.ts';
import { SimilarListRepository } from './similar-lists.ts';
import { EmbeddingSpaceRepository } from './embedding-spaces.ts';
import { BrowseRepository } from './browse.ts';
import { DiscoveryRepository } from './discovery.ts';
import { CollectionFeedRepository } from './collection-feeds.ts';
import { FlashRepository } from './flashes.ts';
import { ZoteroRepository } from './zotero.ts';
import { ReportRepository } from './reports.ts';
import { AuthorClaimRepository } from './author-claims.ts';
import { OrganisationRepository } from './organisations.ts';
import { AccountConfirmationRepository } from './account-confirmations.ts';
import { SubmissionQuotaRepository } from './submission-quota.ts';
import { ReadRepository } from './reads.ts';
import { NotificationRepository } from './notifications.ts';
import { SearchIndexFileRepository } from './search-index-files.ts';
import { EnrichmentRepository } from './enrichment.ts';

/**
 * The repositories over one database handle (or one transaction). Repositories are the only code
 * that touches SQL; everything else talks to a Store.
 */
export class Store {
  readonly dialect: DialectName;
  readonly papers: PaperRepository;
  readonly feed: FeedRepository;
  readonly runs: RunRepository;
  readonly leases: LeaseRepository;
  readonly rateLimits: RateLimitRepository;
  readonly harvestState: HarvestStateRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly outbox: OutboxRepository;
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly passwordResets: PasswordResetRepository;
  readonly loginFailures: LoginFailureRepository;
  readonly upvotes: UpvoteRepository;
  readonly comments: CommentRepository;
  readonly collections: CollectionRepository;
  readonly auditLog: AuditLogRepository;
  readonly search: SearchRepository;
  readonly similarLists: SimilarListRepository;
  readonly embeddingSpaces: EmbeddingSpaceRepository;
  readonly browse: BrowseRepository;
  readonly discovery: DiscoveryRepository;
  readonly collectionFeeds: CollectionFeedRepository;
  readonly flashes: FlashRepository;
  readonly zotero: ZoteroRepository;
  readonly reports: ReportRepository;
  readonly authorClaims: AuthorClaimRepository;
  readonly organisations: OrganisationRepository;
  readonly accountConfirmations: AccountConfirmationRepository;
  readonly submissionQuota: SubmissionQuotaRepository;
  readonly reads: ReadRepository;
  readonly notifications: NotificationRepository;
  readonly searchIndexFiles: SearchIndexFileRepository;
  readonly enrichment: EnrichmentRepository;

  /** `bulk`: prepared-statement fast paths on SQLite (absent on PostgreSQL); `pgCopy`: COPY on PostgreSQL through `pg`. */
  constructor(
    private readonly db: Kysely<Database>,
    readonly bulk?: SqliteBulk,
    private readonly pgCopy?: PgCopy,
  ) {
    this.dialect = dialectOf(db);
    this.papers = new PaperRepository(db, bulk, pgCopy);
    this.feed = new FeedRepository(db, bulk, pgCopy);
    this.runs = new RunRepository(db);
    this.leases = new LeaseRepository(db);
    this.rateLimits = new RateLimitRepository(db);
    this.harvestState = new HarvestStateRepository(db);
    this.subscriptions = new SubscriptionRepository(db);
    this.outbox = new OutboxRepository(db);
    this.users = new UserRepository(db);
    this.sessions = new SessionRepository(db);
    this.apiTokens = new ApiTokenRepository(db);
    this.passwordResets = new PasswordResetRepository(db);
    this.loginFailures = new LoginFailureRepository(db);
    this.upvotes = new UpvoteRepository(db);
    this.comments = new CommentRepository(db);
    this.collections = new CollectionRepository(db);
    this.auditLog = new AuditLogRepository(db);
    this.search = new SearchRepository(db, bulk);
    this.similarLists = new SimilarListRepository(db);
    this.embeddingSpaces = new EmbeddingSpaceRepository(db);
    this.accountConfirmations = new AccountConfirmationRepository(db);
    this.submissionQuota = new SubmissionQuotaRepository(db);
    this.browse = new BrowseRepository(db);
    this.discovery = new DiscoveryRepository(db);
    this.collectionFeeds = new CollectionFeedRepository(db);
    this.flashes = new FlashRepository(db);
    this.zotero = new ZoteroRepository(db);
    this.reports = new ReportRepository(db);
    this.authorClaims = new AuthorClaimRepository(db);
    this.organisations = new OrganisationRepository(db);
    this.reads = new ReadRepository(db);
    this.notifications = new NotificationRepository(db);
    this.searchIndexFiles = new SearchIndexFileRepository(db);
    this.enrichment = new EnrichmentRepository(db);
  }

  /** Whether the database answers, and the migrations this code knows that it has not run (for /readyz). */
  async health(): Promise<{ pendingMigrations: string[] }> {
    await sql`select 1`.execute(this.db);
    return { pendingMigrations: await pendingMigrations(this.db) };
  }

  /** Runs `fn` in one transaction: every repository it uses writes or rolls back together. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new Store(trx, this.bulk, this.pgCopy)));
  }
}
