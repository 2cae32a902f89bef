import { UsageError, type Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { canonicalPaperId } from '../../domain/arxiv-id.ts';
import { presentSimilar } from '../../http/presenters/search.ts';

export const similarCommand: Command = {
  name: 'similar',
  summary: 'papers similar to a paper (vector and keyword neighbours)',
  usage: 'paperboy similar <paper-id|arXiv URL> [--limit N] [--json]',
  options: { limit: { type: 'string', short: 'n' }, json: { type: 'boolean' } },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('similar takes one paper id');
    const id = canonicalPaperId(positionals[0]);
    if (!id) throw new UsageError(`"${positionals[0]}" is not a paper id (expected e.g. 2401.01234, hep-th/9901001 or source:id)`);
    const limit = values.limit === undefined ? 10 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 120) throw new UsageError('--limit must be a whole number from 1 to 120');
    return withServices(
      configFromFlags(values),
      async ({ services }) => {
        const similar = await services.search.similar(id, limit);
        if (!similar) {
          console.error(`paperboy similar: no paper ${id}`);
          return 1;
        }
        if (values.json) console.log(JSON.stringify(similar.map((r) => presentSimilar(r)), null, 2));
        else for (const r of similar) console.log(`${r.paper.id.padEnd(18)} ${r.score.toFixed(4)}  ${r.paper.title}`);
        return 0;
      },
      { logLevel: 'warn' },
    );
  },
};
