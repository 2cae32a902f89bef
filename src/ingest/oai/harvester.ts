import { feedDayOf } from '../../domain/announcement.ts';
import type { Logger } from '../../logger.ts';
import type { HarvestState } from '../../store/harvest-state.ts';
import type { Store } from '../../store/store.ts';
import { XmlFormatError } from '../xml.ts';
import { HarvestError, type OaiClient } from './client.ts';
import { parseListRecords, type MetadataPrefix, type OaiPage, type OaiRecord } from './parse.ts';
import { orgName, orgSlug } from '../../domain/organisation.ts';

export interface HarvestOptions {
  metadataPrefix?: MetadataPrefix;
  /** OAI-PMH sets, harvested one after the other; none (or `all`) means the whole archive. */
  sets?: string[];
  /** Days, `YYYY-MM-DD`. Without `from`, the harvest continues where the last complete one ended. */
  from?: string;
  until?: string;
  /** Aborts the harvest now, the request under way included (Ctrl-C on `paperboy harvest`). */
  signal?: AbortSignal;
  /** Stops the harvest after the page under way is stored (a graceful shutdown of `serve` or `worker`). */
  stop?: AbortSignal;
  /** After each stored page: the set's records so far and the size arXiv gives for the whole list (null when it does not). */
  onPage?: (p: HarvestPage) => void;
}

export interface HarvestPage {
  /** `arXiv:cs` */
  set: string;
  pages: number;
  /** Records of this list stored so far (including earlier runs of a resumed harvest). */
  records: number;
  /** `completeListSize` from the resumption token: the list's records in all. */
  completeListSize: number | null;
}

export interface HarvestSummary {
  pages: number;
  records: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  addedToFeed: number;
  /** Records that could not be read (the rest of their page was stored). */
  failed: number;
  problems: string[];
}

export function emptyHarvestSummary(): HarvestSummary {
  return { pages: 0, records: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, addedToFeed: 0, failed: 0, problems: [] };
}

export interface HarvesterOptions {
  /** Newly announced papers in these categories go on the feed. */
  feedCategories: string[];
  /** Days back the very first harvest starts. */
  lookbackDays?: number;
  logger?: Logger;
  now?: () => Date;
  /** Timing hooks (the benchmark splits parsing from storing): wall and CPU milliseconds of each phase. */
  onTiming?: (phase: 'fetch' | 'parse' | 'store', ms: number, cpuMs: number) => void;
}

const MAX_KEPT_PROBLEMS = 200;

/**
 * Incremental, resumable OAI-PMH harvests. Each page's papers, deletions, feed entries and the
 * harvest's checkpoint (the next resumption token) are written in one transaction, so a harvest
 * killed at any moment starts again after the last stored page and stores every record once.
 */
export class Harvester {
  constructor(
    private readonly store: Store,
    private readonly client: OaiClient,
    private readonly opts: HarvesterOptions,
  ) {}

  async harvest(options: HarvestOptions = {}, summary = emptyHarvestSummary()): Promise<HarvestSummary> {
    const prefix = options.metadataPrefix ?? 'arXiv';
    const sets = !options.sets?.length || options.sets.includes('all') ? [null] : [...new Set(options.sets)];
    for (const set of sets) await this.harvestSet(prefix, set, options, summary);
    return summary;
  }

  private async harvestSet(prefix: MetadataPrefix, set: string | null, options: HarvestOptions, summary: HarvestSummary): Promise<void> {
    const key = `${prefix}:${set ?? 'all'}`;
    const log = this.opts.logger?.child({ harvest: key });
    const saved = await this.store.harvestState.get(key);
    const now = () => (this.opts.now?.() ?? new Date()).toISOString();
    let state: HarvestState;
    const resumable =
      saved?.resumptionToken &&
      (options.from === undefined || (options.from === saved.fromDay && (options.until ?? null) === saved.untilDay));
    if (resumable) {
      state = saved;
      log?.info({ token: state.resumptionToken, pages: state.pages }, 'resuming an interrupted harvest after its last stored page');
    } else {
      const from = options.from ?? saved?.nextFrom ?? this.defaultFrom();
      state = {
        key,
        metadataPrefix: prefix,
        setSpec: set,
        fromDay: from,
        untilDay: options.until ?? null,
        resumptionToken: null,
        pages: 0,
        records: 0,
        nextFrom: saved?.nextFrom ?? null,
        startedAt: now(),
        updatedAt: now(),
        completedAt: null,
      };
      log?.info({ from, until: state.untilDay }, 'harvest started');
    }
    let restartedAfterBadToken = false;
    for (;;) {
      options.signal?.throwIfAborted();
      options.stop?.throwIfAborted();
      const url = this.client.listRecordsUrl(
        state.resumptionToken
          ? { resumptionToken: state.resumptionToken }
          : { metadataPrefix: prefix, set, from: state.fromDay, until: state.untilDay },
      );
      let t = clock();
      const body = await this.client.get(url, options.signal);
      this.time('fetch', t);
      t = clock();
      let page: OaiPage;
      try {
        page = parseListRecords(body);
      } catch (err) {
        if (err instanceof XmlFormatError) throw new HarvestError(`malformed OAI-PMH page ${url}: ${err.message}`, url);
        throw err;
      }
      this.time('parse', t);
      if (page.error) {
        if (page.error.code === 'badResumptionToken' && state.resumptionToken && !restartedAfterBadToken) {
          // Tokens expire; starting the same window again is safe because storing is idempotent.
          log?.warn({ url, message: page.error.message }, 'resumption token expired: harvesting the window again');
          restartedAfterBadToken = true;
          state = { ...state, resumptionToken: null };
          continue;
        }
        if (page.error.code !== 'noRecordsMatch') {
          throw new HarvestError(`OAI-PMH error "${page.error.code}" from ${url}: ${page.error.message || 'no message'}`, url);
        }
      }
      t = clock();
      await this.storePage(page, state, summary, now());
      this.time('store', t);
      options.onPage?.({ set: key, pages: state.pages, records: state.records, completeListSize: page.completeListSize });
      log?.debug({ url, records: page.records.length, pages: state.pages }, 'page stored');
      if (!state.resumptionToken) break;
    }
    log?.info({ pages: state.pages, records: state.records, nextFrom: state.nextFrom }, 'harvest complete');
  }

