import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, SearchIndexVersionsTable } from './schema.ts';

/** One published version of a search index file (migration 1400). */
export interface IndexVersion {
  name: string;
  version: number;
  format: number;
  checksum: string;
  bytes: number;
  papers: number;
  cursor: { modifiedAt: string; id: string };
  /** Its bytes are in the store (`chunks`), not only in the shared index directory. */
  stored: boolean;
  publishedAt: string;
  /**
   * Where the papers stood before it was built (`PaperRepository.changeMark().papers`, SQLite), when
   * its codec records one: a loader whose store shows the same mark has no papers to scan for.
   */
  papersMark?: string | null;
}

/** Published search index versions and their bytes; the version row is what servers poll. */
export class SearchIndexFileRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The newest published version of `name`, or null. */
  async latest(name: string): Promise<IndexVersion | null> {
    const r = await this.db.selectFrom('search_index_versions').selectAll().where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return r ? toVersion(r) : null;
  }

  /** The newest published version of every index whose name starts with `prefix` (`ann:`), newest publication first. */
  async latestOfEach(prefix: string): Promise<IndexVersion[]> {
    const pattern = `${prefix.replace(/[!%_]/g, (ch) => '!' + ch)}%`;
    const rows = await this.db
      .selectFrom('search_index_versions as v')
      .selectAll('v')
      .where(sql<boolean>`v.name like ${pattern} escape '!'`)
      .where((eb) => eb('v.version', '=', eb.selectFrom('search_index_versions as w').select((w) => w.fn.max('w.version').as('m')).whereRef('w.name', '=', 'v.name')))
      .orderBy('v.published_at', 'desc')
      .orderBy('v.name')
      .execute();
    return rows.map(toVersion);
  }

  /** The version number the next publication of `name` takes. */
  async nextVersion(name: string): Promise<number> {
    const r = await this.db.selectFrom('search_index_versions').select((eb) => eb.fn.max('version').as('v')).where('name', '=', name).executeTakeFirst();
    return Number(r?.v ?? 0) + 1;
  }

  /** Stores one chunk of a version's bytes (before its version row is published). */
  async putChunk(name: string, version: number, seq: number, data: Uint8Array): Promise<void> {
    await this.db.insertInto('search_index_chunks').values({ name, version, seq, data }).execute();
  }

  /** Chunk `seq` of a version, or null past the last. */
  async chunk(name: string, version: number, seq: number): Promise<Uint8Array | null> {
    const r = await this.db.selectFrom('search_index_chunks').select('data').where('name', '=', name).where('version', '=', version).where('seq', '=', seq).executeTakeFirst();
    return r ? r.data : null;
  }

  /**
   * Makes a version visible to every server (the row they poll). Fails when another process
   * published the same version number first (the primary key), so two publications never mix.
   */
  async publish(v: Omit<IndexVersion, 'publishedAt'>, now = new Date().toISOString()): Promise<void> {
    await this.db
      .insertInto('search_index_versions')
      .values({
        name: v.name,
        version: v.version,
        format: v.format,
        checksum: v.checksum,
        bytes: v.bytes,
        papers: v.papers,
        cursor_modified_at: v.cursor.modifiedAt,
        cursor_id: v.cursor.id,
        stored: v.stored ? 1 : 0,
        published_at: now,
        papers_mark: v.papersMark ?? null,
      })
      .execute();
  }

  /** Drops the rows and bytes of versions of `name` older than `keepFrom` (servers still on one finish with the file they read). */
  async prune(name: string, keepFrom: number): Promise<void> {
    await this.db.deleteFrom('search_index_chunks').where('name', '=', name).where('version', '<', keepFrom).execute();
    await this.db.deleteFrom('search_index_versions').where('name', '=', name).where('version', '<', keepFrom).execute();
  }

  /** Drops every version of `name`, rows and bytes (an index no server is to load again). */
  async dropAll(name: string): Promise<void> {
    await this.db.deleteFrom('search_index_chunks').where('name', '=', name).execute();
    await this.db.deleteFrom('search_index_versions').where('name', '=', name).execute();
  }

  /** Drops the chunks of an unpublished version (a publication that failed half-way). */
  async dropChunks(name: string, version: number): Promise<void> {
    await this.db.deleteFrom('search_index_chunks').where('name', '=', name).where('version', '=', version).execute();
  }
}

function toVersion(r: Selectable<SearchIndexVersionsTable>): IndexVersion {
  return {
    name: r.name,
    version: Number(r.version),
    format: Number(r.format),
    checksum: r.checksum,
    bytes: Number(r.bytes),
    papers: Number(r.papers),
    cursor: { modifiedAt: r.cursor_modified_at, id: r.cursor_id },
    stored: Number(r.stored) === 1,
    publishedAt: r.published_at,
    papersMark: r.papers_mark ?? null,
  };
}
