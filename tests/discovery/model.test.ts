import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeatureIndex } from '../../src/discovery/feature-index.ts';
import {
  hashString,
  hashWords,
  knnModel,
  rankCandidates,
  reasonText,
  sampleBackground,
  sparseDot,
  termCounts,
  trainLogistic,
  trainRocchio,
  words,
  type Example,
} from '../../src/discovery/index.ts';
import { TOPICS, topicText, type Topic } from '../helpers/topics.ts';

function corpus(perTopic: number) {
  const papers: { id: string; topic: Topic; title: string; abstract: string; categories: string[]; authors: string[] }[] = [];
  for (const topic of Object.keys(TOPICS) as Topic[]) {
    for (let n = 0; n < perTopic; n++) papers.push({ id: `${topic}-${n}`, topic, ...topicText(topic, n), categories: ['cs.LG'], authors: [`Author ${n % 5}`] });
  }
  return papers;
}

test('words: lower-cased, stopwords out, plurals folded; hashWords hashes exactly those words', () => {
  const text = 'The Models of Graphs: Attention-based LLMs process 3D scenes; a class of bus and thesis in GPT-4';
  assert.deepEqual(words(text), ['model', 'graph', 'attention', 'llms', 'process', 'scene', 'class', 'bus', 'thesis', 'gpt']);
  assert.deepEqual(hashWords(text), words(text).map(hashString));
  assert.deepEqual(words('Ünïcode naïve café'), ['unicode', 'naive', 'cafe']);
  assert.deepEqual(hashWords('Ünïcode naïve café'), words('unicode naive cafe').map(hashString));
});

test('term counts: sorted distinct buckets; the title counts twice, a category three times; authors are features', () => {
  const c = termCounts({ title: 'speech recognition', abstract: 'speech', categories: ['eess.AS'], authors: ['Ada'] });
  assert.ok(c.idx.every((v, i) => i === 0 || v > c.idx[i - 1]));
  // speech ×3 (title twice + abstract), recognition ×2, bigram ×2, category ×3, author 1.
  assert.deepEqual([...c.val].sort(), [1, 2, 2, 3, 3]);
});

test('the index: TF-IDF vectors are unit length; shared words weigh less than a topic’s own', () => {
  const index = FeatureIndex.build(corpus(10));
  const v = index.get('graphs-0')!;
  assert.ok(Math.abs(sparseDot(v, v) - 1) < 1e-5);
  assert.ok(sparseDot(v, index.get('graphs-1')!) > sparseDot(v, index.get('speech-1')!));
  const added = index.add({ id: 'new', ...topicText('speech', 99) });
  assert.equal(index.size, 41);
  assert.equal(index.add({ id: 'new', title: 'other', abstract: 'other' }), added, 'a known id is left alone');
});

function examplesFor(index: FeatureIndex, liked: string[], disliked: string[], background: string[]): Example[] {
  return [
    ...liked.map((id): Example => ({ id, vector: index.get(id)!, label: 1, source: 'upvote', title: `Title of ${id}` })),
    ...disliked.map((id): Example => ({ id, vector: index.get(id)!, label: 0, source: 'not-interested' })),
    ...background.map((id): Example => ({ id, vector: index.get(id)!, label: 0, source: 'background' })),
  ];
}

for (const [name, train] of [
  ['logistic regression', (e: Example[]) => trainLogistic(e, { seed: 3 })],
  ['Rocchio', (e: Example[]) => trainRocchio(e)],
  ['nearest neighbours', (e: Example[]) => knnModel(e)],
] as const) {
  test(`${name}: a reader who upvoted graph papers gets graph papers first, each explained by a graph upvote`, () => {
    const papers = corpus(30);
    const index = FeatureIndex.build(papers);
    const liked = ['graphs-0', 'graphs-1', 'graphs-2', 'graphs-3'];
    const background = sampleBackground(papers.filter((p) => Number(p.id.split('-')[1]) < 20).map((p) => p.id), 30, new Set(liked), 1);
    const examples = examplesFor(index, liked, [], background);
    const candidates = papers.filter((p) => Number(p.id.split('-')[1]) >= 20).map((p) => ({ id: p.id, vector: index.get(p.id)! }));
    const picks = rankCandidates(train(examples), candidates, examples, 10);
    assert.equal(picks.length, 10);
    assert.deepEqual(picks.map((p) => p.id.split('-')[0]), Array(10).fill('graphs'));
    for (const p of picks) {
      assert.ok(liked.includes(p.because.id));
      assert.ok(p.similarity > 0);
      // The reason names the upvote most similar to the pick.
      const best = Math.max(...liked.map((id) => sparseDot(index.get(id)!, index.get(p.id)!)));
      assert.ok(Math.abs(p.similarity - best) < 1e-5);
    }
    assert.equal(reasonText(picks[0].because), `like “Title of ${picks[0].because.id}”, which you upvoted`);
  });
}

