/** What bench/search/run.ts (the keyword index) and bench/search/api.ts (the search API) share. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IndexedDoc } from '../../src/search/inverted-index.ts';
import { isStopword } from '../../src/search/tokenize.ts';
import { seededRandom as rng } from '../../src/domain/random.ts';

/**
 * A corpus of `n` papers from the real ones: each real paper is used again with two title words
 * swapped for words of another title and an abstract made of 2–3-sentence runs from three random
 * real abstracts, so vocabulary, term frequencies and posting-list lengths are those of arXiv.
 */
export function synthesise(real: IndexedDoc[], n: number): IndexedDoc[] {
  if (n <= real.length) return real.slice(0, n);
  const r = rng(42);
  const sentences = real.map((p) => p.abstract.split(/(?<=[.!?])\s+/));
  const out = real.slice();
  for (let i = real.length; i < n; i++) {
    const base = real[i % real.length];
    const other = real[Math.floor(r() * real.length)].title.split(' ');
    out.push({ id: `syn.${i}`, ...remix(r, base.title.split(' '), other, sentences) });
  }
  return out;
}

/** One synthetic paper's text: two of `title`'s words swapped for words of `other`, three runs of 2–3 sentences. */
export function remix(r: () => number, title: string[], other: string[], sentences: string[][]): { title: string; abstract: string } {
  const t = title.slice();
  for (let s = 0; s < 2 && t.length > 1; s++) t[Math.floor(r() * t.length)] = other[Math.floor(r() * other.length)];
  const parts: string[] = [];
  for (let s = 0; s < 3; s++) {
    const src = sentences[Math.floor(r() * sentences.length)];
    const start = Math.floor(r() * src.length);
    parts.push(...src.slice(start, start + 2 + Math.floor(r() * 2)));
  }
  return { title: t.join(' '), abstract: parts.join(' ') };
}

/** 200 mixed queries: 100 AI and 100 non-AI, picked with fixed seeds. */
export function loadQueries(dir: string): string[] {
  const pick = (file: string, count: number, seed: number) => {
    const all = Object.values(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, { search_query: string }>).map((q) => q.search_query);
    const r = rng(seed);
    const chosen: string[] = [];
    const pool = all.slice();
    while (chosen.length < count && pool.length) chosen.push(pool.splice(Math.floor(r() * pool.length), 1)[0]);
    return chosen;
  };
  return [...pick('computer_science_ai_search_queries.json', 100, 1), ...pick('computer_science_non_ai_search_queries.json', 100, 2)];
}

export function percentiles(ms: number[]): { p50: number; p99: number; mean: number } {
  const s = ms.slice().sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { p50: at(0.5), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
/** A query as FTS5 OR query of its words (the baseline's form). */
export function ftsQuery(q: string): string {
  const terms = [...new Set((q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !isStopword(w)))];
  return terms.map((w) => `"${w}"`).join(' OR ');
}
