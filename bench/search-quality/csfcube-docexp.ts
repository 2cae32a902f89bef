/**
 * Round 20: does document-side expansion (doc-expansion.ts, centred, m words a paper) change similar
 * papers on CSFCube through the served path? Similar papers take the keyword neighbours of a paper's
 * words as candidates, so a field that every paper's expansion words fill can add or drop candidates.
 * Run after `csfcube.ts --keep DIR` (the store the real import and reindex made, with its trained
 * model): each paper's expansion words are written as its PDF text (the keyword index scores that
 * field exactly as doc-expansion.ts scored the words: its own BM25 at `pdfWeight` 0.2), the keyword
 * index is rebuilt by `paperboy reindex --keyword-only`, and `csfcube.ts --keep DIR --reuse` measures
 * again. `--clear` removes the words (and rebuilds the keyword index) to get back the baseline store.
 *
 *   node --import tsx bench/search-quality/csfcube.ts ../shared/data/eval/csfcube --keep /tmp/x
 *   node --import tsx bench/search-quality/csfcube-docexp.ts ../shared/data/eval/csfcube --keep /tmp/x [--m 20] [--clear]
 *   node --import tsx bench/search-quality/csfcube.ts ../shared/data/eval/csfcube --keep /tmp/x --reuse
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { InvertedIndex } from '../../src/search/inverted-index.ts';
import { LocalEmbedder, paperText } from '../../src/search/local-embedder.ts';
import { LOCAL_MODEL_NAME } from '../../src/search/local-embedder-provider.ts';
import { tokenize } from '../../src/search/tokenize.ts';
import { openStore } from '../../src/store/index.ts';
import { loadCsfcube } from './csfcube-data.ts';
import { surfaceWords } from './surface-words.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { keep: { type: 'string' }, m: { type: 'string' }, clear: { type: 'boolean' } } });
if (!positionals[0] || !values.keep) {
  console.error('usage: csfcube-docexp.ts <csfcube dir> --keep DIR [--m 20] [--clear]');
  process.exit(2);
}
const M = Number(values.m ?? 20);
const db = join(values.keep, 'paperboy.db');
const { papers } = loadCsfcube(positionals[0]);
const corpus = [...papers].map(([pid, p]) => ({ id: `csfcube:${pid}`, title: p.title, abstract: p.abstract || p.title }));
const N = corpus.length;
const config = loadConfig({ ...process.env, SEARCH_EMBEDDER: 'local' }, { db });
const opened = await openStore(config.db);
const store = opened.store;
const stored = await store.search.loadModel(LOCAL_MODEL_NAME);
if (!stored) throw new Error('no trained model in the store: run csfcube.ts --keep first');
const model = LocalEmbedder.fromBuffer(stored.data);
const D = model.dimensions;

const lists: string[] = [];
if (!values.clear) {
  const vectors = corpus.map((p) => model.embedOne(paperText(p)));
  const mean = new Float64Array(D);
  for (const v of vectors) for (let d = 0; d < D; d++) mean[d] += v[d] / N;
  // The candidate words of doc-expansion.ts: letters-only unigram features in 5 papers up to 5 % of them.
  const plain = InvertedIndex.build(corpus);
  const surface = surfaceWords(corpus);
  const cands: Array<{ stem: string; word: string; row: Float32Array; generic: number }> = [];
  const fallback = 1 / Math.sqrt(D);
  for (let f = 0; f < model.featureCount; f++) {
    const stem = model.featureName(f);
    if (stem.includes(' ') || !surface.has(stem)) continue;
    const word = [...surface.get(stem)!].sort((a, b) => b[1] - a[1])[0][0];
    if (tokenize(word)[0] !== stem) continue;
    const df = plain.docFrequency(stem);
    if (df < 5 || df > 0.05 * N) continue;
    const row = model.embedOne(stem);
    if (row[0] === fallback && row[1] === fallback) continue;
    let g = 0;
    for (let d = 0; d < D; d++) g += row[d] * mean[d];
    cands.push({ stem, word, row, generic: g });
  }
  console.log(`${N} papers, ${cands.length} candidate words`);
  for (let i = 0; i < N; i++) {
    const own = new Set(tokenize(paperText(corpus[i])));
    const scored = cands.map((c) => {
      let s = 0;
      for (let d = 0; d < D; d++) s += c.row[d] * vectors[i][d];
      return { c, s: s - c.generic };
    });
    scored.sort((a, b) => b.s - a.s);
    lists.push(scored.filter((x) => x.s > 0 && !own.has(x.c.stem)).slice(0, M).map((x) => x.c.word).join(' '));
  }
  for (const i of [0, 100, 2000]) console.log(`  e.g. "${corpus[i].title.slice(0, 60)}": ${lists[i]}`);
}
for (let i = 0; i < N; i++) await store.enrichment.savePdf(corpus[i].id, { text: lists[i] ?? '', pages: 0, thumbnails: [] });
await opened.close();
execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'reindex', '--keyword-only', '--db', db, '--quiet'], { env: { ...process.env, LOG_LEVEL: 'warn', SEARCH_EMBEDDER: 'local' }, stdio: 'inherit' });
console.log(values.clear ? 'expansion words cleared; keyword index rebuilt' : `expansion words (${M} a paper) stored as PDF text; keyword index rebuilt`);
