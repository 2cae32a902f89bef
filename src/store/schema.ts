import type { Generated } from 'kysely';

/**
 * The database as Kysely sees it. One schema for SQLite and PostgreSQL: text for strings, JSON
 * documents and ISO 8601 timestamps; integers (0/1) for booleans. Features add their tables here
 * and in a migration of their own.
 */
export interface PapersTable {
  id: string;
  source: string;
  version: number | null;
  title: string;
  abstract: string;
  /** JSON array of names, in order. */
  authors: string;
  /** JSON array; the primary category is also in `primary_category`. */
  categories: string;
  primary_category: string | null;
  published_at: string | null;
  updated_at: string | null;
  comment: string | null;
  journal_ref: string | null;
  doi: string | null;
  license: string | null;
  abs_url: string | null;
  pdf_url: string | null;
  /** JSON arrays of normalised URLs. */
  code_urls: string;
  project_urls: string;
  deleted: Generated<number>;
  hidden: Generated<number>;
  upvotes: Generated<number>;
  num_comments: Generated<number>;
  /** Hash of the imported fields: an import that would change nothing writes nothing. */
  content_hash: string;
  created_at: string;
  modified_at: string;
}

export interface FeedEntriesTable {
  /** Each paper is on the feed at most once. */
  paper_id: string;
  day: string;
  position: number;
  submitted_by: string | null;
  created_at: string;
}

export interface RunsTable {
  id: Generated<number>;
  kind: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  /** JSON object of counters (read, inserted, updated, ...). */
  stats: string;
  error: string | null;
}

export interface JobLeasesTable {
  name: string;
  holder: string;
  expires_at: string;
  acquired_at: string;
}

export interface RateLimitsTable {
  key: string;
  /** Unix seconds at the start of the window. */
  window_start: number;
  count: number;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string;
  password_hash: string;
  /** `member` or `admin`. */
  role: Generated<string>;
  banned: Generated<number>;
  created_at: string;
  /** When the owner followed a mailed link to this address; null until then. */
  email_verified_at: string | null;
}

export interface UpvotesTable {
  user_id: number;
  paper_id: string;
  created_at: string;
}

export interface CommentsTable {
  id: Generated<number>;
  paper_id: string;
  user_id: number;
  parent_id: number | null;
  /** Markdown source as written. */
  body: string;
  /** The sanitised HTML of `body`, rendered when written (null only for rows older than migration 1000). */
  body_html: string | null;
  created_at: string;
  edited_at: string | null;
  deleted: Generated<number>;
}

export interface CollectionsTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  description: string | null;
  public: Generated<number>;
  created_at: string;
}

export interface CollectionPapersTable {
  collection_id: number;
  paper_id: string;
  added_at: string;
}

