/**
 * A paper's text as a sparse feature vector: words and adjacent-word bigrams of the title (counted
 * twice) and abstract, plus a feature per category (counted three times) and per author, hashed into FEATURE_DIM
 * buckets (no vocabulary to keep). Pure: no I/O.
 */
export const FEATURE_BITS = 18;
export const FEATURE_DIM = 1 << FEATURE_BITS;

/** A sparse vector: sorted, distinct indices and their values. */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

export interface TextFields {
  title: string;
  abstract: string;
  categories?: readonly string[];
  authors?: readonly string[];
}

const STOPWORDS = new Set(
  ('a an and are as at be by for from has have in is it its of on or that the this to was were we with our ' +
    'which these those such than then into over under between while where when what how also can may will ' +
    'not but both each other more most some any all via using use used based new show shows propose proposed ' +
    'approach method methods paper results study work present provide well however thus here they their them ' +
    'only very many first two one existing several across further without within through') .split(' '),
);

/** FNV-1a, 32 bits: fast, stable across runs and processes. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Accents folded (`naïve` → `naive`), so accented and plain spellings are one word. */
function fold(text: string): string {
  return /[^\x00-\x7f]/.test(text) ? text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '') : text;
}

/** Lower-case word tokens, stopwords dropped, a plural `s` folded (`models` → `model`). */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const m of fold(text).toLowerCase().matchAll(/[a-z][a-z0-9]*/g)) {
    let w = m[0];
    if (w.length < 2) continue;
    if (STOPWORDS.has(w)) continue;
    if (w.length > 4 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
    out.push(w);
  }
  return out;
}

/** The terms of one text: its words and adjacent-word bigrams. */
export function terms(text: string): string[] {
  const w = words(text);
  const out = w.slice();
  for (let i = 1; i < w.length; i++) out.push(`${w[i - 1]} ${w[i]}`);
  return out;
}

/** Bucket of a bigram from its words' hashes (mixed, so `a b` and `b a` differ). */
function bigramHash(h1: number, h2: number): number {
  let h = Math.imul(h1 ^ 0x9e3779b9, 0x85ebca6b) ^ h2;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const MASK = FEATURE_DIM - 1;

const STOPWORD_HASHES = new Set([...STOPWORDS].map(hashString));
const isLower = (c: number) => c >= 97 && c <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * The hashes of `words(text)`, in order, computed in one pass over the characters without making
 * strings (the index build's hot loop): hashWords(t)[i] === hashString(words(t)[i]).
 */
export function hashWords(raw: string, out: number[] = []): number[] {
  const text = fold(raw);
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (!isLower(c)) {
      i++;
      continue;
    }
    // A word starts with a letter and goes on with letters and digits.
    let h = 0x811c9dc5;
    let before = h;
    let len = 0;
    let last = 0;
    let prev = 0;
    while (i < n) {
      let d = text.charCodeAt(i);
      if (d >= 65 && d <= 90) d += 32;
      if (!isLower(d) && !isDigit(d)) break;
      before = h;
      h = Math.imul(h ^ d, 0x01000193);
      prev = last;
      last = d;
      len++;
      i++;
    }
    if (len < 2) continue;
    h >>>= 0;
    if (STOPWORD_HASHES.has(h)) continue;
    // Plural `s` folded as in `words` (not -ss, -us, -is).
    if (len > 4 && last === 115 && prev !== 115 && prev !== 117 && prev !== 105) h = before >>> 0;
    out.push(h);
  }
  return out;
}

function pushTerms(text: string, times: number, out: number[]): void {
  let prev = -1;
  for (const h of hashWords(text)) {
    for (let t = 0; t < times; t++) out.push(h & MASK);
    if (prev >= 0) {
      const b = bigramHash(prev, h) & MASK;
      for (let t = 0; t < times; t++) out.push(b);
    }
    prev = h;
  }
}

/** Raw term counts per hashed bucket, as a sparse vector (sorted indices). */
export function termCounts(p: TextFields): SparseVector {
  const buckets: number[] = [];
  pushTerms(p.title, 2, buckets);
  pushTerms(p.abstract, 1, buckets);
  // Categories count as three words: one feature among hundreds would barely move a reader's model.
  for (const c of p.categories ?? []) {
    const h = hashString(`cat:${c.toLowerCase()}`) & MASK;
    buckets.push(h, h, h);
  }
  for (const a of p.authors ?? []) buckets.push(hashString(`au:${a.toLowerCase()}`) & MASK);
  const sorted = Int32Array.from(buckets).sort();
  let distinct = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) distinct++;
  const idx = new Int32Array(distinct);
  const val = new Float32Array(distinct);
  let j = -1;
  for (let k = 0; k < sorted.length; k++) {
    if (k === 0 || sorted[k] !== sorted[k - 1]) idx[++j] = sorted[k];
    val[j]++;
  }
  return { idx, val };
}

/** Sublinear TF × IDF, L2-normalised. `idf(i)` gives bucket i's inverse document frequency. */
export function weigh(counts: SparseVector, idf: (i: number) => number): SparseVector {
  const val = new Float32Array(counts.val.length);
  let norm = 0;
  for (let k = 0; k < val.length; k++) {
    const w = (1 + Math.log(counts.val[k])) * idf(counts.idx[k]);
    val[k] = w;
    norm += w * w;
  }
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < val.length; k++) val[k] /= norm;
  return { idx: counts.idx, val };
}

/** Dot product of two sparse vectors (both sorted): their cosine when both are normalised. */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const x = a.idx[i];
    const y = b.idx[j];
    if (x === y) s += a.val[i++] * b.val[j++];
    else if (x < y) i++;
    else j++;
  }
  return s;
}

/** Dot product of a dense weight vector with a sparse one. */
export function denseDot(w: Float32Array, x: SparseVector): number {
  let s = 0;
  for (let k = 0; k < x.idx.length; k++) s += w[x.idx[k]] * x.val[k];
  return s;
}
