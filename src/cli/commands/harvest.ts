import { UsageError, type Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { isDay } from '../../ingest/formats/fields.ts';
import { HarvestBusyError, harvestCounts } from '../../services/ingest.ts';
import { startProgress } from '../progress.ts';
import { untilInterrupted } from '../interrupt.ts';

const SET = /^[a-z-]+(:[A-Za-z.-]+)*$|^all$/;

export const harvestCommand: Command = {
  name: 'harvest',
  summary: "harvest new and changed papers from arXiv's OAI-PMH endpoint (resumes an interrupted harvest)",
  usage: 'paperboy harvest [--from YYYY-MM-DD] [--until YYYY-MM-DD] [--set SET]... [--format arXiv|arXivRaw]',
  options: {
    from: { type: 'string' },
    until: { type: 'string' },
    set: { type: 'string', multiple: true },
    format: { type: 'string' },
  },
  async run({ values, positionals }) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const from = values.from as string | undefined;
    const until = values.until as string | undefined;
    const sets = (values.set as string[] | undefined) ?? [];
    const format = values.format as string | undefined;
    for (const [name, v] of [['--from', from], ['--until', until]] as const) {
      if (v !== undefined && !isDay(v)) throw new UsageError(`${name} must be a day YYYY-MM-DD, got "${v}"`);
    }
    if (from && until && from > until) throw new UsageError('--from is after --until');
    for (const s of sets) if (!SET.test(s)) throw new UsageError(`bad set "${s}": use e.g. cs, stat, physics:hep-th or all`);
    if (format !== undefined && format !== 'arXiv' && format !== 'arXivRaw') throw new UsageError(`--format must be arXiv or arXivRaw, got "${format}"`);

    return withServices(configFromFlags(values), ({ services }) =>
      untilInterrupted(async (signal) => {
        // Per set: records stored of `completeListSize` (arXiv gives it in each resumption token).
        const progress = startProgress({ label: 'harvesting', tty: Boolean(process.stderr.isTTY), unit: 'records' });
        let result;
        try {
          result = await services.ingest.harvestRecorded({
            from,
            until,
            sets,
            metadataPrefix: format as 'arXiv' | 'arXivRaw' | undefined,
            signal,
            onPage: (p) => progress.update(p.records, p.completeListSize ?? 0, `${p.set}, page ${p.pages}`),
          });
        } catch (err) {
          progress.stop();
          if (!(err instanceof HarvestBusyError)) throw err;
          console.error(`paperboy harvest: ${err.message}`);
          return 1;
        }
        progress.stop();
        const c = harvestCounts(result.summary);
        for (const p of result.summary.problems) console.error(`skipped a record: ${p}`);
        console.log(
          `harvest ${result.status}: ${c.pages} pages, ${c.records} records / inserted ${c.inserted} / updated ${c.updated} / unchanged ${c.unchanged} / deleted ${c.deleted} / failed ${c.failed} (added to feed: ${c.addedToFeed})`,
        );
        if (result.error) {
          console.error(`paperboy harvest: ${result.error}`);
          console.error('everything stored before the failure is kept; run the harvest again to continue from the last stored page');
        }
        return result.status === 'succeeded' ? 0 : 1;
      }),
    );
  },
};
