import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { textIn } from './dialect.ts';
import { visiblePaper } from './visibility.ts';

/** One paper's similar papers as computed: ids and scores, best first. */
export type SimilarList = { id: string; score: number }[];

/**
 * Each paper's similar papers as computed (migration 1900). What is stored is the computation's
 * output, not what a reader may see: the service applies the visible-paper rule to the listed
 * papers when it reads a list (`papers.visibleMany`), so a paper hidden after its neighbours' lists
 * were written never shows.
 */
export class SimilarListRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The paper's current content hash and its stored list under `embedderId` when that list was
   * computed from this text (null otherwise: none yet, or the text changed since). Null when there is no such paper.
   */
  async get(embedderId: string, paperId: string): Promise<{ contentHash: string; list: SimilarList | null } | null> {
    const row = await this.db
      .selectFrom('papers as p')
      .leftJoin('paper_similar_lists as l', (j) => j.onRef('l.paper_id', '=', 'p.id').on('l.embedder_id', '=', embedderId))
      .select(['p.content_hash as hash', 'l.content_hash as listHash', 'l.list'])
      .where('p.id', '=', paperId)
      .executeTakeFirst();
    if (!row) return null;
    return { contentHash: row.hash, list: row.list !== null && row.listHash === row.hash ? parseList(row.list) : null };
  }

  /**
   * The stored lists under `embedderId` of those of `paperIds` whose list was computed from their
   * current text (as `get` says of each), in one statement: the background job reads back the lists
   * it just wrote for a whole chunk at once.
   */
  async currentLists(embedderId: string, paperIds: readonly string[]): Promise<Map<string, SimilarList>> {
    if (!paperIds.length) return new Map();
    const rows = await this.db
      .selectFrom('paper_similar_lists as l')
      .innerJoin('papers as p', (j) => j.onRef('p.id', '=', 'l.paper_id').onRef('p.content_hash', '=', 'l.content_hash'))
      .select(['l.paper_id as id', 'l.list'])
      .where('l.embedder_id', '=', embedderId)
      .where(textIn(this.db, 'l.paper_id', [...new Set(paperIds)]))
      .execute();
    return new Map(rows.map((r) => [r.id, parseList(r.list)]));
  }

  /** Stores (or replaces) lists, each with the content hash of the text it was computed from. */
  async save(embedderId: string, rows: readonly { paperId: string; contentHash: string; list: SimilarList }[], now = new Date().toISOString()): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      const values = rows.slice(i, i + 500).map((r) => ({ paper_id: r.paperId, embedder_id: embedderId, content_hash: r.contentHash, list: JSON.stringify(r.list.map((h) => [h.id, h.score])), computed_at: now }));
      await this.db
        .insertInto('paper_similar_lists')
        .values(values)
        .onConflict((oc) => oc.columns(['embedder_id', 'paper_id']).doUpdateSet((eb) => ({ content_hash: eb.ref('excluded.content_hash'), list: eb.ref('excluded.list'), computed_at: eb.ref('excluded.computed_at') })))
        .execute();
    }
  }

  /** The current content hashes of the visible papers among `ids` (a list is computed for visible papers only). */
  async contentHashes(ids: readonly string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.db.selectFrom('papers as p').select(['p.id', 'p.content_hash']).where(textIn(this.db, 'p.id', [...new Set(ids)])).where(visiblePaper('p')).execute();
    return new Map(rows.map((r) => [r.id, r.content_hash]));
  }

  /**
   * Up to `limit` visible papers with a vector under `embedderId` and no list of their current text
   * (new papers once embedded, papers whose text changed): the background job's work, by id.
   */
  async missing(embedderId: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('paper_embeddings as e')
      .innerJoin('papers as p', 'p.id', 'e.paper_id')
      .leftJoin('paper_similar_lists as l', (j) => j.onRef('l.paper_id', '=', 'e.paper_id').onRef('l.embedder_id', '=', 'e.embedder_id').onRef('l.content_hash', '=', 'p.content_hash'))
      .select('e.paper_id')
      .where('e.embedder_id', '=', embedderId)
      .where('l.paper_id', 'is', null)
      .where(visiblePaper('p'))
      .orderBy('e.paper_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.paper_id);
  }

  /** Up to `limit` papers whose lists were computed before `before`, oldest first: the background refresh (papers embedded since may belong in them). */
  async olderThan(embedderId: string, before: string, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('paper_similar_lists').select('paper_id').where('embedder_id', '=', embedderId).where('computed_at', '<', before).orderBy('computed_at').orderBy('paper_id').limit(limit).execute();
    return rows.map((r) => r.paper_id);
  }

  async count(embedderId: string): Promise<number> {
    const r = await this.db.selectFrom('paper_similar_lists').select((eb) => eb.fn.countAll<number>().as('n')).where('embedder_id', '=', embedderId).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

function parseList(json: string): SimilarList {
  return (JSON.parse(json) as [string, number][]).map(([id, score]) => ({ id, score }));
}
