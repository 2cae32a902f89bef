/**
 * bench/recommend: how well "For you" ranks a simulated reader's held-out papers among the recent
 * ones, against simple baselines, and how fast a reader's model retrains.
 *
 *   npx tsx bench/recommend/run.ts <corpus-dir> [--readers 80] [--upvotes 8] [--seed 7] [--embeddings]
 *
 * `--embeddings` adds two methods over the embedding space search uses (the offline default: the
 * local embedder, trained on the corpus as `paperboy reindex` trains it): the cosine to the centroid
 * of the reader's upvotes ("embedding"), and that ranking fused with the logistic model's by
 * reciprocal rank ("logistic+embedding").
 *
 * A reader is a topic: a title bigram (e.g. "gaussian splatting") found in enough older papers and
 * in 5-80 of the recent ones (the last RECENT_DAYS feed days). The reader upvoted `--upvotes` older
 * papers of that topic; the recent papers of the topic are held out, and each method ranks all
 * recent papers. Precision@10 and MRR (reciprocal rank of the first held-out paper) are averaged
 * over readers. Baselines: newest first; trending (simulated heavy-tailed upvotes and comments,
 * independent of topics, ranked by `rankTrending`); newest first within the reader's most upvoted
 * category (a stronger naive baseline). A second family of readers follows a smaller primary category
 * (cs.RO, cs.IR, ...): 8 older upvotes in it; its recent papers are the held-out ones.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { FeatureIndex } from '../../src/discovery/feature-index.ts';
import { seededRandom as rng } from '../../src/domain/random.ts';
import { rankCandidates, sampleBackground, trainLogistic, trainModel, words, type Example, type ModelKind } from '../../src/discovery/index.ts';
import { rankTrending } from '../../src/domain/trending.ts';
import { fmt, markdownTable, peakRssMb } from '../lib/report.ts';
import { LocalEmbedder, paperText } from '../../src/search/local-embedder.ts';

const args = process.argv.slice(2);
const corpus = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--') && args[i - 1] !== '--embeddings'));
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const READERS = flag('readers', 60);
const UPVOTES = flag('upvotes', 8);
const SEED = flag('seed', 7);
const RECENT_DAYS = 14;
const EMBEDDINGS = args.includes('--embeddings');
if (!corpus || !fs.existsSync(corpus)) {
  console.error('usage: npx tsx bench/recommend/run.ts <corpus-dir> [--readers N] [--upvotes N] [--seed N]');
  process.exit(2);
}

interface P {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  primary: string;
  day: string;
  pos: number;
}

const papers: P[] = [];
const t0 = performance.now();
for (const f of fs.readdirSync(corpus).filter((f) => f.endsWith('.jsonl')).sort()) {
  const rl = readline.createInterface({ input: fs.createReadStream(path.join(corpus, f)) });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const j = JSON.parse(line);
    papers.push({ id: j.id, title: j.title, abstract: j.abstract, authors: j.authors ?? [], categories: j.categories ?? [], primary: j.primary_category, day: j.listing_date, pos: papers.length });
  }
}
const loadMs = performance.now() - t0;
const t1 = performance.now();
const cpu1 = process.cpuUsage();
const index = FeatureIndex.build(papers);
const indexMs = performance.now() - t1;
const indexCpu = process.cpuUsage(cpu1);

const days = [...new Set(papers.map((p) => p.day))].sort();
const newest = days[days.length - 1];
const cutoff = new Date(Date.parse(`${newest}T00:00:00Z`) - (RECENT_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
const recent = papers.filter((p) => p.day >= cutoff);
const history = papers.filter((p) => p.day < cutoff);
const historyIds = history.map((p) => p.id);

// Simulated community activity for the trending baseline: heavy-tailed, independent of topics.
const random = rng(SEED);
const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const activity = new Map(recent.map((p) => [p.id, { upvotes: Math.floor(Math.exp(1.2 * gauss())), comments: Math.floor(Math.exp(0.8 * gauss()) - 0.5) }]));
const asOf = new Date(Date.parse(`${newest}T00:00:00Z`) + 86_400_000);

const titleBigrams = (p: P) => {
  const w = words(p.title);
  const out = new Set<string>();
  for (let i = 1; i < w.length; i++) out.add(`${w[i - 1]} ${w[i]}`);
  return out;
};
const byBigram = new Map<string, { old: P[]; recent: P[] }>();
for (const p of papers) {
  for (const b of titleBigrams(p)) {
    let e = byBigram.get(b);
    if (!e) byBigram.set(b, (e = { old: [], recent: [] }));
    (p.day >= cutoff ? e.recent : e.old).push(p);
  }
}
const topics = [...byBigram.entries()].filter(([, e]) => e.old.length >= UPVOTES * 2 && e.recent.length >= 5 && e.recent.length <= 80).map(([b]) => b).sort();
const chosen: string[] = [];
const pool = topics.slice();
while (chosen.length < READERS && pool.length) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);

const newestFirst = recent.slice().sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : a.pos - b.pos));
const trending = rankTrending(recent, (p) => ({ upvotes: activity.get(p.id)!.upvotes, numComments: activity.get(p.id)!.comments, since: p.day }), asOf);
const candidates = recent.map((p) => ({ id: p.id, vector: index.get(p.id)! }));

type Method = 'newest' | 'trending' | 'category-newest' | ModelKind | 'embedding' | 'logistic+embedding';
const METHODS: Method[] = ['newest', 'trending', 'category-newest', 'rocchio', 'knn', 'logistic', ...(EMBEDDINGS ? (['embedding', 'logistic+embedding'] as const) : [])];

// The embedding space: trained on every paper (as `paperboy reindex` does), vectors made on demand.
let embedder: LocalEmbedder | undefined;
let embedTrainMs = 0;
const vectors = new Map<string, Float32Array>();
if (EMBEDDINGS) {
  const s = performance.now();
  embedder = LocalEmbedder.train(papers);
  embedTrainMs = performance.now() - s;
}
async function vectorOf(p: P): Promise<Float32Array> {
  let v = vectors.get(p.id);
  if (!v) vectors.set(p.id, (v = (await embedder!.embed([paperText(p)]))[0]));
  return v;
}
async function embeddingRanking(liked: P[]): Promise<string[]> {
  const c = new Float32Array(embedder!.dimensions);
  for (const p of liked) {
    const v = await vectorOf(p);
    for (let i = 0; i < c.length; i++) c[i] += v[i];
  }
  const scored: { id: string; s: number; i: number }[] = [];
  for (const [i, p] of recent.entries()) {
    const v = await vectorOf(p);
    let dot = 0;
    for (let k = 0; k < c.length; k++) dot += c[k] * v[k];
    scored.push({ id: p.id, s: dot, i });
  }
  return scored.sort((a, b) => b.s - a.s || a.i - b.i).map((x) => x.id);
}
/** Reciprocal-rank fusion (k = 60) of two rankings of the same papers. */
function rrf(a: string[], b: string[]): string[] {
  const score = new Map<string, number>();
  for (const r of [a, b]) r.forEach((id, i) => score.set(id, (score.get(id) ?? 0) + 1 / (61 + i)));
  return [...score.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([id]) => id);
}

