import { nextSlice as yieldToLoop } from '../slices.ts';
import { Gathered, IndexFileError, decodeTexts, encodeTexts, readIndexFile, writeIndexFile } from '../search/index-file.ts';
import type { IndexCodec } from '../search/published-index.ts';
import type { FeatureIndexParts, PackedVectors } from './feature-index.ts';
import { ForYouPapers, type ForYouPaper } from './for-you-papers.ts';
import type { StringTable } from '../search/string-table.ts';
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

export type { ForYouPaper };

export interface ForYouFeatures {
  features: FeatureIndexParts;
  /**
   * Per paper, in the order the service holds them (every one has a vector). Read from a file, a
   * `ForYouPapers` over its columns (no object per paper); a `Map` is written as well.
   */
  papers: ForYouPapers | ReadonlyMap<string, ForYouPaper>;
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

function unpacked(p: PackedVectors): SparseVector[] {
  return Array.from({ length: p.offsets.length - 1 }, (_, i) => ({ idx: p.idx.subarray(p.offsets[i], p.offsets[i + 1]), val: p.val.subarray(p.offsets[i], p.offsets[i + 1]) }));
}

export function writeForYouFeaturesFile(file: string, snap: ForYouFeatures): Promise<{ bytes: number; checksum: string }> {
  const f = snap.features;
  // A loaded file's ids are a table over its bytes (published again by `reindex` or a bench).
  const ids = Array.isArray(f.ids) ? (f.ids as string[]) : [...f.ids];
  const row = new Map(ids.map((id, i) => [id, i]));
  const offsets = new Uint32Array(ids.length + 1);
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
    meta: { dim: FEATURE_DIM, docs: f.docs, through: snap.through, indexDays: snap.indexDays, papers: ids.length },
    sections: {
      ids,
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

/**
 * Reads, verifies and opens a For-you features file; an `IndexFileError` when it cannot be served.
 * What the request thread does here is open typed-array views and check them: the file is read and
 * hashed, and the ids' look-up table built, in the reader thread; the papers stay in their columns
 * (`ForYouPapers`) and the vectors packed (`PackedVectors`) — no object or string per paper.
 */
export async function readForYouFeaturesFile(file: string, expect: { checksum?: string; bytes?: number } = {}): Promise<ForYouFeatures & { papers: ForYouPapers }> {
  const f = await readIndexFile(file, { kind: FOR_YOU_FEATURES_KIND, format: FOR_YOU_FEATURES_FORMAT, ...expect, tables: ['ids'] });
  const s = f.sections as Record<string, never>;
  const meta = f.meta as { dim: number; docs: number; through: { day: string; items: number }; indexDays: number };
  try {
    if (meta.dim !== FEATURE_DIM) throw new Error(`vectors of ${meta.dim} buckets, this Paperboy uses ${FEATURE_DIM}`);
    const ids: StringTable = s.ids;
    const offsets: Uint32Array = s.offsets;
    const idx: Int32Array = s.idx;
    const val: Float32Array = s.val;
    if (offsets.length !== ids.size + 1 || offsets[0] !== 0 || offsets[ids.size] !== idx.length || val.length !== idx.length) throw new Error('vector offsets do not fit the vectors');
    // Kept packed, as the file holds them (`PackedVectors`): `FeatureIndex` makes a paper's views when asked.
    let since = performance.now();
    for (let i = 0; i < ids.size; i++) {
      if (offsets[i + 1] < offsets[i]) throw new Error('vector offsets out of order');
      if ((i & 0xffff) === 0xffff && performance.now() - since >= SLICE_MS) {
        await yieldToLoop();
        since = performance.now();
      }
    }
    const papers = await ForYouPapers.open({
      ids,
      rows: s.paperRows,
      titleBytes: s.titleBytes,
      titleEnds: s.titleEnds,
      dayNames: s.dayNames,
      dayIds: s.dayIds,
      catNames: await decodeTexts(s.catNameBytes, s.catNameEnds, SLICE_MS),
      catEnds: s.catEnds,
      catIds: s.catIds,
      authorNameBytes: s.authorNameBytes,
      authorNameEnds: s.authorNameEnds,
      authorEnds: s.authorEnds,
      authorIds: s.authorIds,
    });
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
