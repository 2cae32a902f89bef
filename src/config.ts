import { z } from 'zod';
import { Cron } from 'croner';

/**
 * Every setting Paperboy reads, with its environment variable, default and meaning.
 * The README's configuration table is generated from this list (`paperboy config --markdown`),
 * so a setting that is not here does not exist.
 */
export interface SettingSpec {
  env: string;
  key: keyof Config;
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

export const SETTINGS = [
  { env: 'PAPERBOY_DB', key: 'db', schema: z.string().min(1), default: './data/paperboy.db',
    description: 'Where papers live: a file path means SQLite (WAL mode), a `postgres://` URL means PostgreSQL.' },
  { env: 'HOST', key: 'host', schema: z.string().min(1), default: '0.0.0.0', description: 'Address the HTTP server listens on.' },
  { env: 'PORT', key: 'port', schema: port, default: '8080', description: 'Port the HTTP server listens on.' },
  { env: 'PUBLIC_URL', key: 'publicUrl', schema: z.string().url().optional(),
    description: 'Public base URL of the site, used in mails and feeds (defaults to http://localhost:PORT).' },
  { env: 'LOG_LEVEL', key: 'logLevel', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info',
    description: 'pino log level.' },
  { env: 'PAPERBOY_DEMO', key: 'demo', schema: bool, default: 'true',
    description: 'Load the demo set (69 papers on the feed of 2025-08-01) when `serve` starts on an empty store.' },
  { env: 'SHUTDOWN_TIMEOUT_MS', key: 'shutdownTimeoutMs', schema: positiveInt, default: '10000',
    description: 'How long a graceful shutdown waits for in-flight requests before closing anyway.' },
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
  { env: 'API_MAX_BODY_BYTES', key: 'apiMaxBodyBytes', schema: positiveInt, default: '65536',
    description: 'Largest request body the API accepts (413 beyond).' },
  { env: 'API_CACHE_SECONDS', key: 'apiCacheSeconds', schema: z.coerce.number().int().min(0), default: '60',
    description: '`Cache-Control: max-age` of anonymous API and feed reads (0 makes clients revalidate every time).' },
  { env: 'SEARCH_EMBEDDER', key: 'searchEmbedder', schema: z.string().min(1), default: 'local',
    description: 'Embedder for semantic search and similar papers: `local` (offline model trained on this instance\'s papers by `paperboy reindex`), `http` (an OpenAI-compatible `/v1/embeddings` server) or `none` (keyword search only).' },
  { env: 'SEARCH_KEYWORD_ENGINE', key: 'searchKeywordEngine', schema: z.string().min(1), default: 'store',
    description: "Keyword search engine: `store` (the store's own full-text index: SQLite FTS5 or PostgreSQL tsvector)." },
  { env: 'EMBEDDINGS_URL', key: 'embeddingsUrl', schema: z.string().url().optional(),
    description: 'Base URL of the OpenAI-compatible embeddings server (`SEARCH_EMBEDDER=http`), e.g. `http://localhost:8081` for text-embeddings-inference.' },
  { env: 'EMBEDDINGS_MODEL', key: 'embeddingsModel', schema: z.string().min(1), default: 'text-embedding-3-small',
    description: 'Model name sent to the embeddings server.' },
  { env: 'EMBEDDINGS_API_KEY', key: 'embeddingsApiKey', schema: z.string().optional(),
    description: 'Bearer key for the embeddings server, when it needs one.' },
  { env: 'ARXIV_DELAY_MS', key: 'arxivDelayMs', schema: nonNegativeInt, default: '3000',
    description: 'Pause between requests to arXiv (OAI-PMH and API); arXiv asks for at least 3 s. Also the base of the retry backoff.' },
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
] as const satisfies readonly SettingSpec[];

export interface Config {
  db: string;
  host: string;
  port: number;
  publicUrl?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  demo: boolean;
  shutdownTimeoutMs: number;
  arxivOaiUrl: string;
  arxivApiUrl: string;
  apiRateLimitIp: number;
  apiRateLimitToken: number;
  apiRateWindowSeconds: number;
  apiMaxBodyBytes: number;
  apiCacheSeconds: number;
  searchEmbedder: string;
  searchKeywordEngine: string;
  embeddingsUrl?: string;
  embeddingsModel: string;
  embeddingsApiKey?: string;
  arxivDelayMs: number;
  arxivMaxRetries: number;
  harvestSets: string[];
  harvestMetadataPrefix: 'arXiv' | 'arXivRaw';
  harvestLookbackDays: number;
  feedCategories: string[];
  harvestSchedule: string;
  harvestEnabled: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads settings from an environment (process.env by default), overridden by `overrides` (e.g. CLI flags). */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Record<keyof Config, unknown>> = {}): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const s of SETTINGS as readonly SettingSpec[]) {
    const raw = overrides[s.key] ?? env[s.env] ?? s.default;
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
