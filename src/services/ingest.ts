import os from 'node:os';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { UpsertOutcome } from '../store/papers.ts';
import type { Paper } from '../domain/paper.ts';
import { parseArxivId } from '../domain/arxiv-id.ts';
import { ArxivApiClient } from '../ingest/arxiv-api.ts';
import { OaiClient } from '../ingest/oai/client.ts';
import { Harvester, emptyHarvestSummary, type HarvestOptions, type HarvestSummary } from '../ingest/oai/harvester.ts';
import { Importer, emptySummary, type ImportOptions, type ImportSummary } from '../ingest/importer.ts';
import { RunFailedError, RunService, type RunOutcome } from './runs.ts';

/** What a harvest run left "running" by a killed process says once the next harvest finds it. */
export const INTERRUPTED_HARVEST = 'interrupted: the process ended before the harvest finished (the next harvest resumed it)';

/** The lease the scheduled harvest job also takes: one harvest at a time on a store. */
export const HARVEST_LEASE = 'harvest';
const LEASE_MS = 2 * 60_000;

export class HarvestBusyError extends Error {
  override name = 'HarvestBusyError';
}

/** A harvest that failed part-way; `summary` is what it stored before (kept: pages are committed one by one). */
export class HarvestFailedError extends RunFailedError {
  override name = 'HarvestFailedError';
  constructor(
    readonly reason: string,
    readonly summary: HarvestSummary,
    cause: unknown,
  ) {
    const c = harvestCounts(summary);
    super(`${reason} (stored before the failure: ${c.pages} pages, ${c.inserted} inserted, ${c.updated} updated, ${c.addedToFeed} added to the feed)`, c, { cause });
  }
}

export interface RecordedHarvest {
  runId: number;
  summary: HarvestSummary;
  status: 'succeeded' | 'partial' | 'failed' | 'interrupted';
  error: string | null;
}

export interface FetchResult {
  papers: Paper[];
  outcomes: UpsertOutcome[];
  /** Ids asked for that arXiv does not know. */
  missing: string[];
}

/** arXiv intake: OAI-PMH harvests and Atom API look-ups, with settings from the config. */
export class IngestService {
  constructor(
    private readonly store: Store,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly runs = new RunService(store, logger),
    /** The process's shutdown deadline: aborts every arXiv request and pause of this service's clients. */
    private readonly shutdown?: AbortSignal,
    /** Called when a harvest or an import stored papers (the page cache shows them then). */
    private readonly onChange?: () => void,
  ) {}

  harvester(): Harvester {
    const client = new OaiClient({
      baseUrl: this.config.arxivOaiUrl,
      delayMs: this.config.arxivDelayMs,
      maxRetries: this.config.arxivMaxRetries,
      logger: this.logger,
      signal: this.shutdown,
    });
    return new Harvester(this.store, client, {
      feedCategories: this.config.feedCategories,
      lookbackDays: this.config.harvestLookbackDays,
      logger: this.logger,
    });
  }

  /**
   * A harvest with the configured sets and format unless `opts` says otherwise; not recorded in
   * `runs` (the caller records it). Returns the counts; a failure is a `RunFailedError` carrying
   * the counts of what was stored before it (its message names them too).
   */
  async harvest(opts: HarvestOptions = {}): Promise<HarvestSummary> {
    const summary = emptyHarvestSummary();
    try {
      return await this.harvester().harvest(
        { ...opts, metadataPrefix: opts.metadataPrefix ?? this.config.harvestMetadataPrefix, sets: opts.sets?.length ? opts.sets : this.config.harvestSets },
        summary,
      );
    } catch (err) {
      throw new HarvestFailedError((err as Error).message, summary, err);
    } finally {
      if (summary.inserted + summary.updated + summary.addedToFeed > 0) this.onChange?.();
    }
  }

