import type { Kysely, Selectable } from 'kysely';
import type { Database, EmbeddingSpacesTable } from './schema.ts';

/** Where a space's model comes from, so its queries can be embedded while it still serves. */
export interface SpaceSource {
  provider?: string;
  model?: string;
}

export interface EmbeddingSpace {
  embedderId: string;
  dimensions: number;
  source: SpaceSource;
  createdAt: string;
  papersDone: number;
  papersTotal: number;
  progressAt: string | null;
  /** When its vectors first covered the corpus; null while it is still being embedded. */
  completeAt: string | null;
}

/** A vector whose size differs from its space's: the two cannot be compared, and are never stored together. */
export class EmbeddingSpaceMismatch extends Error {
  override name = 'EmbeddingSpaceMismatch';
}

function toSpace(r: Selectable<EmbeddingSpacesTable>): EmbeddingSpace {
  let source: SpaceSource = {};
  try {
    source = JSON.parse(r.source) as SpaceSource;
  } catch {
    // an unreadable source only means its queries cannot be embedded again
  }
  return {
    embedderId: r.embedder_id,
    dimensions: Number(r.dimensions),
    source,
    createdAt: r.created_at,
    papersDone: Number(r.papers_done),
    papersTotal: Number(r.papers_total),
    progressAt: r.progress_at,
    completeAt: r.complete_at,
  };
}

export function mismatchMessage(embedderId: string, stored: number, got: number): string {
  return (
    `vectors of ${got} dimensions for embedding space ${embedderId}, whose stored vectors have ${stored}: ` +
    'they are not comparable and are never mixed. Run `paperboy reindex --reembed` to embed every paper again with this model.'
  );
}

/** Embedding spaces (migration 0460): one per embedder id, with its dimensions and re-embedding progress. */
export class EmbeddingSpaceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(embedderId: string): Promise<EmbeddingSpace | null> {
    const r = await this.db.selectFrom('embedding_spaces').selectAll().where('embedder_id', '=', embedderId).executeTakeFirst();
    return r ? toSpace(r) : null;
  }

  /** Newest first. */
  async list(): Promise<EmbeddingSpace[]> {
    const rows = await this.db.selectFrom('embedding_spaces').selectAll().orderBy('created_at', 'desc').orderBy('embedder_id').execute();
    return rows.map(toSpace);
  }

  /**
   * Registers the space on first use; after that, its dimensions are fixed: another size under the
   * same id is an EmbeddingSpaceMismatch. Fills in the source when it was not known.
   */
  async ensure(embedderId: string, dimensions: number, source: SpaceSource = {}, now = new Date().toISOString()): Promise<EmbeddingSpace> {
    await this.db
      .insertInto('embedding_spaces')
      .values({ embedder_id: embedderId, dimensions, source: JSON.stringify(source), created_at: now })
      .onConflict((oc) => oc.column('embedder_id').doNothing())
      .execute();
    const space = (await this.get(embedderId))!;
    if (space.dimensions !== dimensions) throw new EmbeddingSpaceMismatch(mismatchMessage(embedderId, space.dimensions, dimensions));
    if (source.provider && !space.source.provider) {
      await this.db.updateTable('embedding_spaces').set({ source: JSON.stringify(source) }).where('embedder_id', '=', embedderId).execute();
      space.source = source;
    }
    return space;
  }

  async recordProgress(embedderId: string, done: number, total: number, now = new Date().toISOString()): Promise<void> {
    await this.db.updateTable('embedding_spaces').set({ papers_done: done, papers_total: total, progress_at: now }).where('embedder_id', '=', embedderId).execute();
  }

  /** The space covers the corpus: from now on search may serve from it. Only the first time counts. */
  async markComplete(embedderId: string, now = new Date().toISOString()): Promise<void> {
    await this.db.updateTable('embedding_spaces').set({ complete_at: now }).where('embedder_id', '=', embedderId).where('complete_at', 'is', null).execute();
  }

  /** Forgets a space and its vectors (`paperboy reindex --reembed`). */
  async delete(embedderId: string): Promise<void> {
    await this.db.deleteFrom('embedding_spaces').where('embedder_id', '=', embedderId).execute();
  }
}
