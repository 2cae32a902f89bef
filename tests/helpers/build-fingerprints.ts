import { createHash } from 'node:crypto';
import { seededRandom } from '../../src/domain/random.ts';
import { LocalEmbedder, paperText, type TrainingText } from '../../src/search/local-embedder.ts';
import { InvertedIndexBuilder } from '../../src/search/inverted-index.ts';

/**
 * Fingerprints of what a reindex builds — the trained offline model, its vectors and term vectors,
 * the in-memory keyword index — over a synthetic corpus, so that a change made for speed can be
 * checked to give the same bits as the code before it (tests/search/build-outputs-pinned.test.ts
 * pins the values round 16's code gave). The corpus is seeded: Zipf-like word frequencies over a
 * made-up vocabulary with stopwords, digits, capitals and accented words mixed in.
 */
export function syntheticCorpus(papers = 1500, seed = 17): Array<TrainingText & { id: string; pdfText?: string }> {
  const random = seededRandom(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const vocabulary: string[] = ['the', 'of', 'and', 'with', 'we', 'is', 'résumé', 'naïve', 'Transformer', 'GPT4', '3d', 'x'.repeat(45)];
  while (vocabulary.length < 3000) {
    const len = 3 + Math.floor(random() * 8);
    let w = '';
    for (let i = 0; i < len; i++) w += letters[Math.floor(random() * 26)];
    vocabulary.push(random() < 0.05 ? `${w}ing` : random() < 0.05 ? `${w}s` : w);
  }
  const words = (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(vocabulary[Math.floor(vocabulary.length * random() ** 3)]);
    return out.join(random() < 0.1 ? ', ' : ' ');
  };
  return Array.from({ length: papers }, (_, i) => ({
    id: `2601.${String(i).padStart(5, '0')}`,
    title: words(4 + Math.floor(random() * 8)),
    abstract: `${words(40 + Math.floor(random() * 120))}.`,
    pdfText: i % 7 === 0 ? words(300) : undefined,
  }));
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** sha-256 (hex, 16 digits) of the model trained on the corpus, of its vectors of 300 texts, and of their term vectors. */
export function modelFingerprints(corpus = syntheticCorpus()): { model: string; vectors: string; termVectors: string } {
  // 18 dimensions and 7 oversampling columns: the unrolled loops' leftovers are exercised too.
  const model = LocalEmbedder.train(corpus, { dimensions: 18, oversample: 7, maxFeatures: 6000, projectedFeatures: 2500, minDf: 2, minBigramDf: 3 });
  const vectors = createHash('sha256');
  const terms = createHash('sha256');
  for (const p of corpus.slice(0, 300)) {
    vectors.update(bytesOf(model.embedOne(paperText(p))));
    const tv = model.termVector(paperText(p));
    terms.update(bytesOf(tv.ids)).update(bytesOf(tv.weights));
  }
  return { model: createHash('sha256').update(model.toBuffer()).digest('hex').slice(0, 16), vectors: vectors.digest('hex').slice(0, 16), termVectors: terms.digest('hex').slice(0, 16) };
}

/** sha-256 (hex, 16 digits) of every part of the keyword index built over the corpus. */
export function keywordIndexFingerprint(corpus = syntheticCorpus()): string {
  const builder = new InvertedIndexBuilder();
  for (const p of corpus) builder.add(p);
  const parts = builder.finish().toParts();
  const h = createHash('sha256');
  h.update(JSON.stringify({ options: parts.options, stats: parts.stats, terms: parts.terms, ids: parts.ids, lexiconWords: parts.lexiconWords }));
  for (const a of [parts.offsets, parts.postDocs, parts.postImpacts, parts.maxImpact, parts.dfs, parts.pdfDfs, parts.lexiconDfs]) h.update(bytesOf(a));
  return h.digest('hex').slice(0, 16);
}
