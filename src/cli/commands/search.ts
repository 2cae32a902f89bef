import { UsageError, type Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { normaliseDate, parseSort } from '../../search/query.ts';
import { SEARCH_SORTS } from '../../domain/search-query.ts';
import { presentSearchResult } from '../../http/presenters/search.ts';
import type { SearchMode } from '../../services/search.ts';

function intFlag(name: string, raw: unknown, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}, not "${raw}"`);
  return n;
}

export const searchCommand: Command = {
  name: 'search',
  summary: 'search papers (same query language as the site: "phrases", -words, author:, category:, from:, to:, sort:)',
  usage: 'paperboy search "<query>" [--limit N] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--category CAT] [--sort relevance|date|upvotes] [--mode hybrid|keyword|vector] [--json]',
  options: {
    limit: { type: 'string', short: 'n' },
    from: { type: 'string' },
    to: { type: 'string' },
    category: { type: 'string' },
    sort: { type: 'string' },
    mode: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('search takes one query (quote it)');
    const limit = intFlag('limit', values.limit, 20, 120);
    const sort = values.sort === undefined ? undefined : parseSort(values.sort as string);
    if (sort === null) throw new UsageError(`--sort must be one of ${SEARCH_SORTS.join(', ')}`);
    const mode = values.mode as string | undefined;
    if (mode !== undefined && !['hybrid', 'keyword', 'vector'].includes(mode)) throw new UsageError('--mode must be hybrid, keyword or vector');
    const dates: Record<'from' | 'to', string | undefined> = { from: undefined, to: undefined };
    for (const k of ['from', 'to'] as const) {
      if (values[k] === undefined) continue;
      const d = normaliseDate(String(values[k]), k);
      if (!d) throw new UsageError(`--${k} must be a date (YYYY, YYYY-MM or YYYY-MM-DD), not "${values[k]}"`);
      dates[k] = d;
    }
    const category = values.category as string | undefined;
    if (category !== undefined && !/^[a-z][a-z-]*(\.[a-z][a-z-]*)?$/i.test(category)) throw new UsageError(`--category must be an arXiv category such as cs.LG`);

    return withServices(
      configFromFlags(values),
      async ({ services }) => {
        const res = await services.search.search({ q: positionals[0], limit, ...dates, category, sort, mode: mode as SearchMode | undefined });
        if (values.json) {
          console.log(JSON.stringify(res.results.map((r) => presentSearchResult(r)), null, 2));
          return 0;
        }
        for (const w of res.query.warnings) console.error(`note: ${w}`);
        if (!res.results.length) console.log('no papers found');
        for (const r of res.results) {
          const title = r.title.map((s) => (s.match ? `\x1b[1m${s.text}\x1b[22m` : s.text)).join('');
          console.log(`${r.paper.id.padEnd(18)} ${(r.paper.publishedAt ?? '').slice(0, 10)}  ${process.stdout.isTTY ? title : r.paper.title}`);
        }
        return 0;
      },
      { logLevel: 'warn' },
    );
  },
};