test('not-interested marks push a topic down for a reader who likes two topics', () => {
  const papers = corpus(30);
  const index = FeatureIndex.build(papers);
  const liked = ['graphs-0', 'graphs-1', 'speech-0', 'speech-1'];
  const candidates = papers.filter((p) => Number(p.id.split('-')[1]) >= 20).map((p) => ({ id: p.id, vector: index.get(p.id)! }));
  const background = sampleBackground(papers.filter((p) => Number(p.id.split('-')[1]) < 20).map((p) => p.id), 30, new Set(liked), 2);
  const speechRank = (disliked: string[]) => {
    const examples = examplesFor(index, liked, disliked, background);
    const ranked = rankCandidates(trainLogistic(examples, { seed: 1 }), candidates, examples, candidates.length).map((p) => p.id);
    const ranks = ranked.map((id, i) => (id.startsWith('speech') ? i : -1)).filter((i) => i >= 0);
    return ranks.reduce((a, b) => a + b, 0) / ranks.length;
  };
  const before = speechRank([]);
  const after = speechRank(['speech-2', 'speech-3', 'speech-4', 'speech-5', 'speech-6', 'speech-7']);
  assert.ok(after > before + 3, `speech papers moved from mean rank ${before} to ${after}`);
});

test('no positives, no picks; background samples are seeded and skip excluded ids', () => {
  const index = FeatureIndex.build(corpus(3));
  const e = examplesFor(index, [], ['graphs-0'], []);
  assert.deepEqual(rankCandidates(trainLogistic(e), [{ id: 'graphs-1', vector: index.get('graphs-1')! }], e, 5), []);
  const pool = Array.from({ length: 100 }, (_, i) => `p${i}`);
  const a = sampleBackground(pool, 20, new Set(['p1', 'p2']), 42);
  assert.deepEqual(a, sampleBackground(pool, 20, new Set(['p1', 'p2']), 42));
  assert.equal(new Set(a).size, 20);
  assert.ok(!a.includes('p1') && !a.includes('p2'));
  assert.notDeepEqual(a, sampleBackground(pool, 20, new Set(), 43));
});

test('reasons say where the example came from', () => {
  const v = { idx: new Int32Array(0), val: new Float32Array(0) };
  const ex = (source: Example['source'], detail?: string): Example => ({ id: 'x', vector: v, label: 1, source, title: 'Attention Is All You Need', detail });
  assert.equal(reasonText(ex('collection', 'Reading group')), 'like “Attention Is All You Need”, which you saved in “Reading group”');
  assert.equal(reasonText(ex('interest-paper')), 'like “Attention Is All You Need”, which you picked');
  assert.match(reasonText(ex('interest-category', 'cs.CL')), /your interest in cs\.CL/);
  assert.match(reasonText(ex('interest-author', 'Ada Lovelace')), /Ada Lovelace, whom you follow/);
});

test('buildAsync (which yields to the event loop) builds the same index as build', async () => {
  const papers = corpus(20);
  const a = FeatureIndex.build(papers);
  const b = await FeatureIndex.buildAsync(papers, 7);
  assert.equal(b.size, a.size);
  for (const p of papers) {
    assert.deepEqual([...b.get(p.id)!.idx], [...a.get(p.id)!.idx]);
    assert.deepEqual([...b.get(p.id)!.val], [...a.get(p.id)!.val]);
  }
});
