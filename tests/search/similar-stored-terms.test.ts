import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import { LOCAL_MODEL_NAME } from '../../src/search/local-embedder-provider.ts';
import { LocalEmbedder, paperText, termVectorToBytes } from '../../src/search/local-embedder.ts';
import { seededRandom } from '../../src/domain/random.ts';
import type { Store } from '../../src/store/store.ts';
import type { Paper } from '../../src/domain/paper.ts';

/**
 * Similar papers read each candidate's TF-IDF term vector as stored at embedding time (issue 19)
 * instead of analysing its text on every page: the lists must be the ones computed from the texts
 * (the fallback, and what every page did before), hidden papers must never show, and a term
 * vector made from an older text must not be used.
 */
const TOPICS = [
  ['quantum', 'qubit', 'entanglement', 'decoherence', 'circuit', 'error', 'correction', 'gate', 'superconducting', 'photon', 'measurement', 'fidelity'],
  ['graph', 'node', 'edge', 'message', 'passing', 'neighbourhood', 'aggregation', 'molecule', 'spectral', 'convolution', 'community', 'embedding'],
  ['galaxy', 'cluster', 'redshift', 'dark', 'matter', 'halo', 'survey', 'luminosity', 'stellar', 'cosmic', 'telescope', 'spectrum'],
  ['protein', 'folding', 'sequence', 'residue', 'structure', 'binding', 'enzyme', 'mutation', 'genome', 'cell', 'expression', 'assay'],
  ['reinforcement', 'policy', 'reward', 'agent', 'exploration', 'value', 'environment', 'trajectory', 'planning', 'actor', 'critic', 'return'],
  ['language', 'token', 'transformer', 'attention', 'translation', 'corpus', 'pretraining', 'prompt', 'decoder', 'vocabulary', 'sentence', 'parsing'],
  ['fluid', 'turbulence', 'vortex', 'viscosity', 'boundary', 'layer', 'flow', 'pressure', 'simulation', 'navier', 'stokes', 'reynolds'],
  ['market', 'price', 'volatility', 'portfolio', 'risk', 'asset', 'trading', 'option', 'equilibrium', 'auction', 'liquidity', 'return'],
];
const COMMON = ['method', 'model', 'result', 'propose', 'novel', 'approach', 'performance', 'analysis', 'data', 'study', 'framework', 'efficient', 'robust', 'theory', 'experiment'];
const N = 160;
const id = (i: number) => `2406.${String(i).padStart(5, '0')}`;

function corpus(): Paper[] {
  const rnd = seededRandom(19);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  return Array.from({ length: N }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length];
    const other = TOPICS[(i * 3 + 1) % TOPICS.length];
    const words = (n: number) => Array.from({ length: n }, () => (rnd() < 0.6 ? pick(topic) : rnd() < 0.7 ? pick(COMMON) : pick(other))).join(' ');
    return makePaper({ id: id(i), title: words(6), abstract: `${words(25)}. ${words(20)}.`, publishedAt: '2024-06-01' });
  });
}

/** The top `n` similar papers of each paper, as `id score` lines (exact scores: a different term vector shows). */
async function lists(services: ReturnType<typeof createServices>, ids: readonly string[], n = 5): Promise<string[]> {
  const out: string[] = [];
  for (const x of ids) {
    const r = await services.search.similar(x, n);
    out.push(`${x}: ${(r ?? []).map((s) => `${s.paper.id} ${s.score}`).join(', ')}`);
  }
  return out;
}

const storedTerms = async (store: Store) =>
  (await sql<{ paper_id: string; terms: Uint8Array }>`select paper_id, terms from paper_term_vectors`.execute(testDb(store))).rows;

