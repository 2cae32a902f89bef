import { z } from 'zod';
import { Cron } from 'croner';

/**
 * Every setting Paperboy reads, with its environment variable, default and meaning.
 * The README's configuration table is generated from this list (`paperboy config --markdown`),
 * so a setting that is not here does not exist.
 */
export interface SettingSpec {
  env: string;
  /** The field of `Config` the setting fills. */
  key: string;
  schema: z.ZodType;
  description: string;
  default?: string;
}

const bool = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes' || v === 'on');

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const nonNegativeInt = z.coerce.number().int().min(0);
/** A space- or comma-separated list. */
const cron = z.string().refine(
  (expr) => {
    try {
      new Cron(expr, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a cron expression (e.g. "30 20 * * 0-4")' },
);
const words = z.string().transform((s) => s.split(/[\s,]+/).filter(Boolean));

/** A rate limit written `COUNT/SECONDS`, e.g. `10/60` = ten per minute. */
export interface RateSpec {
  limit: number;
  windowSeconds: number;
}
const rate = z
  .string()
  .regex(/^\d+\/\d+$/, 'expected COUNT/SECONDS, e.g. 10/60')
  .transform((v): RateSpec => {
    const [limit, windowSeconds] = v.split('/').map(Number);
    return { limit, windowSeconds: Math.max(1, windowSeconds) };
  });

export const SETTINGS = [
  { env: 'PAPERBOY_DB', key: 'db', schema: z.string().min(1), default: './data/paperboy.db',
    description: 'Where papers live: a file path means SQLite (WAL mode), a `postgres://` URL means PostgreSQL.' },
  { env: 'HOST', key: 'host', schema: z.string().min(1), default: '0.0.0.0', description: 'Address the HTTP server listens on.' },
  { env: 'PORT', key: 'port', schema: port, default: '8080', description: 'Port the HTTP server listens on.' },
  { env: 'PUBLIC_URL', key: 'publicUrl', schema: z.string().url().optional(),
    description: 'Public base URL of the site, used in mails and feeds (defaults to http://localhost:PORT).' },
  { env: 'LOG_LEVEL', key: 'logLevel', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info',
    description: 'pino log level.' },
  { env: 'LOG_FORMAT', key: 'logFormat', schema: z.enum(['auto', 'json', 'pretty']), default: 'auto',
    description: 'Log lines on stderr: `json` (one JSON object a line, for collectors), `pretty` (one readable line an event), `auto` (pretty on a terminal, JSON otherwise).' },
  { env: 'PAPERBOY_DEMO', key: 'demo', schema: bool, default: 'true',
    description: 'Load the demo set (69 papers on the feed of 2025-08-01) when `serve` starts on an empty store.' },
  { env: 'STORE_CONNECT_TIMEOUT_MS', key: 'storeConnectTimeoutMs', schema: positiveInt, default: '1000',
    description: 'PostgreSQL: how long `serve` and `worker` wait for a new connection to open before a request fails with 503 `store_unavailable` (the database is down or unreachable).' },
  { env: 'STORE_POOL_WAIT_MS', key: 'storePoolWaitMs', schema: positiveInt, default: '5000',
    description: 'PostgreSQL: how long a request waits for a free pooled connection when all are busy (load) before it fails with 503 `store_unavailable`.' },
  { env: 'SHUTDOWN_TIMEOUT_MS', key: 'shutdownTimeoutMs', schema: positiveInt, default: '10000',
    description: 'How long `serve` and `worker` let in-flight requests and the current job step finish after SIGTERM or SIGINT; then every outbound call is aborted and the process exits (a second signal exits at once).' },
  { env: 'ARXIV_OAI_URL', key: 'arxivOaiUrl', schema: z.string().url(), default: 'https://oaipmh.arxiv.org/oai',
    description: "arXiv's OAI-PMH endpoint (harvests)." },
  { env: 'ARXIV_API_URL', key: 'arxivApiUrl', schema: z.string().url(), default: 'https://export.arxiv.org/api/query',
    description: "arXiv's Atom API endpoint (look-ups by id)." },
  { env: 'API_RATE_LIMIT_IP', key: 'apiRateLimitIp', schema: positiveInt, default: '300',
    description: 'Requests per window one IP address may make to the API and feeds (429 with `Retry-After` beyond).' },
  { env: 'API_RATE_LIMIT_TOKEN', key: 'apiRateLimitToken', schema: positiveInt, default: '1200',
    description: 'Requests per window one API token (`Authorization` header) may make; requests with a token get this budget per IP too.' },
  { env: 'API_RATE_WINDOW_SECONDS', key: 'apiRateWindowSeconds', schema: positiveInt, default: '60',
    description: 'Length of the API and feed rate-limit window.' },
  { env: 'MAX_BODY_BYTES', key: 'maxBodyBytes', schema: positiveInt, default: '131072',
    description: 'Largest request body any route accepts, site forms included (413 beyond); counted while the body streams, so no larger body is ever held in memory.' },
  { env: 'API_MAX_BODY_BYTES', key: 'apiMaxBodyBytes', schema: positiveInt, default: '65536',
    description: 'Largest request body the API (`/api/*`) accepts (413 beyond); the smaller of this and `MAX_BODY_BYTES` applies.' },
  { env: 'METRICS_TOKEN', key: 'metricsToken', schema: z.string().min(16, 'use at least 16 characters').optional(),
    description: 'Turns on `/metrics` (Prometheus), readable only with `Authorization: Bearer <token>`; without it `/metrics` answers 404.' },
  { env: 'API_CACHE_SECONDS', key: 'apiCacheSeconds', schema: z.coerce.number().int().min(0), default: '60',
    description: '`Cache-Control: max-age` of anonymous API and feed reads (0 makes clients revalidate every time).' },
  { env: 'PAGE_CACHE_SECONDS', key: 'pageCacheSeconds', schema: z.coerce.number().int().min(0).max(3600), default: '5',
    description: 'How long a page rendered for readers without a session (feeds, trending, papers, authors) or a search API answer for a client without credentials is served again from memory; a write through this server refreshes it at once, other servers\' writes and command-line imports show within this time. 0 turns the cache off.' },
  { env: 'PAGE_CACHE_MB', key: 'pageCacheMb', schema: z.coerce.number().int().min(1).max(4096), default: '64',
    description: 'Memory for the anonymous page cache (rendered HTML and its gzip/deflate copies); the least recently used pages go first.' },
  { env: 'ARXIV_DELAY_MS', key: 'arxivDelayMs', schema: nonNegativeInt, default: '3000',
    description: 'Pause between requests to arXiv (OAI-PMH and API); arXiv asks for at least 3 s. Also the base of the retry backoff.' },
  { env: 'ARXIV_LOOKUP_TIMEOUT_MS', key: 'arxivLookupTimeoutMs', schema: z.coerce.number().int().min(100).max(14_000), default: '10000',
    description: 'How long a visitor\'s submission waits for arXiv to answer its look-up before the page says "arXiv did not answer; try again in a few minutes" (at most 14 s, so the page answers within 15 s).' },
  { env: 'ARXIV_MAX_RETRIES', key: 'arxivMaxRetries', schema: nonNegativeInt, default: '5',
    description: 'Retries of a failed arXiv request (network error, 5xx, 503 Retry-After) before a harvest gives up.' },
  { env: 'HARVEST_SETS', key: 'harvestSets', schema: words, default: 'cs stat',
    description: 'OAI-PMH sets a harvest without `--set` reads (e.g. `cs physics:hep-th`); `all` for the whole archive.' },
  { env: 'HARVEST_METADATA_PREFIX', key: 'harvestMetadataPrefix', schema: z.enum(['arXiv', 'arXivRaw']), default: 'arXiv',
    description: 'OAI-PMH metadata format: `arXiv`, or `arXivRaw` for version numbers and submission times.' },
  { env: 'HARVEST_LOOKBACK_DAYS', key: 'harvestLookbackDays', schema: positiveInt, default: '3',
    description: 'How far back the first harvest (no `--from`, no earlier harvest) starts.' },
  { env: 'FEED_CATEGORIES', key: 'feedCategories', schema: words, default: 'cs.AI cs.CL cs.CV cs.LG stat.ML',
    description: 'Newly announced papers in any of these categories go on the daily feed of their announcement day.' },
  { env: 'HARVEST_SCHEDULE', key: 'harvestSchedule', schema: cron, default: '30 20 * * 0-4',
    description: "When `serve` harvests (cron, America/New_York): by default shortly after arXiv's 20:00 announcement, Sunday to Thursday." },
  { env: 'HARVEST_ENABLED', key: 'harvestEnabled', schema: bool, default: 'true',
    description: 'Whether `serve` runs the scheduled harvest.' },
  { env: 'SMTP_URL', key: 'smtpUrl', schema: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
    description: 'SMTP server for outgoing mail (`smtp://user:pass@host:587`, `smtps://` for TLS; `?tls=strict` checks the certificate). Without it mails are written as `.eml` files under MAIL_DIR and the site says mail is not configured.' },
  { env: 'MAIL_FROM', key: 'mailFrom', schema: z.string().min(3), default: 'Paperboy <paperboy@localhost>',
    description: 'The From address of every mail.' },
  { env: 'MAIL_DIR', key: 'mailDir', schema: z.string().min(1), default: './data/mail',
    description: 'Where mails are written as `.eml` files when SMTP_URL is not set.' },
  { env: 'MAIL_SECRET', key: 'mailSecret', schema: z.string().min(16).optional(),
    description: 'Key that signs confirm and unsubscribe links (HMAC). Without it a random key is generated once and kept in the store.' },
  { env: 'MAIL_RATE', key: 'mailRate', schema: z.coerce.number().positive(), default: '10',
    description: 'At most this many mails per second from one sending process.' },
  { env: 'MAIL_MAX_BOUNCES', key: 'mailMaxBounces', schema: positiveInt, default: '3',
    description: 'Permanent delivery failures (5xx) in a row after which an address is paused.' },
  { env: 'MAIL_CLAIM_SECONDS', key: 'mailClaimSeconds', schema: positiveInt, default: '300',
    description: 'How long a sender owns the outbox rows it claimed; after a crash, another sender takes them over once this has passed.' },
  { env: 'DIGEST_SIZE', key: 'digestSize', schema: positiveInt, default: '10',
    description: 'Trending papers in each digest (plus, for an account, its followed papers and up to 5 For-you picks).' },
  { env: 'DIGEST_SCHEDULE', key: 'digestSchedule', schema: z.string().min(9), default: '*/15 6-23 * * *',
    description: 'Cron (UTC) for the digest job in `serve` (default every 15 minutes from 06:00, after the day\'s listing is in): builds the due daily (weekdays) and weekly (Mondays) digests once and sends what is due, retries included.' },
  { env: 'SESSION_TTL_DAYS', key: 'sessionTtlDays', schema: positiveInt, default: '30', description: 'How long a log-in session lasts.' },
  { env: 'PASSWORD_RESET_TTL_MINUTES', key: 'passwordResetTtlMinutes', schema: positiveInt, default: '60',
    description: 'How long an e-mailed password-reset link works (it works once).' },
  { env: 'API_TOKEN_TTL_DAYS', key: 'apiTokenTtlDays', schema: positiveInt, default: '90',
    description: 'Longest life of an API token (a token may ask for less); tokens also end at a password reset and at "log out everywhere".' },
  { env: 'CONFIRM_MAILS_PER_ADDRESS', key: 'confirmMailsPerAddress', schema: rate, default: '3/86400',
    description: 'Mails nobody signed in asked for (subscription and sign-up confirmations, address checks, password resets) one address gets (COUNT/SECONDS); beyond, requests are answered as usual and no mail is sent.' },
  { env: 'CONFIRM_MAILS_PER_IP', key: 'confirmMailsPerIp', schema: rate, default: '20/3600',
    description: 'The same mails caused from one IP address (COUNT/SECONDS).' },
  { env: 'LOGIN_FREE_ATTEMPTS', key: 'loginFreeAttempts', schema: positiveInt, default: '5',
    description: 'Failed log-ins for one account name before its growing back-off starts.' },
  { env: 'LOGIN_FREE_ATTEMPTS_PER_IP', key: 'loginFreeAttemptsPerIp', schema: positiveInt, default: '20',
    description: 'Failed log-ins from one IP (any account names) before that IP gets the growing back-off.' },
  { env: 'LOGIN_BACKOFF_BASE_SECONDS', key: 'loginBackoffBaseSeconds', schema: positiveInt, default: '2',
    description: 'First back-off after the free attempts; it doubles with every further failure.' },
  { env: 'LOGIN_BACKOFF_MAX_SECONDS', key: 'loginBackoffMaxSeconds', schema: positiveInt, default: '900', description: 'Longest log-in back-off.' },
  { env: 'RATE_LIMIT_LOGIN_IP', key: 'rateLoginIp', schema: rate, default: '30/300', description: 'Log-in attempts per IP (COUNT/SECONDS).' },
  { env: 'RATE_LIMIT_SIGNUP_IP', key: 'rateSignupIp', schema: rate, default: '10/3600', description: 'Sign-ups per IP (COUNT/SECONDS).' },
  { env: 'RATE_LIMIT_RESET_IP', key: 'rateResetIp', schema: rate, default: '10/3600', description: 'Password-reset requests per IP (COUNT/SECONDS).' },
  { env: 'RATE_LIMIT_THUMBS_IP', key: 'rateThumbsIp', schema: rate, default: '600/60', description: 'Thumbnail images (`/thumbs/…`) per IP (COUNT/SECONDS): a feed page lazy-loads up to 50, so this is a dozen pages a minute; beyond it, 429 with Retry-After.' },
  { env: 'RATE_LIMIT_COMMENT_USER', key: 'rateCommentUser', schema: rate, default: '10/60', description: 'Comments and edits per account (COUNT/SECONDS).' },
  { env: 'RATE_LIMIT_COMMENT_IP', key: 'rateCommentIp', schema: rate, default: '60/60', description: 'Comments and edits per IP (COUNT/SECONDS).' },
  { env: 'RATE_LIMIT_SUBMIT_USER', key: 'rateSubmitUser', schema: rate, default: '10/3600', description: 'Submission attempts per account (COUNT/SECONDS).' },
  { env: 'RATE_LIMIT_SUBMIT_IP', key: 'rateSubmitIp', schema: rate, default: '30/3600', description: 'Submission attempts per IP (COUNT/SECONDS).' },
  { env: 'RATE_LIMIT_UPVOTE_USER', key: 'rateUpvoteUser', schema: rate, default: '120/60', description: 'Upvote changes per account (COUNT/SECONDS).' },
  { env: 'RATE_LIMIT_UPVOTE_IP', key: 'rateUpvoteIp', schema: rate, default: '600/60', description: 'Upvote changes per IP (COUNT/SECONDS).' },
  { env: 'SUBMISSION_DAILY_QUOTA', key: 'submissionDailyQuota', schema: nonNegativeInt, default: '3', description: 'Papers one account may submit per UTC day.' },
  { env: 'SUBMISSION_MAX_AGE_DAYS', key: 'submissionMaxAgeDays', schema: positiveInt, default: '14',
    description: "Oldest first version (in days) a submitted paper may have." },
  { env: 'COMMENT_EDIT_MINUTES', key: 'commentEditMinutes', schema: nonNegativeInt, default: '15', description: 'How long after posting a comment may be edited.' },
  { env: 'SEARCH_EMBEDDER', key: 'searchEmbedder', schema: z.string().min(1), default: 'local',
    description: 'Embedder for semantic search and similar papers: `local` (offline model trained on this instance\'s papers by `paperboy reindex`), `http` (an embeddings server: see `EMBEDDINGS_API`), `onnx` (a sentence-embedding model run in-process, see `paperboy models pull`) or `none` (keyword search only).' },
  { env: 'SEARCH_KEYWORD_ENGINE', key: 'searchKeywordEngine', schema: z.enum(['memory', 'store']), default: 'memory',
    description: 'Keyword ranking: `memory` (an in-memory BM25 index with MaxScore pruning, built from the store; phrases, exclusions, authors and date/upvote sorts still use the store) or `store` (FTS5 / tsvector only, no extra memory).' },
  { env: 'SEARCH_INDEX_FILES', key: 'searchIndexFiles', schema: z.enum(['auto', 'dir', 'store', 'off']), default: 'auto',
    description: 'How the keyword index (`SEARCH_KEYWORD_ENGINE=memory`) and the "For you" features are published so servers load them at start instead of building them: `dir` (files in SEARCH_INDEX_DIR, which every process shares), `store` (the files are also copied into the database and each server keeps a local copy in SEARCH_INDEX_DIR: servers on PostgreSQL without a shared disk), `auto` (`dir` on SQLite, `store` on PostgreSQL) or `off` (both built in memory at every start). See docs/deploy.md.' },
  { env: 'SEARCH_INDEX_DIR', key: 'searchIndexDir', schema: z.string().optional(),
    description: 'Directory of the published index files, keyword and "For you" (default: `<database file>.search-index` beside the SQLite file, `./data/search-index` on PostgreSQL).' },
  { env: 'SEARCH_INDEX_POLL_SECONDS', key: 'searchIndexPollSeconds', schema: positiveInt, default: '30',
    description: 'How often a server checks the store for a newer published keyword index or "For you" features (written by `paperboy reindex` or the merge jobs) and swaps it in without a restart.' },
  { env: 'EMBEDDINGS_URL', key: 'embeddingsUrl', schema: z.string().url().optional(),
    description: 'Base URL of the embeddings server (`SEARCH_EMBEDDER=http`), e.g. `http://localhost:8080` for text-embeddings-inference, `http://localhost:11434` for Ollama, `https://api.openai.com/v1`.' },
  { env: 'EMBEDDINGS_API', key: 'embeddingsApi', schema: z.enum(['openai', 'tei', 'ollama']), default: 'openai',
    description: 'How to talk to `EMBEDDINGS_URL`: `openai` (`POST /v1/embeddings`: OpenAI, vLLM, llama.cpp, and the OpenAI routes of text-embeddings-inference and Ollama), `tei` (text-embeddings-inference\'s `/embed`; the model and batch limit come from its `/info`) or `ollama` (`/api/embed`, or `/api/embeddings` on Ollama before 0.3).' },
  { env: 'EMBEDDINGS_MODEL', key: 'embeddingsModel', schema: z.string().min(1), default: 'text-embedding-3-small',
    description: 'Model name sent to the embeddings server (text-embeddings-inference names its own); with `SEARCH_EMBEDDER=onnx`, a hub id pulled into MODELS_DIR (e.g. `BAAI/bge-small-en-v1.5`), a model directory, or `use-lite` (Universal Sentence Encoder lite, built into MODELS_DIR from an npm dependency on first use; no download). Changing it re-embeds every paper in the background; search answers from the old vectors until the new ones cover the corpus.' },
  { env: 'EMBEDDINGS_API_KEY', key: 'embeddingsApiKey', schema: z.string().optional(),
    description: 'Bearer key for the embeddings server, when it needs one.' },
  { env: 'EMBEDDINGS_BATCH_SIZE', key: 'embeddingsBatchSize', schema: z.coerce.number().int().min(1).max(2048), default: '64',
    description: 'Texts per request to the embeddings server (never more than text-embeddings-inference\'s `max_client_batch_size`; halved when a server answers 413).' },
  { env: 'EMBEDDINGS_TIMEOUT_MS', key: 'embeddingsTimeoutMs', schema: positiveInt, default: '30000',
    description: 'How long one request to the embeddings server may take before it is retried.' },
  { env: 'EMBEDDINGS_RETRIES', key: 'embeddingsRetries', schema: z.coerce.number().int().min(0).max(10), default: '4',
    description: 'Retries of a failed request to the embeddings server (network errors, 5xx, 429), with exponential back-off or the `Retry-After` it asks for.' },
  { env: 'SEARCH_EMBED_SCHEDULE', key: 'searchEmbedSchedule', schema: cron, default: '* * * * *',
    description: 'When `serve` and `worker` look for papers the embedder has no vector for (all of them after a model switch) and embed them in the background, under a lease; a check that finds nothing records no run. The same schedule stores the similar-papers lists of papers embedded since (job `search:similar-lists`).' },
  { env: 'SEARCH_REFINE', key: 'searchRefine', schema: bool, default: 'true',
    description: 'With `SEARCH_EMBEDDER=local`: whether `serve` and `worker` refine each newly trained offline model in the background (job `search:refine-model`, on a low-priority thread: about 100 s of one core at 75k papers), then embed every paper with the refined model and move search to it once it covers the corpus. `false` keeps the model `paperboy reindex` trained.' },
  { env: 'SEARCH_EMBED_BUDGET_MS', key: 'searchEmbedBudgetMs', schema: positiveInt, default: '1500',
    description: 'How long a search waits to embed its query; past it (or when the embedder fails) the search answers with keyword results and logs why.' },
  { env: 'SEARCH_CATCH_UP_BUDGET_MS', key: 'searchCatchUpBudgetMs', schema: positiveInt, default: '1000',
    description: 'How long a search waits for the full-text index to take in the papers changed since the last search; past it (after a large import) the search answers from the index as it is and the rest goes on in the background. It never waits for another process\'s SQLite write lock.' },
  { env: 'FOR_YOU_RECENT_DAYS', key: 'forYouRecentDays', schema: positiveInt, default: '14',
    description: 'How many feed days back "For you" looks for papers to recommend.' },
  { env: 'FOR_YOU_INDEX_DAYS', key: 'forYouIndexDays', schema: positiveInt, default: '180',
    description: 'How many feed days of papers the in-memory "For you" text index holds (IDF statistics and background negatives). Published "For you" features built for another value are rebuilt: give every process the same.' },
  { env: 'LIBRARY_IMPORT_MAX_BYTES', key: 'libraryImportMaxBytes', schema: positiveInt, default: '2097152',
    description: 'Largest BibTeX or RIS file the collection import form accepts (413 beyond; the API import stays within `API_MAX_BODY_BYTES`).' },
  { env: 'RATE_LIMIT_LIBRARY_IMPORT', key: 'rateLibraryImportUser', schema: rate, default: '20/3600',
    description: 'Collection imports (BibTeX, RIS) per account and per IP (COUNT/SECONDS).' },
  { env: 'ZOTERO_API_URL', key: 'zoteroApiUrl', schema: z.string().url(), default: 'https://api.zotero.org',
    description: "The Zotero web API (v3) that connected libraries are read from." },
  { env: 'ZOTERO_SYNC_SCHEDULE', key: 'zoteroSyncSchedule', schema: z.string().min(1), default: '41 * * * *',
    description: 'Cron (UTC) for syncing every connected Zotero library (incremental: only what changed since the last sync is read).' },
  { env: 'RATE_LIMIT_REPORT', key: 'rateReportUser', schema: rate, default: '10/3600',
    description: 'Reports of comments and papers per account and per IP (COUNT/SECONDS).' },
  { env: 'RATE_LIMIT_CLAIM_USER', key: 'rateClaimUser', schema: rate, default: '10/3600',
    description: "Author claims, author-set links and organisation declarations per account (COUNT/SECONDS); an IP gets five accounts' worth." },
  { env: 'NOTIFICATIONS_KEEP_DAYS', key: 'notificationsKeepDays', schema: positiveInt, default: '180',
    description: 'Read notifications older than this many days are deleted by the hourly community cleanup; unread ones are kept however old.' },
  { env: 'NOTIFY_SCHEDULE', key: 'notifySchedule', schema: z.string().min(9), default: '*/20 * * * * *',
    description: "Cron (UTC, with seconds) for the notify job in `serve`: fans queued comments out into notifications, checks the day's top 10 after new votes, and builds and sends notification mails (at most one an hour per reader). Each tick only asks whether there is work." },
  { env: 'RATE_LIMIT_DISCOVERY_USER', key: 'rateDiscoveryUser', schema: rate, default: '120/60',
    description: 'Not-interested marks, interests and follows per account (COUNT/SECONDS).' },
  { env: 'MODELS_DIR', key: 'modelsDir', schema: z.string().min(1), default: './data/models',
    description: 'Where `paperboy models pull` puts models (`<MODELS_DIR>/<owner>/<name>/`) and `SEARCH_EMBEDDER=onnx` finds them.' },
  { env: 'HF_HUB_URL', key: 'hfHubUrl', schema: z.string().url(), default: 'https://huggingface.co',
    description: 'The Hugging Face hub (or a mirror with its layout) that `paperboy models pull` downloads from.' },
  { env: 'HF_TOKEN', key: 'hfToken', schema: z.string().optional(),
    description: 'Hub access token, for gated or private models (`paperboy models pull`).' },
  { env: 'ENRICH_ENABLED', key: 'enrichEnabled', schema: bool, default: 'true',
    description: 'Whether `serve` and `worker` enrich new papers in the background (thumbnails and text from the PDF, and the other enrichment steps); `paperboy enrich` works either way.' },
  { env: 'ENRICH_SCHEDULE', key: 'enrichSchedule', schema: cron, default: '*/2 * * * *',
    description: 'Cron (UTC) for the enrichment job: each run takes the papers due (new, retries whose time has come, refreshes), under a lease; a check that finds nothing records no run.' },
  { env: 'ENRICH_LOOKBACK_DAYS', key: 'enrichLookbackDays', schema: positiveInt, default: '14',
    description: 'The enrichment job enriches papers published or on the feed in this many recent days (older ones with `paperboy enrich --since DAY`), so a bulk import of an archive does not start fetching it all.' },
  { env: 'ENRICH_BATCH', key: 'enrichBatch', schema: positiveInt, default: '200',
    description: 'Papers one enrichment run takes per step at most (the rest wait for the next run).' },
  { env: 'ENRICH_HOST_DELAY_MS', key: 'enrichHostDelayMs', schema: nonNegativeInt, default: '3000',
    description: 'Pause between two enrichment calls to one host (arXiv, GitHub, the hub, the LLM server).' },
  { env: 'ENRICH_MAX_WAIT_MS', key: 'enrichMaxWaitMs', schema: nonNegativeInt, default: '60000',
    description: 'Longest a run waits for a host that asked to wait (`Retry-After`, rate-limit reset); a longer wait leaves that host\'s papers to a later run.' },
  { env: 'ENRICH_RETRY_BASE_MS', key: 'enrichRetryBaseMs', schema: positiveInt, default: '300000',
    description: 'First retry delay of a failed enrichment step (doubled at each failure in a row, up to ENRICH_RETRY_MAX_MS); a server\'s `Retry-After` takes its place.' },
  { env: 'ENRICH_RETRY_MAX_MS', key: 'enrichRetryMaxMs', schema: positiveInt, default: '86400000',
    description: 'Longest retry delay of a failed enrichment step.' },
  { env: 'ENRICH_MAX_ATTEMPTS', key: 'enrichMaxAttempts', schema: positiveInt, default: '6',
    description: 'Failures in a row (rate limits not counted) after which a step is given up for a paper; a new step version tries again.' },
  { env: 'ENRICH_STEP_TIMEOUT_MS', key: 'enrichStepTimeoutMs', schema: positiveInt, default: '120000',
    description: 'Longest one enrichment step may take for one paper before it is aborted and retried later.' },
  { env: 'ARXIV_PDF_URL', key: 'arxivPdfUrl', schema: z.string().url(), default: 'https://arxiv.org/pdf',
    description: "Base of arXiv's PDF links (`{ARXIV_PDF_URL}/{id}`): the only host the PDF step fetches from (redirects to other hosts are refused)." },
  { env: 'PDF_MAX_BYTES', key: 'pdfMaxBytes', schema: positiveInt, default: '31457280',
    description: 'Largest PDF the thumbnail step downloads (refused on its `Content-Length`, or cut off while it streams): 30 MB.' },
  { env: 'PDF_TIMEOUT_MS', key: 'pdfTimeoutMs', schema: positiveInt, default: '60000',
    description: 'How long the download of one PDF may take (a server that stops sending included).' },
  { env: 'PDF_RENDER_BUDGET_MS', key: 'pdfRenderBudgetMs', schema: positiveInt, default: '20000',
    description: 'How long rendering one PDF (first-page thumbnails and the first pages\' text, in a renderer process) may take; past it the renderer is killed, the paper shows without a thumbnail and its PDF step is retried later.' },
  { env: 'PDF_RENDER_MAX_MB', key: 'pdfRenderMaxMb', schema: positiveInt, default: '1024',
    description: 'Memory (resident, MB) the PDF renderer process may use while rendering one PDF; past it the renderer stops, the paper\'s PDF step fails with the reason and is retried later.' },
  { env: 'PDF_TEXT_PAGES', key: 'pdfTextPages', schema: positiveInt, default: '3',
    description: 'Pages at the start of a PDF whose text is kept (for search and the code-link step).' },
  { env: 'ONNX_THREADS', key: 'onnxThreads', schema: nonNegativeInt, default: '0',
    description: 'Threads one ONNX embedder uses for inference (`SEARCH_EMBEDDER=onnx`); 0 = one per core.' },
  { env: 'GITHUB_API_URL', key: 'githubApiUrl', schema: z.string().url(), default: 'https://api.github.com',
    description: 'The GitHub REST API that repository stars are read from (`GET /repos/{owner}/{repo}`, conditional on the stored ETag).' },
  { env: 'GITHUB_TOKEN', key: 'githubToken', schema: z.string().optional(),
    description: 'GitHub token for the stars look-ups (5,000 requests an hour instead of 60); no scope needed.' },
  { env: 'GITHUB_STARS_REFRESH_MS', key: 'githubStarsRefreshMs', schema: positiveInt, default: '86400000',
    description: 'How often the stars of a paper\'s repository are read again (a 304 answer keeps the count and costs no rate limit).' },
  { env: 'HF_ARTIFACTS_REFRESH_MS', key: 'hfArtifactsRefreshMs', schema: positiveInt, default: '604800000',
    description: 'How often the Hugging Face models, datasets and Spaces citing a paper are listed again (from `HF_HUB_URL`).' },
  { env: 'ENRICH_API_TIMEOUT_MS', key: 'enrichApiTimeoutMs', schema: positiveInt, default: '15000',
    description: 'How long one call to GitHub or the Hugging Face hub may take before the enrichment step fails (and is retried later).' },
  { env: 'LLM_URL', key: 'llmUrl', schema: z.string().url().optional(),
    description: 'Base URL of an OpenAI-compatible chat server (`POST /v1/chat/completions`: OpenAI, vLLM, llama.cpp, Ollama) for each paper\'s TL;DR and keywords; without it keywords come from an offline key-phrase method and there is no AI summary.' },
  { env: 'LLM_MODEL', key: 'llmModel', schema: z.string().min(1).max(200), default: 'gpt-4o-mini',
    description: 'Model name sent to `LLM_URL`. TL;DRs are kept per model: changing it writes them again.' },
  { env: 'LLM_API_KEY', key: 'llmApiKey', schema: z.string().optional(), description: 'Bearer key for `LLM_URL`, when it needs one.' },
  { env: 'LLM_DAILY_CALLS', key: 'llmDailyCalls', schema: nonNegativeInt, default: '2000',
    description: 'Calls to `LLM_URL` per UTC day, counted in the store across every process; past it papers wait for the next day.' },
  { env: 'LLM_TIMEOUT_MS', key: 'llmTimeoutMs', schema: positiveInt, default: '60000',
    description: 'How long one TL;DR request may take; past it the attempt is recorded as failed and retried later.' },
  { env: 'LLM_MAX_ABSTRACT_CHARS', key: 'llmMaxAbstractChars', schema: z.coerce.number().int().min(200).max(50_000), default: '4000',
    description: 'Characters of an abstract sent in the prompt (longer abstracts are cut at a word boundary).' },
  { env: 'KEYPHRASE_CORPUS_DOCS', key: 'keyphraseCorpusDocs', schema: positiveInt, default: '200000',
    description: 'Papers (newest ids first) whose word document frequencies weigh the offline key phrases; counted once per process and day.' },
] as const satisfies readonly SettingSpec[];

type Setting = (typeof SETTINGS)[number];
type Fields = { [S in Setting as S['key']]: z.output<S['schema']> };
/** Settings without a default whose schema allows nothing (PUBLIC_URL, SMTP_URL, ...): optional fields. */
type OptionalKey = { [K in keyof Fields]: undefined extends Fields[K] ? K : never }[keyof Fields];

/**
 * The settings as the program reads them: one field per row of SETTINGS, named by its `key` and
 * typed by its schema's output, so a setting is added in one place.
 */
export type Config = { [K in Exclude<keyof Fields, OptionalKey>]: Fields[K] } & { [K in OptionalKey]?: Exclude<Fields[K], undefined> };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads settings from an environment (process.env by default), overridden by `overrides` (e.g. CLI flags). */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Record<keyof Config, unknown>> = {}): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const s of SETTINGS as readonly SettingSpec[]) {
    const raw = overrides[s.key as keyof Config] ?? env[s.env] ?? s.default;
    if (raw === undefined || raw === '') {
      if (!s.schema.safeParse(undefined).success) problems.push(`${s.env} is required: ${s.description}`);
      continue;
    }
    const parsed = s.schema.safeParse(raw);
    if (!parsed.success) {
      problems.push(`${s.env}=${JSON.stringify(raw)} is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    } else {
      out[s.key] = parsed.data;
    }
  }
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return out as unknown as Config;
}

export function publicUrl(config: Config): string {
  return (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
}

export function settingsMarkdown(): string {
  const rows = (SETTINGS as readonly SettingSpec[]).map(
    (s) => `| \`${s.env}\` | ${s.default !== undefined ? `\`${s.default}\`` : '—'} | ${s.description} |`,
  );
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Whether a `PAPERBOY_DB` value names PostgreSQL (else it is a SQLite file). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** A URL fit for logs and `paperboy config`: its password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