  private time(phase: 'fetch' | 'parse' | 'store', start: { wall: number; cpu: NodeJS.CpuUsage }): void {
    if (!this.opts.onTiming) return;
    const cpu = process.cpuUsage(start.cpu);
    this.opts.onTiming(phase, performance.now() - start.wall, (cpu.user + cpu.system) / 1000);
  }

  private defaultFrom(): string {
    const d = this.opts.now?.() ?? new Date();
    return new Date(d.getTime() - (this.opts.lookbackDays ?? 3) * 86_400_000).toISOString().slice(0, 10);
  }

  /** One transaction: the page's papers, deletions, feed entries and the checkpoint after it. */
  private async storePage(page: OaiPage, state: HarvestState, summary: HarvestSummary, now: string): Promise<void> {
    const live = page.records.filter((r) => !r.deleted && r.paper);
    const gone = page.records.filter((r) => r.deleted);
    const categories = new Set(this.opts.feedCategories);
    const feed = live
      .filter((r) => r.paper!.categories.some((c) => categories.has(c)))
      .map((r) => ({ paperId: r.id, day: feedDayOf(r) }))
      .filter((e): e is { paperId: string; day: string } => e.day !== null);
    const done = !page.resumptionToken;
    const next: HarvestState = {
      ...state,
      resumptionToken: page.resumptionToken,
      pages: state.pages + 1,
      records: state.records + page.records.length,
      updatedAt: now,
      completedAt: done ? now : null,
      nextFrom: done ? laterDay(state.nextFrom, state.untilDay ?? page.responseDate?.slice(0, 10) ?? now.slice(0, 10)) : state.nextFrom,
    };
    const counts = await this.store.transaction(async (tx) => {
      const outcomes = await tx.papers.upsertMany(
        live.map((r) => r.paper!),
        now,
      );
      await tx.organisations.setHarvested(affiliationsOf(live));
      let deleted = 0;
      for (const r of gone) if (await tx.papers.markDeleted(r.id, now)) deleted++;
      const added = await tx.feed.addMany(feed, now);
      await tx.harvestState.save(next);
      return { outcomes, deleted, added };
    });
    Object.assign(state, next);
    summary.pages++;
    summary.records += page.records.length;
    for (const o of counts.outcomes) summary[o]++;
    summary.deleted += counts.deleted;
    summary.addedToFeed += counts.added;
    summary.failed += page.problems.length;
    for (const p of page.problems) if (summary.problems.length < MAX_KEPT_PROBLEMS) summary.problems.push(p);
  }
}

function clock(): { wall: number; cpu: NodeJS.CpuUsage } {
  return { wall: performance.now(), cpu: process.cpuUsage() };
}

function laterDay(a: string | null, b: string): string {
  return a && a > b ? a : b;
}

/** The records' affiliations with their organisations' slugs, for the records whose format carries them. */
function affiliationsOf(records: readonly OaiRecord[]): Array<{ paperId: string; affiliations: Array<{ author: string; name: string; slug: string }> }> {
  const out = [];
  for (const r of records) {
    if (!r.affiliations) continue;
    const affiliations = [];
    for (const a of r.affiliations) {
      const name = orgName(a.name);
      const slug = name && orgSlug(name);
      if (name && slug) affiliations.push({ author: a.author, name, slug });
    }
    out.push({ paperId: r.id, affiliations });
  }
  return out;
}
