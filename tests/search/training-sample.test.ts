import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import { LocalEmbedder, DEFAULT_LOCAL_EMBEDDER, type TrainingText } from '../../src/search/local-embedder.ts';
import { LOCAL_MODEL_NAME, readTrainingSample } from '../../src/search/local-embedder-provider.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * Training reads the visible ids first and only its sample's texts (`readTrainingSample`): the same
 * papers in the same order as the read before it (every title and abstract by `textsById`, every
 * step-th kept), so the same model bit for bit.
 */

/** The read before round 25: every visible paper's text in id order, every (count / maxDocs)th kept. */
async function previousSample(store: Store, maxDocs: number): Promise<TrainingText[]> {
  const total = await store.papers.count();
  const step = Math.max(1, total / maxDocs);
  const papers: TrainingText[] = [];
  let seen = 0;
  let next = 0;
  let after = '';
  for (;;) {
    const page = await store.papers.textsById(5000, after);
    for (const p of page) {
      if (seen++ >= next) {
        papers.push({ title: p.title, abstract: p.abstract });
        next += step;
      }
    }
    if (page.length < 5000) break;
    after = page[page.length - 1].id;
  }
  return papers;
}

forEachStore('training reads its sample by ids first', (ctx) => {
  const ids: string[] = [];
  const hiddenIds: string[] = [];
  before(async () => {
    // Inserted out of id order, with hidden and withdrawn papers among them: `count()` includes those,
    // so the step is fractional and some visible papers fall between picks.
    const papers = Array.from({ length: 47 }, (_, i) =>
      makePaper({ id: `2603.${String(((i * 29) % 47) + 100).padStart(5, '0')}`, title: `Sampled paper ${i} on graph attention`, abstract: `Paper ${i} studies networks of ${i % 5} kinds with attention and radiance fields, ${'word '.repeat(i % 7)}end.` }),
    );
    await ctx.store.papers.upsertMany(papers);
    for (const p of papers.slice(0, 3)) {
      await ctx.store.papers.setHidden(p.id, true);
      hiddenIds.push(p.id);
    }
    await ctx.store.papers.markDeleted(papers[3].id);
    hiddenIds.push(papers[3].id);
    ids.push(...papers.map((p) => p.id));
  });

  test('the same papers in the same order as reading every text, for samples smaller than, equal to and larger than the corpus', async () => {
    for (const maxDocs of [5, 7, 13, 43, 47, 100]) {
      const got = await readTrainingSample(ctx.store, maxDocs);
      const want = await previousSample(ctx.store, maxDocs);
      assert.deepEqual(got.papers, want, `maxDocs ${maxDocs}`);
      assert.equal(got.seen, 43, 'every visible paper seen');
    }
    assert.equal((await readTrainingSample(ctx.store, 7)).papers.length, 7);
  });

  test('textsOf gives the texts in the order asked, leaving hidden, withdrawn and unknown papers out', async () => {
    const asked = [...ids].reverse();
    asked.splice(5, 0, '2603.99999');
    const got = await ctx.store.papers.textsOf(asked);
    const visible = asked.filter((id) => !hiddenIds.includes(id) && id !== '2603.99999');
    assert.deepEqual(
      got.map((p) => p.id),
      visible,
    );
    const one = await ctx.store.papers.get(visible[4]);
    assert.deepEqual(got[4], { id: visible[4], title: one!.title, abstract: one!.abstract });
    assert.deepEqual(await ctx.store.papers.textsOf([]), []);
  });

  test('idsById pages the ids textsById pages', async () => {
    const got: string[] = [];
    for (let after = ''; ; ) {
      const page = await ctx.store.papers.idsById(6, after);
      got.push(...page);
      if (page.length < 6) break;
      after = page[page.length - 1];
    }
    assert.deepEqual(
      got,
      (await ctx.store.papers.textsById(1000)).map((p) => p.id),
    );
  });

  test('the provider stores the model trained on the previous read of the sample, byte for byte', async () => {
    const config = loadConfig({}, { db: ':memory:' });
    const logger = createLogger('silent');
    await embedderProvider('local')!.train!({ config, store: ctx.store, logger });
    const stored = await ctx.store.search.loadModel(LOCAL_MODEL_NAME);
    const previous = LocalEmbedder.train(await previousSample(ctx.store, DEFAULT_LOCAL_EMBEDDER.maxTrainingDocs));
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    assert.equal(sha(stored!.data), sha(previous.toBuffer()));
    assert.equal(stored!.modelId, previous.id);
  });
});