interface Reader {
  liked: P[];
  relevant: Set<string>;
  /** Whether a reason names a liked paper of the same topic. */
  sameTopic: (liked: P) => boolean;
}

interface Totals {
  sums: Map<Method, { p10: number; mrr: number; ms: number }>;
  readers: number;
  explained: number;
  explainedTotal: number;
  reasonInTopic: number;
  relevantPicks: number;
}

const byId = new Map(papers.map((p) => [p.id, p]));

async function evaluate(readers: Reader[]): Promise<Totals> {
  const t: Totals = { sums: new Map(METHODS.map((m) => [m, { p10: 0, mrr: 0, ms: 0 }])), readers: readers.length, explained: 0, explainedTotal: 0, reasonInTopic: 0, relevantPicks: 0 };
  const measure = (m: Method, ranked: string[], relevant: Set<string>, ms: number) => {
    const s = t.sums.get(m)!;
    s.p10 += ranked.slice(0, 10).filter((id) => relevant.has(id)).length / 10;
    const first = ranked.findIndex((id) => relevant.has(id));
    s.mrr += first >= 0 ? 1 / (first + 1) : 0;
    s.ms += ms;
  };
  for (const [r, reader] of readers.entries()) {
    const likedSet = new Set(reader.liked.map((p) => p.id));
    const examples: Example[] = reader.liked.map((p) => ({ id: p.id, vector: index.get(p.id)!, label: 1, source: 'upvote' }));
    for (const id of sampleBackground(historyIds, Math.max(100, 4 * reader.liked.length), likedSet, SEED * 1000 + r)) examples.push({ id, vector: index.get(id)!, label: 0, source: 'background' });
    measure('newest', newestFirst.map((p) => p.id), reader.relevant, 0);
    measure('trending', trending.map((p) => p.id), reader.relevant, 0);
    const cats = new Map<string, number>();
    for (const p of reader.liked) cats.set(p.primary, (cats.get(p.primary) ?? 0) + 1);
    const topCat = [...cats.entries()].sort((a, b) => b[1] - a[1])[0][0];
    measure('category-newest', [...newestFirst.filter((p) => p.primary === topCat), ...newestFirst.filter((p) => p.primary !== topCat)].map((p) => p.id), reader.relevant, 0);
    let logisticRanking: string[] = [];
    for (const kind of ['rocchio', 'knn', 'logistic'] as const) {
      const s = performance.now();
      const model = trainModel(kind, examples, r + 1);
      const picks = rankCandidates(model, candidates, examples, candidates.length);
      measure(kind, picks.map((p) => p.id), reader.relevant, performance.now() - s);
      if (kind === 'logistic') logisticRanking = picks.map((p) => p.id);
      if (kind !== 'logistic') continue;
      for (const p of picks.slice(0, 10)) {
        t.explainedTotal++;
        if (p.similarity > 0) t.explained++;
        if (reader.relevant.has(p.id)) {
          t.relevantPicks++;
          if (reader.sameTopic(byId.get(p.because.id)!)) t.reasonInTopic++;
        }
      }
    }
    if (EMBEDDINGS) {
      const s = performance.now();
      const ranked = await embeddingRanking(reader.liked);
      measure('embedding', ranked, reader.relevant, performance.now() - s);
      measure('logistic+embedding', rrf(logisticRanking, ranked), reader.relevant, performance.now() - s);
    }
  }
  return t;
}

