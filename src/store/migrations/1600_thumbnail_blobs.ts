import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/**
 * Thumbnails per paper (issue 17). `paper_thumbnails` was keyed by the hash of the image's bytes
 * alone, one row holding both the bytes and the paper they belong to: a second paper whose first
 * page renders to the same bytes (withdrawn-paper placeholders, a paper posted twice) lost its row
 * to the first one's (`on conflict do nothing`) and showed no thumbnail; and the image went with
 * the first paper (re-rendered, hidden or deleted) though the second still pointed at it.
 *
 * Now the bytes are stored once per hash in `thumbnail_blobs`, and `paper_thumbnails` links each
 * paper's card and page sizes to a hash, one row per paper and size. The link keeps the image's
 * type and size, so feed pages read no blob table. Existing rows are split as they are; a paper that
 * lost its thumbnail to the old key has its PDF step due again (its state row goes), so the next
 * enrichment run renders it once more.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const blob = dialectOf(db) === 'sqlite' ? 'blob' : 'bytea';
  await db.schema
    .createTable('thumbnail_blobs')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('data', blob, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into thumbnail_blobs (hash, data, created_at) select hash, data, created_at from paper_thumbnails`.execute(db);
  await db.schema
    .createTable('paper_thumbnail_links')
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('size', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().references('thumbnail_blobs.hash'))
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_thumbnails_pk', ['paper_id', 'size'])
    .execute();
  // One row per paper and size: the old table allowed more only through a bug of its own; the newest wins.
  await sql`insert into paper_thumbnail_links (paper_id, size, hash, mime, width, height, created_at)
    select t.paper_id, t.size, t.hash, t.mime, t.width, t.height, t.created_at from paper_thumbnails t
    where not exists (select 1 from paper_thumbnails n where n.paper_id = t.paper_id and n.size = t.size and (n.created_at > t.created_at or (n.created_at = t.created_at and n.hash > t.hash)))`.execute(db);
  // Papers whose PDF step is done with text kept but no thumbnail: the ones the old key robbed (or
  // whose PDF rendered none, which one more try costs a fetch). Their PDF step is due again.
  await sql`delete from enrichment_state where step = 'pdf' and status = 'done'
    and paper_id in (select paper_id from paper_pdf_text)
    and paper_id not in (select paper_id from paper_thumbnails)`.execute(db);
  await db.schema.dropTable('paper_thumbnails').execute();
  await db.schema.alterTable('paper_thumbnail_links').renameTo('paper_thumbnails').execute();
  // The image route finds a hash's papers (is one of them visible?); an old blob's remaining links.
  await db.schema.createIndex('paper_thumbnails_hash').on('paper_thumbnails').column('hash').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const blob = dialectOf(db) === 'sqlite' ? 'blob' : 'bytea';
  await db.schema
    .createTable('paper_thumbnails_old')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('paper_id', 'text', (c) => c.notNull().references('papers.id').onDelete('cascade'))
    .addColumn('size', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('data', blob, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // The old key holds a hash once: the first paper of each shared image keeps it.
  await sql`insert into paper_thumbnails_old (hash, paper_id, size, mime, width, height, data, created_at)
    select l.hash, l.paper_id, l.size, l.mime, l.width, l.height, b.data, l.created_at from paper_thumbnails l join thumbnail_blobs b on b.hash = l.hash
    where not exists (select 1 from paper_thumbnails o where o.hash = l.hash and o.paper_id < l.paper_id)`.execute(db);
  await db.schema.dropTable('paper_thumbnails').execute();
  await db.schema.dropTable('thumbnail_blobs').execute();
  await db.schema.alterTable('paper_thumbnails_old').renameTo('paper_thumbnails').execute();
  await db.schema.createIndex('paper_thumbnails_paper').on('paper_thumbnails').columns(['paper_id', 'size']).execute();
}
