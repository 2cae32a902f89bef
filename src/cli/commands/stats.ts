import type { Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';

export const statsCommand: Command = {
  name: 'stats',
  summary: 'papers, feed days, and the last imports and harvests',
  usage: 'paperboy stats [--json]',
  options: { json: { type: 'boolean' } },
  async run({ values }) {
    return withServices(configFromFlags(values), async ({ opened }) => {
      const { store } = opened;
      const [papers, feedDays, newestDay, runs, harvests, embeddingSpaces] = await Promise.all([
        store.papers.count(),
        store.feed.countDays(),
        store.feed.newestDay(),
        store.runs.recent(10),
        store.harvestState.all(),
        store.embeddingSpaces.list(),
      ]);
      const stats = { store: opened.connection.describe, papers, feedDays, newestDay, recentRuns: runs, harvests, embeddingSpaces };
      if (values.json) {
        console.log(JSON.stringify(stats, null, 2));
        return 0;
      }
      console.log(`store:      ${stats.store}`);
      console.log(`papers:     ${papers}`);
      console.log(`feed days:  ${feedDays}${newestDay ? ` (newest ${newestDay})` : ''}`);
      for (const h of harvests) {
        const where = h.resumptionToken
          ? `interrupted after page ${h.pages} (${h.records} records) of the harvest from ${h.fromDay}: the next harvest resumes there`
          : `next harvest from ${h.nextFrom ?? '?'}`;
        console.log(`harvest ${h.key.padEnd(14)} ${where}`);
      }
      for (const e of embeddingSpaces) {
        const pct = e.papersTotal ? ` (${Math.floor((100 * e.papersDone) / e.papersTotal)}%)` : '';
        const state = e.completeAt ? `covers the corpus since ${e.completeAt}` : `being embedded in the background, last progress ${e.progressAt ?? 'none yet'}`;
        console.log(`embeddings ${e.embedderId}: ${e.papersDone} / ${e.papersTotal} papers${pct}, ${e.dimensions} dimensions, ${state}`);
      }
      if (!runs.length) console.log('runs:       none yet');
      for (const r of runs) {
        const counts = Object.entries(r.stats)
          .filter(([, v]) => typeof v === 'number')
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
        console.log(`${r.kind.padEnd(8)} ${r.startedAt}  ${r.status.padEnd(9)} ${counts}${r.error ? `  error: ${r.error}` : ''}`);
      }
      return 0;
    });
  },
};
