import { UsageError, type Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { phaseProgress } from '../phase-progress.ts';

export const reindexCommand: Command = {
  name: 'reindex',
  summary: 'rebuild search: train the local embedder (when used), the keyword index, embeddings and the ANN index; publish the index files',
  usage: 'paperboy reindex [--reembed] [--rebuild-full-text] [--keyword-only] [--quiet]',
  options: { reembed: { type: 'boolean' }, 'rebuild-full-text': { type: 'boolean' }, 'keyword-only': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
  async run({ values }) {
    if (values['keyword-only'] && values.reembed) throw new UsageError('--keyword-only leaves the embeddings as they are: it cannot --reembed');
    const config = configFromFlags(values);
    return withServices(config, async ({ services }) => {
      const t = performance.now();
      const progress = phaseProgress(process.stderr.isTTY && !values.quiet);
      // The model trains on a worker thread while this thread rebuilds the keyword index. The store's
      // own full-text index (FTS5 / tsvector) is only caught up: every import and harvest keeps it in
      // step, and rebuilding it anyway cost a third of the import's time; --rebuild-full-text
      // rebuilds it from scratch (after restoring only the papers table, say).
      let fullText = 0;
      const storeIndex = values['rebuild-full-text'] ? 'rebuild' : 'catch-up';
      const rebuildFullText = async () => {
        progress.update('full-text', 0, 1);
        fullText = await services.searchIndex.rebuildFullText({ storeIndex });
        progress.update('full-text', fullText, fullText);
      };
      let published: number | null = null;
      let forYou: number | null = null;
      let filesWritten = false;
      // The summary's first part, the same for both kinds of reindex.
      const fullTextSummary = () => `full-text: ${fullText} papers (${services.searchIndex.engineName}${published !== null ? `, published as keyword index v${published}` : ''})`;
      // A separate phase: the in-memory keyword index just rebuilt, written as the next published
      // version that every server loads at start and swaps in at its next poll.
      const publishKeywordIndex = async () => {
        if (!services.keywordIndex?.persistent) return;
        progress.update('write keyword index files', 0, 1);
        published = await services.keywordIndex.publish();
        progress.update('write keyword index files', 1, 1);
      };
      // --keyword-only: the keyword index alone, rebuilt and published, so that servers start from a
      // file — for a corpus of millions, whose training and embedding take far longer (BENCHMARKS, 2.5M).
      // The model, the vectors, the ANN index and the For-you features are left as they are.
      if (values['keyword-only']) {
        await rebuildFullText();
        await publishKeywordIndex();
        progress.end();
        console.log(
          `${fullTextSummary()} / keyword only: model, embeddings and For-you features left as they were / ${((performance.now() - t) / 1000).toFixed(1)} s`,
        );
        return 0;
      }
      // The published files (keyword index, For-you features) depend on neither the model nor the
      // vectors. When the full-text work ends before training does, this thread would only wait for
      // the worker: the files are written then, on the core the worker leaves free; otherwise after the embedding.
      const writeFiles = async () => {
        filesWritten = true;
        await publishKeywordIndex();
        // The For-you features, built fresh and published the same way (servers stop building them at start).
        if (services.forYou.persistent) {
          progress.update('write For-you features file', 0, 1);
          forYou = await services.forYou.publish();
          progress.update('write For-you features file', 1, 1);
        }
      };
      await services.trainEmbedder(
        (phase, done, total) => progress.update(phase, done, total),
        async (training) => {
          await rebuildFullText();
          if (training.running) await writeFiles();
        },
      );
      const r = await services.searchIndex.reindex({
        fullText: false,
        reembed: Boolean(values.reembed),
        onPhase: (phase, done, total) => progress.update(phase === 'embed' ? 'embed + ANN index' : phase, done, total),
      });
      if (!filesWritten) await writeFiles();
      progress.end();
      await services.searchIndex.close();
      const embedder = await services.searchIndex.embedder();
      console.log(
        `${fullTextSummary()} / embedded: ${r.embedded} / vectors in ANN index: ${r.vectors}` +
          (embedder ? ` (${embedder.id})` : ' (no embedder: keyword search only)') +
          (forYou !== null ? ` / For-you features published as v${forYou}` : '') +
          ` / ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      return 0;
    });
  },
};
