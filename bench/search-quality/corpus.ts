import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One paper of the arXiv listings corpus (../shared/data/arxiv-listings), as the benchmarks need it. */
export interface CorpusPaper {
  id: string;
  title: string;
  abstract: string;
  categories: string[];
}

/** Reads every papers-NNN.jsonl under `dir`, in file order; whitespace in titles and abstracts collapsed. */
export function loadCorpus(dir: string): CorpusPaper[] {
  const files = readdirSync(dir).filter((f) => /^papers-\d+\.jsonl$/.test(f)).sort();
  if (!files.length) throw new Error(`no papers-NNN.jsonl files in ${dir}`);
  const out: CorpusPaper[] = [];
  for (const f of files) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const p = JSON.parse(line) as { id: string; title: string; abstract: string; categories?: string[] };
      out.push({ id: p.id, title: p.title.replace(/\s+/g, ' ').trim(), abstract: p.abstract.replace(/\s+/g, ' ').trim(), categories: p.categories ?? [] });
    }
  }
  return out;
}

/** A small deterministic PRNG (mulberry32), so samples and synthetic corpora are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