function table(t: Totals): string {
  const n = t.readers;
  const base = t.sums.get('newest')!;
  const rows = METHODS.map((m) => {
    const s = t.sums.get(m)!;
    const ratio = (a: number, b: number) => (b ? `${fmt(a / b, 1)}×` : '∞');
    return [m, fmt(s.p10 / n, 3), fmt(s.mrr / n, 3), ratio(s.p10, base.p10), ratio(s.mrr, base.mrr), ['newest', 'trending', 'category-newest'].includes(m) ? '–' : fmt(s.ms / n, 0)];
  });
  return markdownTable(['method', 'precision@10', 'MRR', 'P@10 vs newest', 'MRR vs newest', 'ms / reader (train + rank all)'], rows);
}

// Topic readers: a title bigram.
const topicReaders: Reader[] = chosen.map((topic, r) => {
  const e = byBigram.get(topic)!;
  const ids = sampleBackground(e.old.map((p) => p.id), UPVOTES, new Set(), SEED + r);
  return { liked: ids.map((id) => byId.get(id)!), relevant: new Set(e.recent.map((p) => p.id)), sameTopic: (p) => titleBigrams(p).has(topic) };
});
// Category readers: a smaller primary category (not cs.CV/cs.CL/cs.AI, which are most of the feed).
const byCat = new Map<string, { old: P[]; recent: P[] }>();
for (const p of papers) {
  let e = byCat.get(p.primary);
  if (!e) byCat.set(p.primary, (e = { old: [], recent: [] }));
  (p.day >= cutoff ? e.recent : e.old).push(p);
}
const catList = [...byCat.entries()].filter(([c, e]) => !['cs.CV', 'cs.CL', 'cs.AI'].includes(c) && e.recent.length >= 5 && e.old.length >= UPVOTES * 2).map(([c]) => c).sort();
const categoryReaders: Reader[] = [];
for (const [r, c] of catList.entries()) {
  for (let k = 0; k < 3; k++) {
    const e = byCat.get(c)!;
    const ids = sampleBackground(e.old.map((p) => p.id), UPVOTES, new Set(), SEED * 7 + r * 3 + k);
    categoryReaders.push({ liked: ids.map((id) => byId.get(id)!), relevant: new Set(e.recent.map((p) => p.id)), sameTopic: (p) => p.primary === c });
  }
}
const topicTotals = await evaluate(topicReaders);
const categoryTotals = await evaluate(categoryReaders);

