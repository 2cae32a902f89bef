import type { EmbedderProvider } from './embedder-providers.ts';
import { DEFAULT_LOCAL_EMBEDDER, LocalEmbedder, TooLittleTextError, type TrainingText } from './local-embedder.ts';
import { trainOnThread } from './local-embedder-threads.ts';
import type { Store } from '../store/store.ts';

/** The row name of the offline model in the store's `search_models`. */
export const LOCAL_MODEL_NAME = 'local-embedder';
/** Ids read a statement while picking the sample. */
const ID_PAGE = 10_000;

/**
 * The even sample training reads: of the visible papers in id order, every (count / maxDocs)th —
 * `count()` includes hidden and withdrawn papers, as it always did, so the same papers as before.
 * The ids are read first and only the sample's texts after (`textsOf`, in the same order): reading
 * every title and abstract to keep a third of them was 0.3-0.4 s of CPU and about 1 s of wall at
 * load before training could start (BENCHMARKS round 24). Only the sample is kept: at 1M papers the
 * whole corpus would not fit.
 */
export async function readTrainingSample(
  store: Store,
  maxDocs: number,
  onProgress?: (phase: string, done: number, total: number) => void,
): Promise<{ papers: TrainingText[]; seen: number }> {
  const total = await store.papers.count();
  const step = Math.max(1, total / maxDocs);
  const picked: string[] = [];
  let seen = 0;
  let next = 0;
  // By primary key: the newest-first keyset re-walked every paper of the same day before each
  // page, which never finished at 1M papers (925k of them on one day).
  let after = '';
  for (;;) {
    const page = await store.papers.idsById(ID_PAGE, after);
    for (const id of page) {
      if (seen++ >= next) {
        picked.push(id);
        next += step;
      }
    }
    // `count()` includes hidden and withdrawn papers: the total is an upper bound until the last page.
    onProgress?.('read papers', seen, page.length < ID_PAGE ? seen : Math.max(total, seen));
    if (page.length < ID_PAGE) break;
    after = page[page.length - 1];
  }
  const papers = (await store.papers.textsOf(picked)).map((p) => ({ title: p.title, abstract: p.abstract }));
  return { papers, seen };
}

/**
 * `SEARCH_EMBEDDER=local`: the model lives in the store (so every process on the same SQLite file
 * or PostgreSQL database loads the same one); `paperboy reindex` trains it on the visible papers.
 * Until it is trained, `open` returns null and search is keyword only.
 */
export const localEmbedderProvider: EmbedderProvider = {
  async open({ store }) {
    const m = await store.search.loadModel(LOCAL_MODEL_NAME);
    // In slices: a serving process opens it while it answers requests.
    return m ? LocalEmbedder.fromBufferSliced(m.data) : null;
  },
  currentId: ({ store }) => store.search.modelId(LOCAL_MODEL_NAME),
  async train({ store, logger }, onProgress, meanwhile) {
    const { papers, seen } = await readTrainingSample(store, DEFAULT_LOCAL_EMBEDDER.maxTrainingDocs, onProgress);
    if (papers.length < 2) {
      logger.warn({ papers: papers.length }, 'too few papers to train the local embedder: keyword search only');
      await meanwhile?.({ running: false });
      return;
    }
    const t = performance.now();
    // Trained on a worker thread: the main thread rebuilds the full-text index (`meanwhile`) at the same time.
    const training = trainOnThread(papers, {}, (phase, done, all) => onProgress?.(phase === 'analyse' ? 'analyse a sample' : 'latent space (SVD steps)', done, all));
    const state = { running: true };
    // Also keeps a failed training from being an unhandled rejection while `meanwhile` runs (awaited below).
    training.then(
      () => (state.running = false),
      () => (state.running = false),
    );
    await meanwhile?.(state);
    let model: LocalEmbedder;
    try {
      model = await training;
    } catch (err) {
      if (!(err instanceof TooLittleTextError)) throw err;
      logger.warn({ papers: seen, reason: err.message }, 'too little text to train the local embedder: keyword search only');
      return;
    }
    await store.search.saveModel(LOCAL_MODEL_NAME, model.id, model.toBuffer());
    logger.info({ embedder: model.id, papers: seen, sample: papers.length, features: model.featureCount, seconds: Math.round((performance.now() - t) / 100) / 10 }, 'trained the local embedder');
  },
};
