import { nextSlice as yieldToLoop } from '../slices.ts';
import { Gathered, IndexFileError, decodeTexts, encodeTexts, readIndexFile, writeIndexFile } from '../search/index-file.ts';
import type { IndexCodec } from '../search/published-index.ts';
import type { FeatureIndexParts, PackedVectors } from './feature-index.ts';
import { FEATURE_DIM, type SparseVector } from './text-features.ts';

/**
 * The For-you features as a file (`index-file.ts` layout, kind `for-you-features`), so a server
 * loads them at start instead of reading 180 feed days from the store and vectorising them: every
 * paper's TF-IDF vector (indices and weights as two blobs, read back as views), the document
 * frequencies, what For you shows and filters on per paper (title, categories, authors, feed day;
 * names and days as dictionaries) and how far into the feed it was built (`through`: the papers
 * after it are the delta a loading server adds in memory). Written only from a fresh build, so a
 * server that loads it ranks exactly as one that built it.
 */
export const FOR_YOU_FEATURES_KIND = 'for-you-features';
/** 1: the first layout. */
export const FOR_YOU_FEATURES_FORMAT = 1;
export const FOR_YOU_FEATURES_NAME = 'for-you';
/** How long a slice of opening the file on the request thread runs before it yields. */
const SLICE_MS = 4;

/** What For you keeps of a paper besides its vector. */
export interface ForYouPaper {
  title: string;
  categories: string[];
  authors: string[];
  day: string;
}

export interface ForYouFeatures {
  features: FeatureIndexParts;
  /**
   * Per paper, in the order the service holds them (every one has a vector). A `Map`, as the
   * service serves it: a read builds it directly (no array of 33,804 pairs to copy into one).
   */
  papers: Map<string, ForYouPaper>;
  /** The newest feed day read and how many items it had then. */
  through: { day: string; items: number };
  /** The FOR_YOU_INDEX_DAYS it was built with: a file of another window is not served. */
  indexDays: number;
}

/** Distinct values and, per list, where its values start in `ids` (a dictionary of names or days). */
function dictionary(lists: readonly (readonly string[])[]): { names: string[]; ends: Uint32Array; ids: Uint32Array } {
  const codes = new Map<string, number>();
  const ends = new Uint32Array(lists.length);
  const ids: number[] = [];
  lists.forEach((list, i) => {
    for (const v of list) {
      let c = codes.get(v);
      if (c === undefined) codes.set(v, (c = codes.size));
      ids.push(c);
    }
    ends[i] = ids.length;
  });
  return { names: [...codes.keys()], ends, ids: Uint32Array.from(ids) };
}

/**
 * List `i` of a dictionary as an array of exactly its length: an array filled by `push` from empty
 * gets room for 17 values, and two such lists per paper were a fifth of the heap a loaded For-you
 * file kept (BENCHMARKS, start-up, round 20). `shared` (category lists: a few hundred distinct ones
 * among 33,804 papers) hands out one frozen array per distinct list instead of one per paper.
 */
function undictionary(names: string[], ends: Uint32Array, ids: Uint32Array, i: number, shared?: Map<string, readonly string[]>): string[] {
  const from = i ? ends[i - 1] : 0;
  const n = ends[i] - from;
  let key = '';
  if (shared) {
    for (let k = from; k < ends[i]; k++) key += `${ids[k]},`;
    const known = shared.get(key);
    if (known) return known as string[];
  }
  const out = new Array<string>(n);
  for (let k = 0; k < n; k++) {
    const name = names[ids[from + k]];
    if (name === undefined) throw new Error('a name out of its dictionary');
    out[k] = name;
  }
  if (shared) shared.set(key, Object.freeze(out));
  return out;
}

function unpacked(p: PackedVectors): SparseVector[] {
  return Array.from({ length: p.offsets.length - 1 }, (_, i) => ({ idx: p.idx.subarray(p.offsets[i], p.offsets[i + 1]), val: p.val.subarray(p.offsets[i], p.offsets[i + 1]) }));
}

export function writeForYouFeaturesFile(file: string, snap: ForYouFeatures): Promise<{ bytes: number; checksum: string }> {
  const f = snap.features;
  const row = new Map(f.ids.map((id, i) => [id, i]));
  const offsets = new Uint32Array(f.ids.length + 1);
  const vectors = Array.isArray(f.vectors) ? f.vectors : unpacked(f.vectors);
  vectors.forEach((v, i) => (offsets[i + 1] = offsets[i] + v.idx.length));
  const papers = [...snap.papers];
  const paperRows = Uint32Array.from(papers, ([id]) => {
    const r = row.get(id);
    if (r === undefined) throw new Error(`paper ${id} has no vector`);
    return r;
  });
  const titles = encodeTexts(papers.map(([, p]) => p.title));
  const days = dictionary(papers.map(([, p]) => [p.day]));
  const cats = dictionary(papers.map(([, p]) => p.categories));
  const authors = dictionary(papers.map(([, p]) => p.authors));
  const catNames = encodeTexts(cats.names);
  const authorNames = encodeTexts(authors.names);
  return writeIndexFile(file, {
    kind: FOR_YOU_FEATURES_KIND,
    format: FOR_YOU_FEATURES_FORMAT,
    meta: { dim: FEATURE_DIM, docs: f.docs, through: snap.through, indexDays: snap.indexDays, papers: f.ids.length },
    sections: {
      ids: f.ids,
      offsets,
      idx: new Gathered(vectors.map((v) => v.idx)),
      val: new Gathered(vectors.map((v) => v.val)),
      df: f.df,
      paperRows,
      titleBytes: titles.bytes,
      titleEnds: titles.ends,
      dayNames: days.names,
      dayIds: days.ids,
      catNameBytes: catNames.bytes,
      catNameEnds: catNames.ends,
      catEnds: cats.ends,
      catIds: cats.ids,
      authorNameBytes: authorNames.bytes,
      authorNameEnds: authorNames.ends,
      authorEnds: authors.ends,
      authorIds: authors.ids,
    },
  });
}

