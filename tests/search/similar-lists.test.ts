import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';
import { holdsUnder, loopTurns } from '../helpers/event-loop.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import { openSearch } from '../../src/services/search.ts';
import { SimilarListsService } from '../../src/services/similar-lists.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { within } from '../helpers/wait.ts';
import { seededRandom } from '../../src/domain/random.ts';
import { SIMILAR_LIST_SIZE, SIMILAR_TEXTS_PER_TURN } from '../../src/services/search.ts';
import type { Paper } from '../../src/domain/paper.ts';

/**
 * Each paper's similar papers stored once computed (issue 19: a paper page reads its list instead
 * of ranking ~280 candidates). A stored list must give what the page computed before from the same
 * inputs, bit for bit; a paper hidden after the list was written must never show; a list of an
 * older text must not be used; and the background job must list papers that arrive later.
 */
const TOPICS = [
  ['quantum', 'qubit', 'entanglement', 'decoherence', 'circuit', 'error', 'correction', 'gate', 'superconducting', 'photon'],
  ['graph', 'node', 'edge', 'message', 'passing', 'neighbourhood', 'aggregation', 'molecule', 'spectral', 'convolution'],
  ['galaxy', 'cluster', 'redshift', 'dark', 'matter', 'halo', 'survey', 'luminosity', 'stellar', 'cosmic'],
  ['protein', 'folding', 'sequence', 'residue', 'structure', 'binding', 'enzyme', 'mutation', 'genome', 'cell'],
  ['reinforcement', 'policy', 'reward', 'agent', 'exploration', 'value', 'environment', 'trajectory', 'planning', 'actor'],
  ['language', 'token', 'transformer', 'attention', 'translation', 'corpus', 'pretraining', 'prompt', 'decoder', 'vocabulary'],
];
const COMMON = ['method', 'model', 'result', 'propose', 'novel', 'approach', 'performance', 'analysis', 'data', 'study', 'framework'];
const N = 150;
const id = (i: number) => `2407.${String(i).padStart(5, '0')}`;

function corpus(): Paper[] {
  const rnd = seededRandom(1900);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  return Array.from({ length: N }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length];
    const other = TOPICS[(i * 5 + 2) % TOPICS.length];
    const words = (n: number) => Array.from({ length: n }, () => (rnd() < 0.6 ? pick(topic) : rnd() < 0.7 ? pick(COMMON) : pick(other))).join(' ');
    return makePaper({ id: id(i), title: words(6), abstract: `${words(25)}. ${words(20)}.`, publishedAt: '2024-07-01' });
  });
}

type Services = ReturnType<typeof createServices>;
/** Each paper's top `n` as `id score` lines (exact scores). */
async function lists(services: Services, ids: readonly string[], n = 5): Promise<string[]> {
  const out: string[] = [];
  for (const x of ids) out.push(`${x}: ${((await services.search.similar(x, n)) ?? []).map((s) => `${s.paper.id} ${s.score}`).join(', ')}`);
  return out;
}