// Retraining a heavy reader: 400 upvotes in one category, 100 "not interested" marks, 500 background negatives.
const cl = history.filter((p) => p.primary === 'cs.CL').map((p) => p.id);
const cv = history.filter((p) => p.primary === 'cs.CV').map((p) => p.id);
const heavy: Example[] = [
  ...sampleBackground(cl, 400, new Set(), 11).map((id): Example => ({ id, vector: index.get(id)!, label: 1, source: 'upvote' })),
  ...sampleBackground(cv, 100, new Set(), 12).map((id): Example => ({ id, vector: index.get(id)!, label: 0, source: 'not-interested' })),
];
const heavyIds = new Set(heavy.map((e) => e.id));
heavy.push(...sampleBackground(historyIds, 500, heavyIds, 13).map((id): Example => ({ id, vector: index.get(id)!, label: 0, source: 'background' })));
const trainTimes: number[] = [];
const trainCpu: number[] = [];
const rankTimes: number[] = [];
const rankCpu: number[] = [];
const rocchioCpu: number[] = [];
for (let i = 0; i < 7; i++) {
  const s = performance.now();
  const cpu = process.cpuUsage();
  const model = trainLogistic(heavy, { seed: i + 1 });
  const used = process.cpuUsage(cpu);
  trainCpu.push((used.user + used.system) / 1000);
  const m = performance.now();
  const cpu2 = process.cpuUsage();
  rankCandidates(model, candidates, heavy, 50);
  const used2 = process.cpuUsage(cpu2);
  rankCpu.push((used2.user + used2.system) / 1000);
  trainTimes.push(m - s);
  rankTimes.push(performance.now() - m);
  // Baseline: the Rocchio centroid of the same examples (one pass over them).
  const cpu3 = process.cpuUsage();
  trainModel('rocchio', heavy);
  const used3 = process.cpuUsage(cpu3);
  rocchioCpu.push((used3.user + used3.system) / 1000);
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`corpus: ${fmt(papers.length)} papers, ${days.length} feed days; recent (candidates): ${fmt(recent.length)} papers from ${cutoff} to ${newest}`);
console.log(`load ${fmt(loadMs / 1000, 1)} s; TF-IDF index of ${fmt(index.size)} papers built in ${fmt(indexMs / 1000, 1)} s wall / ${fmt((indexCpu.user + indexCpu.system) / 1e6, 1)} s CPU; peak RSS ${fmt(peakRssMb())} MB`);
if (EMBEDDINGS) console.log(`embedding space: ${embedder!.id} (${embedder!.dimensions} dimensions), trained on ${fmt(papers.length)} papers in ${fmt(embedTrainMs / 1000, 1)} s wall`);
console.log(`\n### Topic readers: ${topicTotals.readers} title bigrams (of ${fmt(topics.length)} eligible), ${UPVOTES} older upvotes each, seed ${SEED}\n`);
console.log(table(topicTotals));
console.log(`\n### Category readers: ${categoryTotals.readers} readers of ${catList.length} smaller categories (${catList.join(', ')}), ${UPVOTES} older upvotes each\n`);
console.log(table(categoryTotals));
for (const [name, t] of [['topic', topicTotals], ['category', categoryTotals]] as const) {
  console.log(`\nreasons (${name} readers, logistic top 10): ${t.explained}/${t.explainedTotal} picks explained by an upvote with a positive similarity; ${t.reasonInTopic}/${t.relevantPicks} relevant picks name an upvote of the reader's own topic`);
}
console.log(`\nretrain, 500-example reader (400 upvotes, 100 not-interested) + 500 background negatives over the ${fmt(index.size)}-paper index (7 runs): median ${fmt(median(trainTimes), 1)} ms wall / ${fmt(median(trainCpu), 1)} ms CPU to train (baseline, a Rocchio centroid of the same examples: ${fmt(median(rocchioCpu), 1)} ms CPU); ${fmt(median(rankTimes), 1)} ms wall / ${fmt(median(rankCpu), 1)} ms CPU to rank ${fmt(candidates.length)} recent papers and explain the top 50; load average during the run ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
