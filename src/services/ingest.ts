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

/** The lease the scheduled harvest job also takes: one harvest at a time on a store. */
/** What a harvest run left "running" by a killed process says once the next harvest finds it. */
export const INTERRUPTED_HARVEST = 'interrupted: the process ended before the harvest finished (the next harvest resumed it)';

export const HARVEST_LEASE = 'harvest';
const LEASE_MS = 2 * 60_000;

export class HarvestBusyError extends Error {
  override name = 'HarvestBusyError';
}

export interface RecordedHarvest {
  runId: number;
  summary: HarvestSummary;
  status: 'succeeded' | 'partial' | 'failed';
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
    /** The process's shutdown deadline: aborts every arXiv request and pause of this service's clients. */
    private readonly shutdown?: AbortSignal,
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

  /** A harvest with the configured sets and format unless `opts` says otherwise; not recorded in `runs`. */
  harvest(opts: HarvestOptions = {}, summary = emptyHarvestSummary()): Promise<HarvestSummary> {
    return this.harvester().harvest(
      { ...opts, metadataPrefix: opts.metadataPrefix ?? this.config.harvestMetadataPrefix, sets: opts.sets?.length ? opts.sets : this.config.harvestSets },
      summary,
    );
  }

  /**
   * A harvest recorded in `runs` (kind `harvest`) with its counters, whether it succeeds or not.
   * It holds the `harvest` lease (as the scheduled job does), so it never runs alongside another
   * harvest on the same store; a lease left by a process on this host that no longer exists
   * (killed with `kill -9`) is taken over at once rather than after it expires.
   */
  async harvestRecorded(opts: HarvestOptions = {}): Promise<RecordedHarvest> {
    const holder = `${os.hostname()}:${process.pid}:harvest-cli`;
    const current = await this.store.leases.holder(HARVEST_LEASE);
    if (current && current !== holder && isDeadLocalHolder(current)) {
      this.logger.warn({ holder: current }, 'taking over the harvest lease of a process that no longer exists');
      await this.store.leases.release(HARVEST_LEASE, current);
    }
    if (!(await this.store.leases.acquire(HARVEST_LEASE, holder, LEASE_MS))) {
      throw new HarvestBusyError(`another harvest is running on this store (${await this.store.leases.holder(HARVEST_LEASE)}); try again when it has finished`);
    }
    // Holding the lease, no other harvest is under way: a harvest run still marked running was cut short.
    await this.store.runs.interruptRunning('harvest', INTERRUPTED_HARVEST);
    const renew = setInterval(() => {
      this.store.leases.renew(HARVEST_LEASE, holder, LEASE_MS).catch((err) => this.logger.warn({ err }, 'harvest lease renewal failed'));
    }, LEASE_MS / 4);
    renew.unref();
    try {
      return await this.harvestRecordedLocked(opts);
    } finally {
      clearInterval(renew);
      await this.store.leases.release(HARVEST_LEASE, holder).catch(() => {});
    }
  }

  private async harvestRecordedLocked(opts: HarvestOptions): Promise<RecordedHarvest> {
    const runId = await this.store.runs.start('harvest', { from: opts.from ?? null, until: opts.until ?? null, sets: opts.sets?.length ? opts.sets : this.config.harvestSets });
    const summary = emptyHarvestSummary();
    try {
      await this.harvest(opts, summary);
    } catch (err) {
      const error = (err as Error).message;
      await this.store.runs.finish(runId, 'failed', harvestCounts(summary), error);
      return { runId, summary, status: 'failed', error };
    }
    const status = summary.failed ? 'partial' : 'succeeded';
    await this.store.runs.finish(runId, status, harvestCounts(summary), summary.problems.length ? summary.problems.slice(0, 5).join('; ') : null);
    return { runId, summary, status, error: null };
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
