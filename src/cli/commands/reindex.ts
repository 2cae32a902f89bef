import cliProgress from 'cli-progress';
import type { Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { embedderProvider } from '../../search/embedder-providers.ts';

export const reindexCommand: Command = {
  name: 'reindex',
  summary: 'rebuild search: train the local embedder (when used), the full-text index, embeddings and the ANN index',
  usage: 'paperboy reindex [--reembed] [--quiet]',
  options: { reembed: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
  async run({ values }) {
    const config = configFromFlags(values);
    return withServices(config, async ({ services }) => {
      if (embedderProvider(config.searchEmbedder)?.train) console.error(`training the ${config.searchEmbedder} embedder on the store's papers…`);
      await services.trainEmbedder();
      const bar =
        process.stderr.isTTY && !values.quiet
          ? new cliProgress.SingleBar({ format: 'embedding {bar} {value}/{total} | eta {eta_formatted}', stream: process.stderr }, cliProgress.Presets.shades_classic)
          : null;
      let started = false;
      const t = performance.now();
      const r = await services.search.reindex({
        reembed: Boolean(values.reembed),
        onProgress: (done, total) => {
          if (!started) bar?.start(total, 0);
          started = true;
          bar?.update(done);
        },
      });
      bar?.stop();
      await services.search.close();
      const embedder = await services.search.embedder();
      console.log(
        `full-text: ${r.fullText} papers (${services.search.engineName}) / embedded: ${r.embedded} / vectors in ANN index: ${r.vectors}` +
          (embedder ? ` (${embedder.id})` : ' (no embedder: keyword search only)') +
          ` / ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      return 0;
    });
  },
};