export interface HarvestStateTable {
  key: string;
  metadata_prefix: string;
  set_spec: string | null;
  from_day: string | null;
  until_day: string | null;
  resumption_token: string | null;
  pages: number;
  records: number;
  next_from: string | null;
  started_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface MailSubscriptionsTable {
  id: Generated<number>;
  /** Lower-cased; one subscription per address. */
  email: string;
  user_id: number | null;
  /** `daily` or `weekly`. */
  frequency: string;
  /** JSON array of arXiv categories; empty means all. */
  categories: Generated<string>;
  personal_picks: Generated<number>;
  /** `pending` (not confirmed), `active`, `unsubscribed` or `paused` (repeated permanent failures). */
  status: string;
  /** Permanent delivery failures in a row. */
  bounces: Generated<number>;
  created_at: string;
  updated_at: string;
  confirmed_at: string | null;
  confirm_sent_at: string | null;
  unsubscribed_at: string | null;
}

export interface MailOutboxTable {
  id: Generated<number>;
  subscription_id: number;
  /** `daily:2025-08-01` or `weekly:2025-08-04`; unique with the subscription. */
  period: string;
  to_email: string;
  /** `pending`, `sending` (claimed), `sent`, `failed` (permanent or out of retries). */
  status: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  claim_token: string | null;
  claim_expires_at: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  /** JSON array of the papers in this digest (personal picks never repeat them). */
  paper_ids: string;
}

/** The message itself, apart from the outbox row whose status changes. */
export interface MailOutboxBodiesTable {
  outbox_id: number;
  subject: string;
  /** JSON object of extra headers. */
  headers: string;
  text_body: string;
  html_body: string;
}

export interface MailSecretsTable {
  name: string;
  value: string;
  created_at: string;
}

export interface SessionsTable {
  /** SHA-256 of the cookie value. */
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  /** The first characters of the token, shown so people can tell their tokens apart. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** Space-separated: `read`, `write`, `admin`. */
  scopes: Generated<string>;
  expires_at: string | null;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface LoginFailuresTable {
  key: string;
  failures: number;
  locked_until: string | null;
  updated_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_id: number | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string;
  detail: string | null;
  created_at: string;
}

/** One vector per (paper, embedder): the ANN index is rebuilt from these without re-embedding. */
export interface PaperEmbeddingsTable {
  paper_id: string;
  embedder_id: string;
  /** The paper's integer key in the ANN index (a hash of its id). */
  key: number;
  /** Little-endian float32 array. */
  vector: Uint8Array;
  /** The paper's content hash when it was embedded: a different hash now means re-embed. */
  content_hash: string;
  embedded_at: string;
}

/** A paper's TF-IDF term vector under a local model (migration 1800), written with its vector. */
/** A paper's similar papers as computed (migration 1900): the visible-paper rule applies when read. */
export interface PaperSimilarListsTable {
  paper_id: string;
  embedder_id: string;
  /** The paper's content hash when the list was computed: another hash now means its text changed. */
  content_hash: string;
  /** `[[id, score], …]` as JSON, best first. */
  list: string;
  computed_at: string;
}

export interface PaperTermVectorsTable {
  paper_id: string;
  embedder_id: string;
  /** The paper's content hash when it was written: a different hash now means the text changed. */
  content_hash: string;
  /** `termVectorToBytes`: uint32 ids then float32 weights, little-endian. */
  terms: Uint8Array;
}

/** SQLite only: rowids of papers whose full-text entry must be (re)written. */
export interface SearchPendingTable {
  paper_rowid: number;
}

export interface SearchModelsTable {
  name: string;
  /** The model's own id (an embedder id): changes with every training. */
  model_id: string;
  data: Uint8Array;
  trained_at: string;
}

/** Migration 1400: published search index versions and, when kept in the store, their bytes. */
export interface SearchIndexVersionsTable {
  name: string;
  version: number;
  format: number;
  checksum: string;
  /** PostgreSQL bigint comes back as a string: read through Number(). */
  bytes: number | string;
  papers: number;
  cursor_modified_at: string;
  cursor_id: string;
  stored: number;
  published_at: string;
  /** Migration 2000: the papers' change mark before the build (SQLite keyword index), else null. */
  papers_mark: string | null;
}

export interface SearchIndexChunksTable {
  name: string;
  version: number;
  seq: number;
  data: Uint8Array;
}

export interface EmbeddingSpacesTable {
  embedder_id: string;
  dimensions: number;
  /** JSON `{provider, model}`. */
  source: Generated<string>;
  created_at: string;
  papers_done: Generated<number>;
  papers_total: Generated<number>;
  progress_at: string | null;
  complete_at: string | null;
}

export interface NotInterestedTable {
  user_id: number;
  paper_id: string;
  created_at: string;
}

export interface ReaderInterestsTable {
  id: Generated<number>;
  user_id: number;
  /** `category`, `author` or `paper`. */
  kind: string;
  value: string;
  created_at: string;
}

export interface FollowsTable {
  id: Generated<number>;
  user_id: number;
  /** `author`, `category` or `search`. */
  kind: string;
  value: string;
  created_at: string;
}

/** One-time messages shown after a redirect (see migration 1060). */
/** Papers a reader has seen (migration 1110). */
export interface PaperReadsTable {
  user_id: number;
  paper_id: string;
  /** `opened` (the paper page was shown) or `marked` (the reader said so). */
  how: string;
  seen_at: string;
}

export interface FlashMessagesTable {
  id: string;
  user_id: number | null;
  message: string;
  /** Shown once with the message (a new API token); null for plain messages. */
  secret: string | null;
  expires_at: string;
}

export interface ZoteroLinksTable {
  user_id: number;
  zotero_user: string;
  api_key: string;
  collection_id: number;
  library_version: Generated<number>;
  items: Generated<number>;
  matched: Generated<number>;
  synced_at: string | null;
  last_error: string | null;
  created_at: string;
}

export interface ZoteroItemsTable {
  user_id: number;
  item_key: string;
  paper_id: string | null;
  title: string | null;
}

export interface ReportsTable {
  id: Generated<number>;
  reporter_id: number;
  target_type: string;
  target_id: string;
  reason: string;
  note: string | null;
  status: Generated<string>;
  created_at: string;
  resolved_by: string | null;
  resolved_at: string | null;
}

/** A sign-up waiting for its mailed link, or an account's "verify my address" link. */
export interface AccountConfirmationsTable {
  token_hash: string;
  purpose: string;
  user_id: number | null;
  username: string | null;
  email: string;
  password_hash: string | null;
  created_at: string;
  expires_at: string;
}

export interface SubmissionQuotaTable {
  user_id: number;
  day: string;
  used: number;
}

/** Enrichments of one paper (migration 1220); JSON arrays in text columns. */
export interface PaperEnrichmentsTable {
  paper_id: string;
  code_links: string | null;
  code_repo: string | null;
  /** Lower-cased `owner/name` of the GitHub repository among the code links, for `github_repos`. */
  github_repo: string | null;
  code_at: string | null;
  summary: string | null;
  llm_keywords: string | null;
  summary_model: string | null;
  summary_at: string | null;
  keyphrases: string | null;
  keyphrases_at: string | null;
  artifacts_at: string | null;
}

export interface GithubReposTable {
  repo: string;
  full_name: string | null;
  stars: number | null;
  description: string | null;
  etag: string | null;
  /** `ok` or `missing` (404: deleted, private, never existed). */
  status: string;
  checked_at: string;
}

export interface PaperArtifactsTable {
  paper_id: string;
  /** `model`, `dataset` or `space`. */
  kind: string;
  hub_id: string;
  likes: number;
  downloads: number | null;
  /** A short JSON detail: pipeline tag (models), SDK (Spaces). */
  detail: string | null;
}

export interface LlmCallsTable {
  day: string;
  used: number;
}

/** Secondary indexes of `papers` set aside during a first bulk import, rebuilt after it (or at the next open). */
export interface BulkLoadIndexesTable {
  name: string;
  /** The index's `CREATE INDEX` statement, as `pg_indexes` gives it (or the feed key's `ALTER TABLE`, the queue trigger's `CREATE TRIGGER`). */
  definition: string;
}

/** PostgreSQL: papers the full-text catch-up indexes in id order, past `after_id` (migration 2100); no row = none. */
export interface SearchBackfillTable {
  name: string;
  after_id: string;
}

/** One enrichment step's state for one paper (migration 1200); no row = due. */
export interface EnrichmentStateTable {
  paper_id: string;
  step: string;
  /** `pending`, `done`, `failed`, `skipped`. */
  status: string;
  attempts: number;
  reason: string | null;
  /** When a failed step is retried or a done step refreshed; null = never again (until a version bump). */
  next_at: string | null;
  version: number;
  updated_at: string;
}

/** A host that asked enrichment to wait (429/503 Retry-After, rate-limit reset). */
export interface EnrichmentHostsTable {
  host: string;
  blocked_until: string;
  reason: string | null;
}

/** The text of a paper's first PDF pages, for search and the code-link step. */
export interface PaperPdfTextTable {
  paper_id: string;
  text: string;
  pages: number;
  created_at: string;
}

/** A first-page thumbnail, addressed by the hash of its bytes. */
/** Which image is a paper's card or page thumbnail (one row per paper and size; migration 1600). */
export interface PaperThumbnailsTable {
  paper_id: string;
  /** `card` (feed) or `page` (paper page). */
  size: string;
  /** The image's bytes: `thumbnail_blobs`, shared by the papers whose first pages render alike. */
  hash: string;
  mime: string;
  width: number;
  height: number;
  created_at: string;
}

/** A thumbnail's bytes, once per content hash (migration 1600). */
export interface ThumbnailBlobsTable {
  hash: string;
  data: Uint8Array;
  created_at: string;
}

export interface Database {
  papers: PapersTable;
  feed_entries: FeedEntriesTable;
  runs: RunsTable;
  job_leases: JobLeasesTable;
  rate_limits: RateLimitsTable;
  users: UsersTable;
  upvotes: UpvotesTable;
  comments: CommentsTable;
  collections: CollectionsTable;
  collection_papers: CollectionPapersTable;
  harvest_state: HarvestStateTable;
  mail_subscriptions: MailSubscriptionsTable;
  mail_outbox: MailOutboxTable;
  mail_outbox_bodies: MailOutboxBodiesTable;
  mail_secrets: MailSecretsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  password_resets: PasswordResetsTable;
  login_failures: LoginFailuresTable;
  audit_log: AuditLogTable;
  paper_embeddings: PaperEmbeddingsTable;
  paper_term_vectors: PaperTermVectorsTable;
  paper_similar_lists: PaperSimilarListsTable;
  search_models: SearchModelsTable;
  search_index_versions: SearchIndexVersionsTable;
  search_index_chunks: SearchIndexChunksTable;
  embedding_spaces: EmbeddingSpacesTable;
  search_pending: SearchPendingTable;
  not_interested: NotInterestedTable;
  reader_interests: ReaderInterestsTable;
  follows: FollowsTable;
  flash_messages: FlashMessagesTable;
  zotero_links: ZoteroLinksTable;
  zotero_items: ZoteroItemsTable;
  reports: ReportsTable;
  account_confirmations: AccountConfirmationsTable;
  submission_quota: SubmissionQuotaTable;
  paper_reads: PaperReadsTable;
  paper_enrichments: PaperEnrichmentsTable;
  github_repos: GithubReposTable;
  paper_artifacts: PaperArtifactsTable;
  llm_calls: LlmCallsTable;
  notifications: NotificationsTable;
  notification_events: NotificationEventsTable;
  paper_watches: PaperWatchesTable;
  notification_prefs: NotificationPrefsTable;
  notification_mail_batches: NotificationMailBatchesTable;
  bulk_load_indexes: BulkLoadIndexesTable;
  search_backfill: SearchBackfillTable;
  author_claims: AuthorClaimsTable;
  author_links: AuthorLinksTable;
  organisations: OrganisationsTable;
  paper_organisations: PaperOrganisationsTable;
  organisation_members: OrganisationMembersTable;
  enrichment_state: EnrichmentStateTable;
  enrichment_hosts: EnrichmentHostsTable;
  paper_pdf_text: PaperPdfTextTable;
  paper_thumbnails: PaperThumbnailsTable;
  thumbnail_blobs: ThumbnailBlobsTable;
}

/** A reader's claim to be one of a paper's listed authors (migration 1320). */
export interface AuthorClaimsTable {
  id: Generated<number>;
  user_id: number;
  paper_id: string;
  author_name: string;
  author_key: string;
  evidence: string | null;
  status: Generated<string>;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
}

/** A code or project link set by a verified author (migration 1320). */
export interface AuthorLinksTable {
  paper_id: string;
  kind: string;
  url: string;
  set_by: number | null;
  updated_at: string;
}

/** An organisation by normalised-name slug (migration 1321). */
export interface OrganisationsTable {
  id: Generated<number>;
  slug: string;
  name: string;
  website: string | null;
  status: string;
  source: string;
  declared_by: number | null;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
}

/** An author of a paper affiliated with an organisation, as arXiv lists it (migration 1321). */
export interface PaperOrganisationsTable {
  paper_id: string;
  org_id: number;
  author: string;
}

/** A reader who declared themselves a member of an organisation (migration 1321). */
export interface OrganisationMembersTable {
  user_id: number;
  org_id: number;
  created_at: string;
}

export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  /** A `NotificationKind` (src/domain/notification.ts). */
  kind: string;
  actor_id: number | null;
  paper_id: string | null;
  comment_id: number | null;
  /** JSON object: what the kind needs beyond the ids (a claim's outcome, a top-10 rank). */
  detail: Generated<string>;
  /** The event, once per reader: `comment:12`, `top10:2401.00001`, `claim:3`. */
  dedupe_key: string;
  created_at: string;
  read_at: string | null;
  mail_batch_id: number | null;
}

export interface NotificationEventsTable {
  id: Generated<number>;
  comment_id: number;
  /** `posted` or `edited`. */
  kind: Generated<string>;
  created_at: string;
}

export interface PaperWatchesTable {
  user_id: number;
  paper_id: string;
  created_at: string;
}

export interface NotificationPrefsTable {
  user_id: number;
  /** JSON array of the kinds mailed to the reader. */
  email_kinds: Generated<string>;
  /** Notifications with ids up to this were already considered for a mail. */
  mail_after_id: Generated<number>;
  last_mailed_at: string | null;
  updated_at: string;
}

export interface NotificationMailBatchesTable {
  id: Generated<number>;
  user_id: number;
  created_at: string;
  enqueued_at: string | null;
  /** `enqueued`, or why nothing was (`unverified`, `paused`, `nothing_visible`). */
  outcome: string | null;
}
