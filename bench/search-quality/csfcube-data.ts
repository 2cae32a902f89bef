import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paperText } from '../../src/search/local-embedder.ts';
import { tokenize } from '../../src/search/tokenize.ts';

/**
 * The CSFCube collection (../shared/data/eval/csfcube) as the similar-papers benchmarks read it: its
 * 4,205 papers, and each query facet's expert-graded pool with the fold it belongs to
 * (`evaluation_splits.json`: fold1_dev may be tuned on, fold1_test is held out).
 */
export interface CsfcubeFacet {
  facet: string;
  qid: string;
  cands: string[];
  rel: number[];
  split: 'dev' | 'test';
}

export function loadCsfcube(dir: string): { papers: Map<string, { title: string; abstract: string }>; facets: CsfcubeFacet[] } {
  const papers = new Map<string, { title: string; abstract: string }>();
  for (const line of readFileSync(join(dir, 'reconstructed_corpus.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const p = JSON.parse(line) as { pid: string; title: string; abstract: string | string[] };
    papers.set(p.pid, { title: p.title, abstract: Array.isArray(p.abstract) ? p.abstract.join(' ') : p.abstract });
  }
  const splits = JSON.parse(readFileSync(join(dir, 'evaluation_splits.json'), 'utf8')) as Record<string, Record<string, string[]>>;
  const dev = new Set(Object.values(splits).flatMap((s) => s.fold1_dev ?? []));
  const facets: CsfcubeFacet[] = [];
  for (const facet of ['background', 'method', 'result']) {
    const anns = JSON.parse(readFileSync(join(dir, `test-pid2anns-csfcube-${facet}.json`), 'utf8')) as Record<string, { cands: string[]; relevance_adju: number[] }>;
    for (const [qid, a] of Object.entries(anns)) facets.push({ facet, qid, cands: a.cands, rel: a.relevance_adju, split: dev.has(`${qid}_${facet}`) ? 'dev' : 'test' });
  }
  return { papers, facets };
}

/** NDCG at 20 % of the pool (CSFCube's measure), linear gains; `order` lists pool indexes best first (-1: no paper). */
export function ndcgAt20Percent(order: number[], rel: number[]): number {
  const k = Math.floor(rel.length * 0.2);
  const dcg = order.slice(0, k).reduce((acc, i, r) => acc + (rel[i] ?? 0) / Math.log2(r + 2), 0);
  const ideal = rel.slice().sort((a, b) => b - a).slice(0, k).reduce((acc, g, r) => acc + g / Math.log2(r + 2), 0);
  return ideal > 0 ? dcg / ideal : 0;
}

/**
 * The collection's baseline: TF-IDF cosine (sublinear tf, idf over the collection, the served
 * analyser) between two papers of `papers`, by pid.
 */
export function tfidfCosine(papers: ReadonlyMap<string, { title: string; abstract: string }>): (a: string, b: string) => number {
  const df = new Map<string, number>();
  const tfs = new Map<string, Map<string, number>>();
  for (const [pid, p] of papers) {
    const m = new Map<string, number>();
    for (const t of tokenize(paperText(p))) m.set(t, (m.get(t) ?? 0) + 1);
    tfs.set(pid, m);
    for (const t of m.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const tfidf = new Map<string, Map<string, number>>();
  for (const [pid, m] of tfs) {
    const v = new Map<string, number>();
    let norm = 0;
    for (const [t, tf] of m) {
      const w = (1 + Math.log(tf)) * Math.log(papers.size / df.get(t)!);
      v.set(t, w);
      norm += w * w;
    }
    for (const [t, w] of v) v.set(t, w / Math.sqrt(norm || 1));
    tfidf.set(pid, v);
  }
  return (a, b) => {
    const x = tfidf.get(a)!;
    const y = tfidf.get(b)!;
    let s = 0;
    for (const [t, w] of x) s += w * (y.get(t) ?? 0);
    return s;
  };
}

/**
 * The probes' same-run baseline line: TF-IDF cosine over each facet's whole pool, NDCG%20 on the
 * dev fold (and, with `heldout`, the test fold and all), its label padded to `width`.
 */
export function tfidfBaselineLine(papers: ReadonlyMap<string, { title: string; abstract: string }>, facets: readonly CsfcubeFacet[], heldout: boolean, width: number): string {
  const tfidf = tfidfCosine(papers);
  const s = facets.map((f) => ({ ...f, v: ndcgAt20Percent(f.cands.map((c, i) => ({ i, s: tfidf(f.qid, c) })).sort((a, b) => b.s - a.s).map((o) => o.i), f.rel) }));
  const of = (p: (f: (typeof s)[number]) => boolean) => (s.filter(p).reduce((a, f) => a + f.v, 0) / s.filter(p).length).toFixed(3);
  return `${'tf-idf cosine (whole pool, baseline)'.padEnd(width)} fold1_dev ${of((f) => f.split === 'dev')}${heldout ? `  fold1_test ${of((f) => f.split === 'test')}  all ${of(() => true)}` : ''}`;
}