/** Reads, verifies and opens a For-you features file; an `IndexFileError` when it cannot be served. */
export async function readForYouFeaturesFile(file: string, expect: { checksum?: string; bytes?: number } = {}): Promise<ForYouFeatures> {
  const f = await readIndexFile(file, { kind: FOR_YOU_FEATURES_KIND, format: FOR_YOU_FEATURES_FORMAT, ...expect });
  const s = f.sections as Record<string, never>;
  const meta = f.meta as { dim: number; docs: number; through: { day: string; items: number }; indexDays: number };
  try {
    if (meta.dim !== FEATURE_DIM) throw new Error(`vectors of ${meta.dim} buckets, this Paperboy uses ${FEATURE_DIM}`);
    const ids: string[] = s.ids;
    const offsets: Uint32Array = s.offsets;
    const idx: Int32Array = s.idx;
    const val: Float32Array = s.val;
    if (offsets.length !== ids.length + 1 || offsets[0] !== 0 || offsets[ids.length] !== idx.length || val.length !== idx.length) throw new Error('vector offsets do not fit the vectors');
    // Kept packed, as the file holds them (`PackedVectors`): `FeatureIndex` makes a paper's views when asked.
    for (let i = 0; i < ids.length; i++) if (offsets[i + 1] < offsets[i]) throw new Error('vector offsets out of order');
    const rows: Uint32Array = s.paperRows;
    const titles = await decodeTexts(s.titleBytes, s.titleEnds, SLICE_MS);
    const dayNames: string[] = s.dayNames;
    const catNames = await decodeTexts(s.catNameBytes, s.catNameEnds, SLICE_MS);
    const authorNames = await decodeTexts(s.authorNameBytes, s.authorNameEnds, SLICE_MS);
    const lists = [s.dayIds, s.catEnds, s.authorEnds] as Uint32Array[];
    if (titles.length !== rows.length || (s.dayIds as Uint32Array).length !== rows.length || lists.slice(1).some((e) => e.length !== rows.length)) throw new Error('per-paper sections disagree on the number of papers');
    const papers = new Map<string, ForYouPaper>();
    const categoryLists = new Map<string, readonly string[]>();
    let since = performance.now();
    for (let i = 0; i < rows.length; i++) {
      if (rows[i] >= ids.length) throw new Error('a paper without a vector');
      const day = dayNames[(s.dayIds as Uint32Array)[i]];
      if (day === undefined) throw new Error('a name out of its dictionary');
      const categories = undictionary(catNames, s.catEnds, s.catIds, i, categoryLists);
      const authors = undictionary(authorNames, s.authorEnds, s.authorIds, i);
      papers.set(ids[rows[i]], { title: titles[i], categories, authors, day });
      if ((i & 255) === 255 && performance.now() - since >= SLICE_MS) {
        await yieldToLoop();
        since = performance.now();
      }
    }
    if (typeof meta.through?.day !== 'string' || !Number.isInteger(meta.through?.items) || !Number.isInteger(meta.docs) || !Number.isInteger(meta.indexDays)) throw new Error('no feed position');
    return { features: { ids, vectors: { offsets, idx, val }, df: s.df, docs: meta.docs }, papers, through: meta.through, indexDays: meta.indexDays };
  } catch (err) {
    // The checksum held, so this is a writer's bug or a hand-made file: still never served.
    throw new IndexFileError('header', `${file}: ${(err as Error).message}`);
  }
}

/**
 * The For-you features as published files: version rows named `for-you`, whose store position is
 * the newest feed day the file was built through (`modifiedAt`) and its number of items then (`id`).
 */
export const forYouFeaturesCodec: IndexCodec<ForYouFeatures> = {
  name: FOR_YOU_FEATURES_NAME,
  format: FOR_YOU_FEATURES_FORMAT,
  write: writeForYouFeaturesFile,
  read: readForYouFeaturesFile,
  describe: (snap) => ({ papers: snap.features.ids.length, cursor: { modifiedAt: snap.through.day, id: String(snap.through.items) } }),
};
