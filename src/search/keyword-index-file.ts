import { DocMetaTable } from './doc-meta.ts';
import { IndexFileError, decodeLinesSliced, readIndexFile, writeIndexFile } from './index-file.ts';
import { InvertedIndex, type Bm25Options, type FieldStats } from './inverted-index.ts';
import type { StringTable } from './string-table.ts';

/**
 * The keyword index as a file (`index-file.ts` layout, kind `keyword-index`): the BM25F posting
 * lists as Uint32Array / Float32Array blobs (read back as views, not decoded; their impacts include
 * the PDF text field's, whose document frequencies are a section of their own), the vocabulary, the
 * paper id of each document number, the spelling lexicon, the filters' categories and days, and
 * the store position the index was built at (`cursor`: papers modified after it are the delta a
 * loading server indexes in memory).
 */
export const KEYWORD_INDEX_KIND = 'keyword-index';
/**
 * 2: the keyword index carries the PDF text field (its document frequencies, `pdfDfs`, and its
 * statistics; impacts include it). A format-1 file is rejected ('version') and rebuilt from the store.
 */
export const KEYWORD_INDEX_FORMAT = 2;

export interface StoreCursor {
  modifiedAt: string;
  id: string;
}

export interface KeywordIndexSnapshot {
  index: InvertedIndex;
  meta: DocMetaTable;
  cursor: StoreCursor;
  /**
   * Where the papers stood before the build read its first page (`PaperRepository.changeMark().papers`,
   * SQLite): recorded in the version row, not the file; a loader whose store shows the same mark
   * skips its scan for papers modified since. Absent when read from a file.
   */
  papersMark?: string | null;
}

export function writeKeywordIndexFile(file: string, snap: KeywordIndexSnapshot): Promise<{ bytes: number; checksum: string }> {
  const p = snap.index.toParts();
  const m = snap.meta.toParts();
  if (m.published.length !== p.ids.length) throw new Error('the filters table and the index disagree on the number of papers');
  return writeIndexFile(file, {
    kind: KEYWORD_INDEX_KIND,
    format: KEYWORD_INDEX_FORMAT,
    meta: { options: p.options, stats: p.stats, cursor: snap.cursor, papers: p.ids.length },
    sections: {
      terms: p.terms,
      offsets: p.offsets,
      dfs: p.dfs,
      pdfDfs: p.pdfDfs,
      maxImpact: p.maxImpact,
      postDocs: p.postDocs,
      postImpacts: p.postImpacts,
      ids: p.ids,
      lexiconWords: p.lexiconWords,
      lexiconDfs: p.lexiconDfs,
      categoryNames: m.categoryNames,
      catOffsets: m.catOffsets,
      catIds: m.catIds,
      published: m.published,
    },
  });
}

/** Reads, verifies and opens a keyword index file; an `IndexFileError` when it cannot be served. */
export async function readKeywordIndexFile(file: string, expect: { checksum?: string; bytes?: number } = {}): Promise<KeywordIndexSnapshot & { checksum: string; bytes: number }> {
  // The vocabulary stays the file's bytes with a hash table over them, built in the reader thread.
  // So do the paper ids: a table for the id → document look-up, and decoded once as the list of ids.
  const f = await readIndexFile(file, { kind: KEYWORD_INDEX_KIND, format: KEYWORD_INDEX_FORMAT, ...expect, tables: ['terms', 'ids'] });
  const s = f.sections as Record<string, never>;
  const meta = f.meta as { options: Bm25Options; stats: FieldStats; cursor: StoreCursor };
  try {
    const idTable: StringTable = s.ids;
    const ids = idTable.size ? await decodeLinesSliced(Buffer.from(idTable.bytes.buffer, idTable.bytes.byteOffset, idTable.bytes.byteLength), 0, idTable.bytes.byteLength) : [];
    const index = await InvertedIndex.fromPartsSliced({
      options: meta.options,
      stats: meta.stats,
      terms: s.terms,
      offsets: s.offsets,
      dfs: s.dfs,
      pdfDfs: s.pdfDfs,
      maxImpact: s.maxImpact,
      postDocs: s.postDocs,
      postImpacts: s.postImpacts,
      ids,
      idTable,
      lexiconWords: s.lexiconWords,
      lexiconDfs: s.lexiconDfs,
    });
    const table = new DocMetaTable({ categoryNames: s.categoryNames, catOffsets: s.catOffsets, catIds: s.catIds, published: s.published });
    if (table.size !== index.mainSize) throw new Error('the filters table and the index disagree on the number of papers');
    if (typeof meta.cursor?.modifiedAt !== 'string' || typeof meta.cursor?.id !== 'string') throw new Error('no store position');
    return { index, meta: table, cursor: meta.cursor, checksum: f.checksum, bytes: f.bytes };
  } catch (err) {
    // The checksum held, so this is a writer's bug or a hand-made file: still never served.
    throw new IndexFileError('header', `${file}: ${(err as Error).message}`);
  }
}
