import { UsageError, type Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { isArxivId } from '../../domain/arxiv-id.ts';
import { ArxivApiError } from '../../ingest/arxiv-api.ts';

export const fetchCommand: Command = {
  name: 'fetch',
  summary: "look papers up by arXiv id in arXiv's API and store them",
  usage: 'paperboy fetch <arxiv-id>... (new or old style, with or without version, or an arXiv URL)',
  options: {},
  async run({ values, positionals }) {
    if (!positionals.length) throw new UsageError('give at least one arXiv id');
    const bad = positionals.filter((p) => !isArxivId(p));
    if (bad.length) throw new UsageError(`not an arXiv id: ${bad.map((b) => `"${b}"`).join(', ')}`);
    return withServices(configFromFlags(values), async ({ services, opened }) => {
      const runId = await opened.store.runs.start('fetch', { asked: positionals.length });
      try {
        const r = await services.ingest.fetchAndStore(positionals);
        r.papers.forEach((p, i) => console.log(`${r.outcomes[i].padEnd(9)} ${p.id}v${p.version ?? '?'}  ${p.title}`));
        for (const id of r.missing) console.error(`not found on arXiv: ${id}`);
        const counts = { asked: positionals.length, found: r.papers.length, missing: r.missing.length, ...countOutcomes(r.outcomes) };
        await opened.store.runs.finish(runId, r.missing.length ? 'partial' : 'succeeded', counts);
        return r.missing.length ? 1 : 0;
      } catch (err) {
        await opened.store.runs.finish(runId, 'failed', { asked: positionals.length }, (err as Error).message);
        if (err instanceof ArxivApiError) {
          console.error(`paperboy fetch: ${err.message}`);
          return 1;
        }
        throw err;
      }
    });
  },
};

function countOutcomes(outcomes: string[]): Record<string, number> {
  const c: Record<string, number> = { inserted: 0, updated: 0, unchanged: 0 };
  for (const o of outcomes) c[o]++;
  return c;
}
