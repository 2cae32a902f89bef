import cliProgress from 'cli-progress';
import type { Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { embedderProvider } from '../../search/embedder-providers.ts';

/**
 * Progress of one phase after another: on a terminal a bar per phase (rate and ETA); otherwise (or
 * with --quiet) one line per phase when it ends, with its count, time and rate.
 */
function phaseProgress(bars: boolean) {
  let current: { name: string; started: number; bar: cliProgress.SingleBar | null; done: number; total: number } | null = null;
  /** A phase that already ended complete: a repeated final report of it draws nothing. */
  let finished: string | null = null;
  const end = () => {
    if (!current) return;
    current.bar?.stop();
    const s = (performance.now() - current.started) / 1000;
    const rate = s >= 0.1 ? ` (${Math.round(current.done / s)}/s)` : '';
    if (!current.bar) console.error(`${current.name}: ${current.done}/${current.total} in ${s.toFixed(1)} s${rate}`);
    finished = current.done >= current.total ? current.name : null;
    current = null;
  };
  return {
    update(name: string, done: number, total: number) {
      if (!current && finished === name && done >= total) return;
      if (current?.name !== name) {
        end();
        const bar = bars
          ? new cliProgress.SingleBar({ format: `${name.padEnd(26)} {bar} {value}/{total} | {rate}/s | eta {eta_formatted}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
          : null;
        current = { name, started: performance.now(), bar, done: 0, total };
        bar?.start(total, 0, { rate: 0 });
      }
      const s = (performance.now() - current!.started) / 1000;
      current!.done = done;
      current!.total = total;
      current!.bar?.setTotal(total);
      current!.bar?.update(done, { rate: s > 0 ? Math.round(done / s) : 0 });
      if (done >= total) end();
    },
    end,
  };
}

export const reindexCommand: Command = {
  name: 'reindex',
  summary: 'rebuild search: train the local embedder (when used), the full-text index, embeddings and the ANN index',
  usage: 'paperboy reindex [--reembed] [--quiet]',
  options: { reembed: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
  async run({ values }) {
    const config = configFromFlags(values);
    return withServices(config, async ({ services }) => {
      const t = performance.now();
      const progress = phaseProgress(process.stderr.isTTY && !values.quiet);
      if (await services.trainEmbedder((phase, done, total) => progress.update(phase, done, total))) progress.end();
      const r = await services.searchIndex.reindex({
        reembed: Boolean(values.reembed),
        onPhase: (phase, done, total) => progress.update(phase === 'embed' ? 'embed + ANN index' : phase, done, total),
      });
      progress.end();
      // A separate phase: the in-memory keyword index just rebuilt, written as the next published
      // version that every server loads at start and swaps in at its next poll.
      let published: number | null = null;
      if (services.keywordIndex?.persistent) {
        progress.update('write keyword index files', 0, 1);
        published = await services.keywordIndex.publish();
        progress.update('write keyword index files', 1, 1);
      }
      await services.searchIndex.close();
      const embedder = await services.searchIndex.embedder();
      console.log(
        `full-text: ${r.fullText} papers (${services.searchIndex.engineName}${published !== null ? `, published as keyword index v${published}` : ''}) / embedded: ${r.embedded} / vectors in ANN index: ${r.vectors}` +
          (embedder ? ` (${embedder.id})` : ' (no embedder: keyword search only)') +
          ` / ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      return 0;
    });
  },
};