  /**
   * A harvest recorded in `runs` (kind `harvest`) with its counters, whether it succeeds or not.
   * It holds the `harvest` lease (as the scheduled job does), so it never runs alongside another
   * harvest on the same store; a lease left by a process on this host that no longer exists
   * (killed with `kill -9`) is taken over at once rather than after it expires.
   */
  async harvestRecorded(opts: HarvestOptions = {}): Promise<RecordedHarvest> {
    const holder = `${os.hostname()}:${process.pid}:harvest-cli`;
    const current = await this.runs.leaseHolder(HARVEST_LEASE);
    if (current && current !== holder && isDeadLocalHolder(current)) {
      this.logger.warn({ holder: current }, 'taking over the harvest lease of a process that no longer exists');
      await this.runs.releaseLease(HARVEST_LEASE, current);
    }
    const leased = await this.runs.withLease(HARVEST_LEASE, holder, LEASE_MS, () =>
      this.runs.recordRun(
        'harvest',
        { from: opts.from ?? null, until: opts.until ?? null, sets: opts.sets?.length ? opts.sets : this.config.harvestSets },
        async (): Promise<RunOutcome<{ summary: HarvestSummary; error: string | null }>> => {
          try {
            const summary = await this.harvest(opts);
            const status = summary.failed ? 'partial' : 'succeeded';
            return { status, stats: harvestCounts(summary), error: summary.problems.length ? summary.problems.slice(0, 5).join('; ') : null, value: { summary, error: null } };
          } catch (err) {
            if (!(err instanceof HarvestFailedError)) throw err;
            // A failed harvest is an outcome here, not an exception: the command reports what was stored.
            return { status: 'failed', stats: err.stats, error: err.reason, value: { summary: err.summary, error: err.reason } };
          }
        },
        // Holding the lease, no other harvest is under way: a harvest run still marked running was cut short.
        { interrupted: INTERRUPTED_HARVEST },
      ),
    );
    if (!leased.held) throw new HarvestBusyError(`another harvest is running on this store (${leased.holder}); try again when it has finished`);
    const { runId, status, value } = leased.value;
    return { runId, summary: value.summary, status, error: value.error };
  }

  /**
   * Imports JSON Lines files as one recorded run (kind `import`, no lease: imports are idempotent
   * upserts), then brings the search indexes up to date via `afterImport`. Returns the counts; a
   * failure is recorded with the counts so far and thrown.
   */
  async importRecorded(files: string[], opts: ImportOptions & { workers?: number; onSummary?: (s: ImportSummary) => void; onFileDone?: (file: string) => void; afterImport?: () => Promise<Record<string, number>> } = {}): Promise<ImportSummary> {
    const { value } = await this.runs.recordRun('import', { files: files.length }, async () => {
      const summary = emptySummary();
      opts.onSummary?.(summary);
      const importer = new Importer(this.store, { workers: opts.workers ?? 0 });
      try {
        await importer.importFiles(files, opts, summary, opts.onFileDone);
      } catch (err) {
        throw new RunFailedError((err as Error).message, importCounts(summary), { cause: err });
      } finally {
        await importer.close();
      }
      if (summary.inserted + summary.updated + summary.addedToFeed > 0) this.onChange?.();
      const indexed = (await opts.afterImport?.()) ?? {};
      // Without fresh statistics PostgreSQL plans feed queries as if the tables were empty.
      if (summary.inserted + summary.updated >= 1000) await this.store.papers.refreshStatistics();
      return { status: summary.failed ? 'partial' : 'succeeded', stats: { ...importCounts(summary), ...indexed }, value: summary };
    });
    return value;
  }

  /** Looks papers up in arXiv's Atom API and stores them, recorded as a run of kind `fetch`. */
  async fetchRecorded(ids: string[], client = this.apiClient()): Promise<FetchResult> {
    const { value } = await this.runs.recordRun('fetch', { asked: ids.length }, async () => {
      const r = await this.fetchAndStore(ids, client);
      const counts = { asked: ids.length, found: r.papers.length, missing: r.missing.length, ...countOutcomes(r.outcomes) };
      return { status: r.missing.length ? 'partial' : 'succeeded', stats: counts, value: r };
    });
    return value;
  }

  apiClient(): ArxivApiClient {
    return new ArxivApiClient({ baseUrl: this.config.arxivApiUrl, minIntervalMs: this.config.arxivDelayMs, signal: this.shutdown });
  }

  /** Looks papers up in arXiv's Atom API and stores them. */
  async fetchAndStore(ids: string[], client = this.apiClient()): Promise<FetchResult> {
    const papers = await client.fetchByIds(ids);
    const outcomes = papers.length ? await this.store.transaction((tx) => tx.papers.upsertMany(papers)) : [];
    const found = new Set(papers.map((p) => p.id));
    const missing = ids.filter((raw) => !found.has(parseArxivId(raw)?.id ?? raw));
    return { papers, outcomes, missing };
  }
}

/** Lease holders are `host:pid:...`; a holder on this host whose process is gone will never release. */
function isDeadLocalHolder(holder: string): boolean {
  const [host, pidText] = holder.split(':');
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function harvestCounts(s: HarvestSummary): Record<string, number> {
  const { problems: _problems, ...counts } = s;
  return counts;
}

/** An import's counters without its kept error lines. */
export function importCounts(s: ImportSummary): Record<string, number> {
  const { errors: _errors, ...counts } = s;
  return counts;
}

function countOutcomes(outcomes: string[]): Record<string, number> {
  const c: Record<string, number> = { inserted: 0, updated: 0, unchanged: 0 };
  for (const o of outcomes) c[o]++;
  return c;
}