forEachStore('similar papers from stored term vectors', (ctx) => {
  const config = loadConfig({}, { db: ':memory:' });
  const logger = createLogger('silent');
  const papers = corpus();
  let services: ReturnType<typeof createServices>;
  let model: LocalEmbedder;
  const sample = papers.filter((_, i) => i % 4 === 0).map((p) => p.id);

  before(async () => {
    await ctx.store.papers.upsertMany(papers);
    const provider = embedderProvider('local')!;
    await provider.train!({ config, store: ctx.store, logger });
    const stored = await ctx.store.search.loadModel(LOCAL_MODEL_NAME);
    model = LocalEmbedder.fromBuffer(stored!.data);
    services = createServices({ config, logger, store: ctx.store });
    await services.searchIndex.reindex();
  });

  test('reindex stores every paper\'s term vector with its vector, the exact one its text gives', async () => {
    const rows = await storedTerms(ctx.store);
    assert.equal(rows.length, N);
    const byId = new Map(papers.map((p) => [p.id, p]));
    for (const r of rows) assert.deepEqual(Buffer.from(r.terms), Buffer.from(termVectorToBytes(model.termVector(paperText(byId.get(r.paper_id)!)))), r.paper_id);
  });

  test('lists from stored term vectors are the lists computed from the texts, and the stored ones are what is read', async () => {
    const stored = await lists(services, sample);
    assert.ok(stored.every((l) => l.split(', ').length === 5), 'five similar papers each');
    const db = testDb(ctx.store);
    const saved = await storedTerms(ctx.store);
    // The stored vectors are read: swap two papers' term vectors and the scores move.
    const [a, b] = [saved.find((r) => r.paper_id === id(0))!, saved.find((r) => r.paper_id === id(1))!];
    await sql`update paper_term_vectors set terms = ${b.terms} where paper_id = ${a.paper_id}`.execute(db);
    assert.notDeepEqual(await lists(services, [id(0), id(8), id(16)]), stored.slice(0, 3));
    await sql`update paper_term_vectors set terms = ${a.terms} where paper_id = ${a.paper_id}`.execute(db);
    // On demand (none stored: papers embedded before this change): the same lists, bit for bit.
    await sql`delete from paper_term_vectors`.execute(db);
    assert.deepEqual(await lists(services, sample), stored);
    // A batch embedded again writes them back (the background embed of new or changed papers).
    await sql`delete from paper_embeddings`.execute(db);
    await services.searchIndex.embedInBackground();
    assert.equal((await storedTerms(ctx.store)).length, N);
    assert.deepEqual(await lists(services, sample), stored);
  });

  test('a term vector made from an older text is not used', async () => {
    // The first similar paper of paper 0 gets a new abstract and is not embedded again.
    const first = (await services.search.similar(id(0), 5))![0].paper.id;
    const p = papers.find((x) => x.id === first)!;
    await ctx.store.papers.upsertMany([{ ...p, abstract: `${p.abstract} ${TOPICS[0].join(' ')} ${COMMON.join(' ')}` }]);
    const withStale = await lists(services, [id(0)]);
    await sql`delete from paper_term_vectors where paper_id = ${first}`.execute(testDb(ctx.store));
    assert.deepEqual(withStale, await lists(services, [id(0)]), 'scored from its current text');
  });

  test('the minute-by-minute embedding pass skips the scan while the papers are unchanged, and embeds a new paper with its term vector', async () => {
    const search = ctx.store.search;
    const original = search.papersToEmbed.bind(search);
    let scans = 0;
    search.papersToEmbed = (...args) => (scans++, original(...args));
    try {
      await services.searchIndex.embedNewPapers('test-holder'); // the paper the test before changed
      const first = scans;
      assert.ok(first > 0, 'the first pass looks');
      assert.equal(await services.searchIndex.embedNewPapers('test-holder'), 0);
      assert.equal(scans, first, 'nothing changed: no scan');
      const fresh = makePaper({ id: '2406.99999', title: `${TOPICS[3].slice(0, 6).join(' ')}`, abstract: `${TOPICS[3].join(' ')} ${COMMON.slice(0, 5).join(' ')}.`, publishedAt: '2024-06-02' });
      await ctx.store.papers.upsertMany([fresh]);
      assert.equal(await services.searchIndex.embedNewPapers('test-holder'), 1, 'a new paper moves the mark and is embedded');
      const row = (await storedTerms(ctx.store)).find((r) => r.paper_id === fresh.id);
      assert.ok(row, 'with its term vector');
      assert.deepEqual(Buffer.from(row.terms), Buffer.from(termVectorToBytes(model.termVector(paperText(fresh)))));
    } finally {
      search.papersToEmbed = original;
    }
  });

  test('a hidden paper never shows, however similar: the list is the next five visible ones', async () => {
    const before = (await services.search.similar(id(2), 6))!;
    const hidden = before[0].paper.id;
    assert.equal(await ctx.store.papers.setHidden(hidden, true), true);
    try {
      const after = (await services.search.similar(id(2), 5))!;
      assert.equal(after.length, 5);
      assert.ok(!after.some((s) => s.paper.id === hidden), 'the hidden paper is not listed');
      assert.deepEqual(after.map((s) => [s.paper.id, s.score]), before.slice(1).map((s) => [s.paper.id, s.score]));
    } finally {
      await ctx.store.papers.setHidden(hidden, false);
    }
  });
});
