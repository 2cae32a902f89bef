import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom as rng } from '../../src/domain/random.ts';

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

