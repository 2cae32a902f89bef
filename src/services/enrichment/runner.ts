import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../logger.ts';
import type { Store } from '../../store/store.ts';
import type { PaperWithStats } from '../../domain/paper.ts';
import { backoffMs, type BackoffPolicy, type EnrichmentStateUpdate } from '../../domain/enrichment.ts';
import type { EnrichmentStep, StepOutcome } from './step.ts';

export interface RunnerOptions {
  /** Pause between two calls to one host. */
  hostDelayMs: number;
  /** Longest a run waits for a host that asked to wait; beyond, that host's work is left to a later run. */
  maxHostWaitMs: number;
  backoff: BackoffPolicy;
  /** Longest one step may take for one paper. */
  stepTimeoutMs: number;
  /** Papers taken per step per run. */
  batchSize: number;
  now?: () => number;
}

/** Which papers and steps a run covers. */
export interface EnrichSelection {
  /** Papers published or on the feed on or after this day. */
  since?: string;
  ids?: readonly string[];
  /** Only these steps (their `after` steps must still have settled). */
  steps?: readonly string[];
  /** Run even steps whose state says done (the CLI's `--force`). */
  force?: boolean;
}

export interface EnrichProgress {
  done: number;
  total: number;
  step: string;
  paperId: string;
  outcome: StepOutcome['status'] | 'deferred';
  reason?: string;
}

export interface EnrichReport {
  done: number;
  failed: number;
  skipped: number;
  /** Left for a later run: their host asked to wait longer than `maxHostWaitMs`. */
  deferred: number;
  byStep: Record<string, { done: number; failed: number; skipped: number; deferred: number }>;
  /** The run was stopped (shutdown) before it finished. */
  stopped: boolean;
}

interface WorkItem {
  step: EnrichmentStep;
  paper: PaperWithStats;
  attempts: number;
}

/** Steps in the order their `after` dependencies allow, as levels: every step of a level may run side by side. */
export function stepLevels(steps: readonly EnrichmentStep[]): EnrichmentStep[][] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  if (byName.size !== steps.length) throw new Error('two enrichment steps share a name');
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (s: EnrichmentStep): number => {
    const known = level.get(s.name);
    if (known !== undefined) return known;
    if (visiting.has(s.name)) throw new Error(`enrichment steps depend on each other in a cycle (${s.name})`);
    visiting.add(s.name);
    let d = 0;
    for (const dep of s.after ?? []) {
      const other = byName.get(dep);
      if (!other) throw new Error(`enrichment step ${s.name} runs after ${dep}, which is not registered`);
      d = Math.max(d, depth(other) + 1);
    }
    visiting.delete(s.name);
    level.set(s.name, d);
    return d;
  };
  const out: EnrichmentStep[][] = [];
  for (const s of steps) (out[depth(s)] ??= []).push(s);
  return out.filter(Boolean);
}

/**
 * Runs enrichment steps over the papers due for them, politely, and records each outcome as the
 * paper's state for that step: done (refreshed after `refreshMs`), skipped (final), failed and
 * retried after the host's `Retry-After` or an exponential back-off (capped), or failed for good
 * (permanent failures, and after `maxAttempts` failures in a row). Calls to one host are made one
 * at a time with `hostDelayMs` between them; different hosts are called side by side. A host that
 * answers with a Retry-After is left alone until then, across runs and processes (the wait is kept
 * in the store). Steps run level by level, so a step's `after` steps have had their turn first.
 */
