import type { EmbedderProvider } from './embedder-providers.ts';
import { LocalEmbedder, type TrainingText } from './local-embedder.ts';

/** The row name of the offline model in the store's `search_models`. */
export const LOCAL_MODEL_NAME = 'local-embedder';
const PAGE = 5000;

/**
 * `SEARCH_EMBEDDER=local`: the model lives in the store (so every process on the same SQLite file
 * or PostgreSQL database loads the same one); `paperboy reindex` trains it on the visible papers.
 * Until it is trained, `open` returns null and search is keyword only.
 */
export const localEmbedderProvider: EmbedderProvider = {
  async open({ store }) {
    const m = await store.search.loadModel(LOCAL_MODEL_NAME);
    return m ? LocalEmbedder.fromBuffer(m.data) : null;
  },
  async train({ store, logger }) {
    const papers: TrainingText[] = [];
    let after: { publishedAt: string | null; id: string } | undefined;
    for (;;) {
      const page = await store.papers.listNewest(PAGE, after);
      for (const p of page) papers.push({ title: p.title, abstract: p.abstract });
      if (page.length < PAGE) break;
      after = { publishedAt: page[page.length - 1].publishedAt, id: page[page.length - 1].id };
    }
    if (papers.length < 2) {
      logger.warn({ papers: papers.length }, 'too few papers to train the local embedder: keyword search only');
      return;
    }
    const t = performance.now();
    const model = LocalEmbedder.train(papers);
    await store.search.saveModel(LOCAL_MODEL_NAME, model.id, model.toBuffer());
    logger.info({ embedder: model.id, papers: papers.length, features: model.featureCount, seconds: Math.round((performance.now() - t) / 100) / 10 }, 'trained the local embedder');
  },
};
