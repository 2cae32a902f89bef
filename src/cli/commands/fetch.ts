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
    return withServices(configFromFlags(values), async ({ services }) => {
      try {
        const r = await services.ingest.fetchRecorded(positionals);
        r.papers.forEach((p, i) => console.log(`${r.outcomes[i].padEnd(9)} ${p.id}v${p.version ?? '?'}  ${p.title}`));
        for (const id of r.missing) console.error(`not found on arXiv: ${id}`);
        return r.missing.length ? 1 : 0;
      } catch (err) {
        if (err instanceof ArxivApiError) {
          console.error(`paperboy fetch: ${err.message}`);
          return 1;
        }
        throw err;
      }
    });
  },
};
