import { UsageError, type Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { phaseProgress } from '../phase-progress.ts';
import { BACKGROUND_NICE, lowerProcessPriority } from '../../thread-priority.ts';

export const reindexCommand: Command = {
  name: 'reindex',
  summary: 'rebuild search: train the local embedder (when used), the keyword index, embeddings and the ANN index; publish the index files',
  usage: 'paperboy reindex [--reembed] [--rebuild-full-text] [--keyword-only] [--similar-lists] [--foreground] [--quiet]',
  options: { reembed: { type: 'boolean' }, 'rebuild-full-text': { type: 'boolean' }, 'keyword-only': { type: 'boolean' }, 'similar-lists': { type: 'boolean' }, foreground: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
  async run({ values }) {
    // The flags first: a bad combination exits 2 having changed nothing, its priority included.
    if (values['keyword-only'] && values.reembed) throw new UsageError('--keyword-only leaves the embeddings as they are: it cannot --reembed');
    if (values['keyword-only'] && values['similar-lists']) throw new UsageError('--keyword-only leaves the embeddings as they are: it cannot rank --similar-lists from them');
    // A reindex runs beside the servers it rebuilds for, on the same cores: all of it (its main
    // thread, the ANN graph's thread, every thread it starts) runs below their request threads, at
    // nice BACKGROUND_NICE, and takes what they leave; on an idle machine it is as fast as before.
    // --foreground keeps the priority it was started with.
    if (!values.foreground) lowerProcessPriority(BACKGROUND_NICE);
    const config = configFromFlags(values);
    // SQLite: the write-ahead log is checkpointed by a thread of its own, as in `serve`, not inside
    // the embedding phase's commits. Each 2,000-paper batch (vectors and term vectors, ≈ 5 MB) took
    // the log past the 4 MB automatic checkpoint, so nearly every commit copied the log into the
    // database file and waited for its fsyncs on the thread that stores the next batch (3.3 s of its
    // 35 s sampled at 75k, BENCHMARKS "Round 26 (branch `reindex-margin-3`)"); the thread does the
    // same copies beside it. PostgreSQL: no such thread.
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
        fullText = await services.searchIndex.rebuildFullText({ storeIndex, keepAnalysis: !values['keyword-only'] });
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
      // The For-you features, built fresh and published the same way (servers stop building them at start).
      const publishForYou = async () => {
        if (!services.forYou.persistent) return;
        progress.update('write For-you features file', 0, 1);
        forYou = await services.forYou.publish();
        progress.update('write For-you features file', 1, 1);
      };
      const forYouSummary = () => (forYou !== null ? ` / For-you features published as v${forYou}` : '');
      // --keyword-only: the keyword index and the For-you features (neither depends on the model),
      // rebuilt and published, so that servers start from files — for a corpus of millions, whose
      // training and embedding take far longer (BENCHMARKS, 2.5M). Without the For-you file every
      // server built the features at start (45.6 s at 200k papers). The model, the vectors and the
      // ANN index are left as they are.
      if (values['keyword-only']) {
        await rebuildFullText();
        await publishKeywordIndex();
        await publishForYou();
        progress.end();
        console.log(`${fullTextSummary()}${forYouSummary()} / keyword only: model and embeddings left as they were / ${((performance.now() - t) / 1000).toFixed(1)} s`);
        return 0;
      }
      // The published files (keyword index, For-you features) depend on neither the model nor the
      // vectors. When the full-text work ends before training does, this thread would only wait for
      // the worker: the files are written then, on the core the worker leaves free; otherwise after the embedding.
      const writeFiles = async () => {
        filesWritten = true;
        await publishKeywordIndex();
        await publishForYou();
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
      // --similar-lists: every paper's similar papers ranked here, from the vectors, term vectors and
      // indexes just built, so that every paper page reads its list at once (BENCHMARKS "Load", round
      // 19). Not by default: at 75k papers it is 378 s, 13x the rest of the reindex (issue 14 asks a
      // reindex of at most 3x the import); without it the background job `search:similar-lists`
      // stores them as it goes and pages rank live meanwhile, as before the lists existed.
      const lists = values['similar-lists'] ? await services.similarLists.fillAll({ onProgress: (done, total) => progress.update('similar-papers lists', done, total) }) : null;
      progress.end();
      await services.searchIndex.close();
      const embedder = await services.searchIndex.embedder();
      console.log(
        `${fullTextSummary()} / embedded: ${r.embedded} / vectors in ANN index: ${r.vectors}` +
          (embedder ? ` (${embedder.id})` : ' (no embedder: keyword search only)') +
          forYouSummary() +
          (lists !== null ? ` / similar-papers lists: ${lists}` : ' / similar-papers lists: left to the background job') +
          ` / ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      return 0;
    }, { checkpointThread: true });
  },
};