export class EnrichmentRunner {
  private readonly levels: EnrichmentStep[][];
  private readonly lastCall = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    readonly steps: readonly EnrichmentStep[],
    private readonly opts: RunnerOptions,
    private readonly logger: Logger,
  ) {
    this.levels = stepLevels(steps);
    this.now = opts.now ?? Date.now;
  }

  private chosen(sel: EnrichSelection): EnrichmentStep[][] {
    if (!sel.steps) return this.levels;
    const unknown = sel.steps.filter((n) => !this.steps.some((s) => s.name === n));
    if (unknown.length) throw new Error(`no enrichment step named ${unknown.join(', ')} (steps: ${this.steps.map((s) => s.name).join(', ')})`);
    return this.levels.map((l) => l.filter((s) => sel.steps!.includes(s.name))).filter((l) => l.length);
  }

  private dueQuery(step: EnrichmentStep, sel: EnrichSelection, limit: number) {
    return { step: step.name, version: step.version, after: step.after, now: new Date(this.now()).toISOString(), since: sel.since, ids: sel.ids, force: sel.force, limit };
  }

  /** Whether any paper is due for any step (the job's cheap check before it takes its lease). */
  async hasDue(sel: EnrichSelection = {}): Promise<boolean> {
    for (const level of this.chosen(sel)) {
      for (const step of level) if ((await this.store.enrichment.due(this.dueQuery(step, sel, 1))).length) return true;
    }
    return false;
  }

  async run(sel: EnrichSelection = {}, opts: { signal?: AbortSignal; onProgress?: (p: EnrichProgress) => void } = {}): Promise<EnrichReport> {
    const report: EnrichReport = { done: 0, failed: 0, skipped: 0, deferred: 0, byStep: {}, stopped: false };
    const progress = { done: 0, total: 0 };
    for (const level of this.chosen(sel)) {
      if (opts.signal?.aborted) break;
      const items: WorkItem[] = [];
      for (const step of level) {
        report.byStep[step.name] ??= { done: 0, failed: 0, skipped: 0, deferred: 0 };
        const due = await this.store.enrichment.due(this.dueQuery(step, sel, this.opts.batchSize));
        const papers = new Map((await this.store.papers.getMany(due.map((d) => d.paperId))).map((p) => [p.id, p]));
        for (const d of due) {
          const paper = papers.get(d.paperId);
          if (paper) items.push({ step, paper, attempts: d.attempts });
        }
      }
      progress.total += items.length;
      // One queue per host, each worked through in order; offline steps get a queue of their own.
      const queues = new Map<string, WorkItem[]>();
      for (const item of items) {
        const key = item.step.host ?? `offline:${item.step.name}`;
        queues.set(key, [...(queues.get(key) ?? []), item]);
      }
      await Promise.all([...queues].map(([key, queue]) => this.drain(key, queue, report, progress, opts)));
    }
    report.stopped = Boolean(opts.signal?.aborted);
    return report;
  }

  private async drain(key: string, queue: WorkItem[], report: EnrichReport, progress: { done: number; total: number }, opts: { signal?: AbortSignal; onProgress?: (p: EnrichProgress) => void }): Promise<void> {
    const host = key.startsWith('offline:') ? null : key;
    for (let i = 0; i < queue.length; i++) {
      const item = queue[i];
      if (opts.signal?.aborted) return;
      if (host) {
        const wait = await this.hostWait(host);
        if (wait > this.opts.maxHostWaitMs) {
          // The host asked for a long pause: the rest of its papers wait for a later run, untouched.
          for (const left of queue.slice(i)) {
            report.deferred++;
            report.byStep[left.step.name].deferred++;
            progress.done++;
            opts.onProgress?.({ ...progress, step: left.step.name, paperId: left.paper.id, outcome: 'deferred' });
          }
          this.logger.info({ host, waitMs: wait, left: queue.length - i }, 'enrichment host asked to wait: its papers are left to a later run');
          return;
        }
        if (wait > 0) {
          try {
            await sleep(wait, undefined, { signal: opts.signal });
          } catch {
            return;
          }
        }
        this.lastCall.set(host, this.now());
      }
      const outcome = await this.runStep(item, opts.signal);
      if (!outcome) return; // stopped by the run's signal: the state stays as it was
      await this.record(item, outcome, host);
      report[outcome.status]++;
      report.byStep[item.step.name][outcome.status]++;
      progress.done++;
      opts.onProgress?.({ ...progress, step: item.step.name, paperId: item.paper.id, outcome: outcome.status, reason: outcome.status === 'done' ? outcome.detail : outcome.reason });
    }
  }

  /** How long to wait before calling `host`: its politeness delay, or the pause it asked for. */
  private async hostWait(host: string): Promise<number> {
    const now = this.now();
    const last = this.lastCall.get(host);
    const polite = last === undefined ? 0 : last + this.opts.hostDelayMs - now;
    const blocked = await this.store.enrichment.hostBlockedUntil(host);
    const asked = blocked ? Date.parse(blocked) - now : 0;
    return Math.max(0, polite, asked);
  }

  private async runStep(item: WorkItem, signal?: AbortSignal): Promise<StepOutcome | null> {
    // A timer of our own (AbortSignal.timeout does not keep the process alive), and a race: a step
    // that ignores its signal cannot hold the run up past its time.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('step timeout')), this.opts.stepTimeoutMs);
    const stepSignal = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(stepSignal.reason);
      stepSignal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([item.step.run(item.paper, stepSignal), aborted]);
    } catch (err) {
      if (signal?.aborted) return null;
      if (timeout.signal.aborted) return { status: 'failed', reason: `${item.step.name} took longer than ${this.opts.stepTimeoutMs} ms` };
      // A step that throws is a bug or an outage, not a verdict on the paper: retried later.
      this.logger.warn({ step: item.step.name, paper: item.paper.id, err: (err as Error)?.message }, 'enrichment step threw');
      return { status: 'failed', reason: `${item.step.name} failed: ${(err as Error)?.message ?? String(err)}` };
    } finally {
      clearTimeout(timer);
      stepSignal.removeEventListener('abort', onAbort!);
      aborted.catch(() => {});
    }
  }

  private async record(item: WorkItem, outcome: StepOutcome, host: string | null): Promise<void> {
    const now = this.now();
    const iso = (ms: number) => new Date(now + ms).toISOString();
    const { step } = item;
    let update: EnrichmentStateUpdate;
    if (outcome.status === 'done') {
      update = { status: 'done', attempts: 0, reason: outcome.detail ?? null, nextAt: step.refreshMs ? iso(step.refreshMs) : null, version: step.version };
    } else if (outcome.status === 'skipped') {
      update = { status: 'skipped', attempts: 0, reason: outcome.reason, nextAt: null, version: step.version };
    } else {
      // A rate limit says nothing about the paper: it does not count toward giving up.
      const rateLimited = outcome.retryAfterMs !== undefined;
      const attempts = item.attempts + (rateLimited ? 0 : 1);
      const givenUp = outcome.permanent || attempts >= this.opts.backoff.maxAttempts;
      const retryIn = rateLimited ? Math.max(outcome.retryAfterMs!, 1000) : backoffMs(attempts, this.opts.backoff);
      const reason = !outcome.permanent && givenUp ? `${outcome.reason} (given up after ${attempts} attempts)` : outcome.reason;
      update = { status: 'failed', attempts, reason, nextAt: givenUp ? null : iso(retryIn), version: step.version };
      if (rateLimited && host) {
        await this.store.enrichment.blockHost(host, iso(outcome.retryAfterMs!), outcome.reason);
        this.logger.info({ host, retryAfterMs: outcome.retryAfterMs, step: step.name }, 'enrichment host asked to wait');
      }
    }
    await this.store.enrichment.record(item.paper.id, step.name, update, new Date(now).toISOString());
  }
}
