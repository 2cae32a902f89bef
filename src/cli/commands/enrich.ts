import os from 'node:os';
import { UsageError, type Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { isDay } from '../../ingest/formats/fields.ts';
import { ENRICH_LEASE } from '../../services/enrichment/service.ts';
import type { EnrichReport } from '../../services/enrichment/runner.ts';
import { startProgress } from '../progress.ts';
import { untilInterrupted } from '../interrupt.ts';

const summary = (r: EnrichReport) =>
  Object.entries(r.byStep)
    .map(([step, c]) => `${step}: ${c.done} done, ${c.failed} failed, ${c.skipped} skipped${c.deferred ? `, ${c.deferred} left for later (host asked to wait)` : ''}`)
    .join(' / ') || 'nothing was due';

export const enrichCommand: Command = {
  name: 'enrich',
  summary: 'enrich papers now: PDF thumbnails and text, and the other enrichment steps (what the background job does)',
  usage: 'paperboy enrich [--since YYYY-MM-DD] [--id ID]... [--step NAME]... [--force] [--quiet]',
  options: {
    since: { type: 'string' },
    id: { type: 'string', multiple: true },
    step: { type: 'string', multiple: true },
    force: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  },
  async run({ values, positionals }) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const since = values.since as string | undefined;
    const ids = values.id as string[] | undefined;
    const steps = values.step as string[] | undefined;
    if (since !== undefined && !isDay(since)) throw new UsageError(`--since must be a day YYYY-MM-DD, got "${since}"`);
    for (const id of ids ?? []) if (!id.trim() || id.length > 200) throw new UsageError(`--id must be a paper id, got "${id}"`);
    if (values.force && !ids?.length && !since) throw new UsageError('--force re-runs done steps: give --id or --since too');

    return withServices(configFromFlags(values), async ({ services }) => {
      const known = services.enrichment.stepNames();
      const unknown = (steps ?? []).filter((s) => !known.includes(s));
      if (unknown.length) throw new UsageError(`no enrichment step named ${unknown.join(', ')} (steps: ${known.join(', ')})`);
      // Without --since or --id: the job's own selection (the last ENRICH_LOOKBACK_DAYS days).
      const sel = { ...(since || ids ? { since, ids } : services.enrichment.scheduledSelection()), steps, force: Boolean(values.force) };
      return untilInterrupted(async (signal) => {
        const progress = startProgress({ label: 'enriching', tty: Boolean(process.stderr.isTTY) && !values.quiet, unit: 'records', everyMs: 5000 });
        try {
          const holder = `${os.hostname()}:${process.pid}:cli`;
          const leased = await services.runs.withLease(ENRICH_LEASE, holder, 10 * 60_000, () =>
            services.runs.recordRun(ENRICH_LEASE, { source: 'cli', since: sel.since ?? null, ids: ids?.length ?? 0 }, async () => {
              const r = await services.enrichment.run(sel, {
                signal,
                onProgress: (p) => {
                  progress.update(p.done, p.total, `${p.step} ${p.paperId}: ${p.outcome}`);
                  if (p.outcome === 'failed' && !values.quiet) progress.note(`${p.step} ${p.paperId}: ${p.reason ?? 'failed'}`);
                },
              });
              return { status: r.stopped ? 'interrupted' : 'succeeded', stats: { done: r.done, failed: r.failed, skipped: r.skipped, deferred: r.deferred, steps: r.byStep }, value: r };
            }),
          );
          progress.stop();
          if (!leased.held) {
            console.error(`paperboy enrich: another process is enriching (${leased.holder ?? 'unknown'}); try again when it is done`);
            return 1;
          }
          const r = leased.value.value;
          console.log(`enrich ${r.stopped ? 'interrupted' : 'done'}: ${summary(r)}`);
          return r.stopped ? 1 : 0;
        } finally {
          progress.stop();
        }
      });
    });
  },
};