forEachStore('similar papers from stored lists', (ctx) => {
  const config = loadConfig({}, { db: ':memory:' });
  const logger = createLogger('silent');
  const papers = corpus();
  let services: Services;
  let embedderId: string;
  const sample = papers.filter((_, i) => i % 5 === 0).map((p) => p.id);
  const db = () => testDb(ctx.store);
  const storedCount = async () => Number((await sql<{ n: string }>`select count(*) as n from paper_similar_lists`.execute(db())).rows[0].n);
  /** The lists as the page ranked them before lists were stored: with none stored. */
  async function live(ids: readonly string[], n = 5): Promise<string[]> {
    const saved = (await sql<Record<string, unknown>>`select * from paper_similar_lists`.execute(db())).rows;
    await sql`delete from paper_similar_lists`.execute(db());
    try {
      return await lists(services, ids, n);
    } finally {
      for (const r of saved) await sql`insert into paper_similar_lists (paper_id, embedder_id, content_hash, list, computed_at) values (${r.paper_id}, ${r.embedder_id}, ${r.content_hash}, ${r.list}, ${r.computed_at})`.execute(db());
    }
  }

  before(async () => {
    await ctx.store.papers.upsertMany(papers);
    await embedderProvider('local')!.train!({ config, store: ctx.store, logger });
    services = createServices({ config, logger, store: ctx.store });
    await services.searchIndex.reindex();
    embedderId = (await services.searchIndex.embedder())!.id;
  });

  test('reindex\'s pass stores every paper\'s list, and pages read them: the lists ranked live, bit for bit', async () => {
    const before = await live(sample);
    assert.ok(before.every((l) => l.split(', ').length === 5), 'five similar papers each');
    assert.equal(await services.similarLists.fillAll(), N);
    assert.equal(await storedCount(), N);
    assert.deepEqual(await lists(services, sample), before);
    assert.deepEqual(await lists(services, sample.slice(0, 6), 10), await live(sample.slice(0, 6), 10), 'the API\'s ten');
    assert.deepEqual(await lists(services, sample.slice(0, 3), SIMILAR_LIST_SIZE), await live(sample.slice(0, 3), SIMILAR_LIST_SIZE));
    // The stored list is what is read: give paper 0's list another order and the page follows it.
    const row = (await sql<{ list: string }>`select list from paper_similar_lists where paper_id = ${id(0)}`.execute(db())).rows[0];
    const reversed = JSON.stringify((JSON.parse(row.list) as unknown[]).reverse());
    await sql`update paper_similar_lists set list = ${reversed} where paper_id = ${id(0)}`.execute(db());
    assert.notDeepEqual(await lists(services, [id(0)]), before.slice(0, 1));
    await sql`update paper_similar_lists set list = ${row.list} where paper_id = ${id(0)}`.execute(db());
    assert.deepEqual(await lists(services, [id(0)]), before.slice(0, 1));
  });

  test('a paper hidden after the lists were written never shows: the next visible ones stand in, as a live ranking gives them', async () => {
    const before = (await services.search.similar(id(3), 6))!;
    const hidden = before[0].paper.id;
    assert.equal(await ctx.store.papers.setHidden(hidden, true), true);
    try {
      const after = (await services.search.similar(id(3), 5))!;
      assert.equal(after.length, 5);
      assert.ok(!after.some((s) => s.paper.id === hidden), 'the hidden paper is not listed');
      assert.deepEqual(after.map((s) => [s.paper.id, s.score]), before.slice(1).map((s) => [s.paper.id, s.score]));
      // Hidden from every list that names it, through the API's limit too.
      const naming = (await sql<{ paper_id: string }>`select paper_id from paper_similar_lists where list like ${`%"${hidden}"%`}`.execute(db())).rows.map((r) => r.paper_id);
      assert.ok(naming.length >= 1);
      for (const x of naming.slice(0, 8)) assert.ok(!(await services.search.similar(x, 10))!.some((s) => s.paper.id === hidden), x);
      assert.equal(await services.search.similar(hidden, 5), null, 'nor does its own page');
    } finally {
      await ctx.store.papers.setHidden(hidden, false);
    }
  });

  test('a list computed from an older text is not used, and the job computes the list of the new text', async () => {
    const p = papers[7];
    await ctx.store.papers.upsertMany([{ ...p, abstract: `${TOPICS[2].join(' ')} ${TOPICS[2].join(' ')} ${COMMON.slice(0, 4).join(' ')}.` }]);
    const fresh = await live([p.id]);
    assert.deepEqual(await lists(services, [p.id]), fresh, 'ranked from its current text');
    await services.searchIndex.embedInBackground();
    assert.equal(await services.similarLists.due(), true);
    const run = await services.similarLists.fillMissing();
    assert.ok(run.computed >= 1 && run.complete);
    const row = (await sql<{ content_hash: string }>`select l.content_hash from paper_similar_lists l join papers p on p.id = l.paper_id and p.content_hash = l.content_hash where l.paper_id = ${p.id}`.execute(db())).rows;
    assert.equal(row.length, 1, 'stored under the new text');
    assert.deepEqual(await lists(services, [p.id]), await live([p.id]));
  });

  test('the background job lists a new paper once embedded, and puts it in the lists it belongs to; nothing to do, no run', async () => {
    assert.equal(await services.similarLists.due(), false, 'vectors unchanged since a complete run');
    const fresh = makePaper({ id: '2407.99999', title: `${TOPICS[3].slice(0, 6).join(' ')}`, abstract: `${TOPICS[3].join(' ')} ${TOPICS[3].slice(0, 5).join(' ')} ${COMMON.slice(0, 3).join(' ')}.`, publishedAt: '2024-07-02' });
    await ctx.store.papers.upsertMany([fresh]);
    await services.searchIndex.embedInBackground();
    assert.equal(await services.similarLists.due(), true);
    const run = await services.similarLists.fillMissing();
    assert.equal(run.computed, 1);
    assert.ok(run.neighbours >= 5, 'the lists its own list names are refreshed');
    const own = (await services.search.similar(fresh.id, 5))!;
    assert.deepEqual(await lists(services, [fresh.id]), await live([fresh.id]));
    // Its best neighbour's list now ranks it as a live ranking does.
    const neighbour = own[0].paper.id;
    assert.deepEqual(await lists(services, [neighbour], 10), await live([neighbour], 10));
    assert.ok((await services.search.similar(neighbour, 10))!.some((s) => s.paper.id === fresh.id), 'the new paper is in its neighbour\'s list');
    assert.equal(await services.similarLists.due(), false);
    assert.ok(embedderId);
  });

  test('due() asks the space as the runs do (`similarSpace`, within the embedding budget): a choice not made in time is no run, not a wait', async () => {
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    const { search, index } = openSearch(ctx.store, {
      engine: new StoreKeywordEngine(ctx.store),
      embedder: async () => {
        await opened;
        return embedderProvider('local')!.open({ config, store: ctx.store, logger });
      },
      embedBudgetMs: 50,
    });
    const job = new SimilarListsService(ctx.store, search);
    try {
      // The model still opening: a run would rank in no space and compute nothing.
      assert.deepEqual(await within(job.fillMissing(), 10_000, 'a run while the space is being chosen'), { computed: 0, neighbours: 0, complete: true });
      assert.equal(await within(job.due(), 10_000, 'due() while the space is being chosen'), false, 'not due: the run would find no space');
    } finally {
      open();
    }
    await index.spaces.serving();
    assert.equal(await job.due(), true, 'once chosen, due as its runs see it (this service has not run)');
    assert.equal((await search.similarSpace())?.embedderId, embedderId);
    await index.close();
  });

  test('the background job computes one list per turn of the event loop: a run never holds a serving process for the whole chunk', async () => {
    // On SQLite a list's reads are synchronous and the job runs in a serving process: a chunk of
    // 250 lists computed back to back held the request thread for seconds. One list here costs a
    // few ms of CPU; this run's 150 lists back to back cost several hundred.
    let computed = 0;
    const holds = await holdsUnder(
      30,
      async () => {
        computed = (await services.similarLists.fillMissing()).computed;
      },
      { setup: () => sql`delete from paper_similar_lists`.execute(db()) },
    );
    assert.ok(computed >= N, 'every list was missing');
    assert.ok(Math.min(...holds) < 30, `the job held the event loop ${holds.map((h) => h.toFixed(1)).join(', ')} ms of CPU at once in each run of ${computed} lists`);
  });

  test('the job reads back the lists it wrote a chunk per statement, not one paper at a time, and refreshes the same neighbours', async () => {
    await sql`delete from paper_similar_lists`.execute(db());
    const repo = ctx.store.similarLists;
    const calls = { get: 0, currentLists: 0 };
    const get = repo.get.bind(repo);
    const currentLists = repo.currentLists.bind(repo);
    const save = repo.save.bind(repo);
    // The turn of the event loop of each write of lists and each read-back (SQLite: not the same one).
    const turns = loopTurns();
    const saved: number[] = [];
    const readBack: number[] = [];
    repo.get = (...a) => (calls.get++, get(...a));
    repo.currentLists = (...a) => (calls.currentLists++, readBack.push(turns.count), currentLists(...a));
    repo.save = (...a) => (saved.push(turns.count), save(...a));
    try {
      const run = await services.similarLists.fillMissing();
      assert.ok(run.computed >= N);
      assert.deepEqual(calls, { get: 0, currentLists: 1 }, 'one read for the chunk of lists just written');
      if (ctx.kind === 'sqlite') for (const t of readBack) assert.ok(!saved.includes(t), `lists written and read back in turn ${t}`);
    } finally {
      turns.stop();
      repo.get = get;
      repo.currentLists = currentLists;
      repo.save = save;
    }
    // As `get` says of each paper: the list of its current text, none for a paper without one.
    const ids = [id(1), id(2), id(4), '2407.00000x'];
    const batch = await repo.currentLists(embedderId, ids);
    for (const x of ids) assert.deepEqual(batch.get(x) ?? null, (await repo.get(embedderId, x))?.list ?? null, x);
    assert.equal(batch.size, 3);
    const hash = (await repo.get(embedderId, id(2)))!.contentHash;
    await sql`update papers set content_hash = 'changed' where id = ${id(2)}`.execute(db());
    assert.equal((await repo.currentLists(embedderId, ids)).has(id(2)), false, 'a list of an older text is not current');
    await sql`update papers set content_hash = ${hash} where id = ${id(2)}`.execute(db());
  });

  test('a live ranking aborted by a page that stopped waiting stops at its next check: no candidate is scored', async () => {
    const x = id(11);
    await sql`delete from paper_similar_lists where paper_id = ${x}`.execute(db());
    const repo = ctx.store.search;
    const embeddingOf = repo.embeddingOf.bind(repo);
    const similarCandidates = repo.similarCandidates.bind(repo);
    let scored = 0;
    const controller = new AbortController();
    // The paper's vector comes late (a loaded store); the page gives up meanwhile.
    repo.embeddingOf = async (...a) => {
      const v = await embeddingOf(...a);
      controller.abort(new Error('the page stopped waiting'));
      await new Promise((r) => setTimeout(r, 20));
      return v;
    };
    repo.similarCandidates = (...a) => (scored++, similarCandidates(...a));
    try {
      await assert.rejects(services.search.similar(x, 5, { signal: controller.signal }), /the page stopped waiting/);
      assert.equal(scored, 0, 'the candidates were never read nor scored');
      repo.embeddingOf = embeddingOf;
      assert.equal((await services.search.similar(x, 5, { signal: new AbortController().signal }))!.length, 5, 'not aborted: ranked');
      assert.ok(scored >= 1);
    } finally {
      repo.embeddingOf = embeddingOf;
      repo.similarCandidates = similarCandidates;
    }
  });
  test('a background list hands the loop back between its stages: no turn of the loop runs two of them, nor more than a slice of text analyses', async () => {
    // On SQLite a list's reads are synchronous: its stages back to back held a serving process's
    // request thread 20–50 ms at 75k papers (issue 19). Counted here in turns of the loop, not in
    // milliseconds: which stage of a list ran in which turn. PostgreSQL's reads hand the loop back
    // by themselves, and a turn there is not told apart from the poll phase that follows it.
    if (ctx.kind !== 'sqlite') return;
    // A harvest's changed papers, not embedded yet: their stored term vectors are of the old text,
    // so the lists they are candidates in analyse their new text.
    const changed = papers.filter((_, i) => i % 3 === 1);
    await ctx.store.papers.upsertMany(changed.map((p) => ({ ...p, abstract: `${p.abstract} Revised with a further study of the same question.` })));
    const search = ctx.store.search;
    const engine = services.searchIndex.engine;
    const embedder = (await services.searchIndex.embedder()) as unknown as { termVector(text: string): unknown };
    const saved = { embeddingOf: search.embeddingOf, embeddingsOf: search.embeddingsOf, similarCandidates: search.similarCandidates, visibleMany: ctx.store.papers.visibleMany, keyword: engine.search, termVector: embedder.termVector };
    const events: { turn: number; stage: string }[] = [];
    let turns: ReturnType<typeof loopTurns> | undefined;
    const note = (stage: string) => turns && events.push({ turn: turns.count, stage });
    search.embeddingOf = (...a) => (note('vector neighbours'), saved.embeddingOf.apply(search, a));
    engine.search = (...a) => (note('keyword neighbours'), saved.keyword.apply(engine, a));
    search.similarCandidates = (...a) => (note('candidates'), saved.similarCandidates.apply(search, a));
    search.embeddingsOf = (...a) => (note('stored vectors'), saved.embeddingsOf.apply(search, a));
    ctx.store.papers.visibleMany = (...a) => (note('texts'), saved.visibleMany.apply(ctx.store.papers, a));
    embedder.termVector = (...a) => (note('analysis'), saved.termVector.apply(embedder, a));
    const ids = sample.slice(0, 12);
    try {
      await services.searchIndex.keywordCatchUpBounded();
      const space = await services.search.similarSpace();
      turns = loopTurns();
      const written = await services.search.computeSimilarLists(ids, space, undefined, { onList: () => note('scored') });
      turns.stop();
      assert.equal(written, ids.length);
    } finally {
      Object.assign(search, { embeddingOf: saved.embeddingOf, embeddingsOf: saved.embeddingsOf, similarCandidates: saved.similarCandidates });
      ctx.store.papers.visibleMany = saved.visibleMany;
      engine.search = saved.keyword;
      embedder.termVector = saved.termVector;
    }
    const byTurn = new Map<number, string[]>();
    for (const e of events) byTurn.set(e.turn, [...(byTurn.get(e.turn) ?? []), e.stage]);
    for (const [turn, stages] of byTurn) {
      assert.equal(new Set(stages).size, 1, `turn ${turn} ran ${[...new Set(stages)].join(', ')}`);
      assert.ok(stages.length <= SIMILAR_TEXTS_PER_TURN, `turn ${turn} ran ${stages.length} × ${stages[0]}`);
    }
    // Each list went through every stage, and some analysed more texts than one turn's slice.
    assert.equal(events.filter((e) => e.stage === 'scored').length, ids.length);
    for (const stage of ['vector neighbours', 'keyword neighbours', 'candidates', 'texts']) assert.ok(events.filter((e) => e.stage === stage).length >= ids.length, stage);
    assert.ok(events.some((e) => e.stage === 'stored vectors'), 'some keyword neighbours had no cosine from the vector search');
    let analysed = 0;
    let most = 0;
    for (const e of events) {
      if (e.stage === 'analysis') most = Math.max(most, ++analysed);
      if (e.stage === 'scored') analysed = 0;
    }
    assert.ok(most > 2 * SIMILAR_TEXTS_PER_TURN, `the most texts a list analysed: ${most}`);
    // The lists are the live ranking's, bit for bit.
    assert.deepEqual(await lists(services, ids, 10), await live(ids, 10));
    await ctx.store.papers.upsertMany(changed);
  });
});
