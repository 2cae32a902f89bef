import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { forEachStore } from '../helpers/contract.ts';
import { openStore } from '../../src/store/index.ts';
import { makePaper } from '../helpers/papers.ts';

const paper = (id: string) => makePaper({ id });

const HANG = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/store/bulk-import-hang.ts');

/**
 * A first import on PostgreSQL sets the secondary indexes of `papers` aside and builds them once at
 * the end (PaperRepository.duringBulkImport). These tests pin that they always come back: after the
 * import, after a failed one, and after a process killed in the middle of one.
 */
forEachStore('bulk loads', (ctx) => {
  const db = () => ctx.opened.connection.db;
  const paperIndexes = async (): Promise<string[]> => {
    const rows =
      ctx.kind === 'postgres'
        ? (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'papers' and schemaname = current_schema()`.execute(db())).rows
        : (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'papers'`.execute(db())).rows;
    return rows.map((r) => r.name).sort();
  };
  let all: string[] = [];
  /** The feed's indexes and its foreign key to papers (PostgreSQL sets both aside too). */
  const feedSchema = async (): Promise<string[]> => {
    if (ctx.kind !== 'postgres') return [];
    const idx = await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'feed_entries' and schemaname = current_schema()`.execute(db());
    const fk = await sql<{ name: string }>`select conname as name from pg_constraint where conrelid = 'feed_entries'::regclass and contype = 'f'`.execute(db());
    return [...idx.rows, ...fk.rows].map((r) => r.name).sort();
  };
  let feedAll: string[] = [];

  test('a first import sets secondary indexes aside and builds them after', async () => {
    all = await paperIndexes();
    feedAll = await feedSchema();
    assert.ok(all.length >= 4, `papers has its indexes: ${all}`);
    let during: string[] = [];
    let feedDuring: string[] = [];
    await ctx.store.papers.duringBulkImport(async () => {
      during = await paperIndexes();
      feedDuring = await feedSchema();
      await ctx.store.papers.upsertMany([paper('2501.00001'), paper('2501.00002')]);
    });
    if (ctx.kind === 'postgres') {
      assert.deepEqual(during, ['papers_pkey'], 'only the primary key stays during a first import');
      // The feed's next-position look-up reads by its newest index: that one stays.
      assert.deepEqual(feedDuring, ['feed_entries_newest_idx', 'feed_entries_pkey'], "the feed's other secondary indexes and its foreign key are set aside too");
      assert.ok(feedAll.includes('feed_entries_paper_id_fkey') && feedAll.length >= 3, `the feed has its indexes and key: ${feedAll}`);
    } else assert.deepEqual(during, all, 'SQLite keeps its indexes');
    assert.deepEqual(await paperIndexes(), all);
    assert.deepEqual(await feedSchema(), feedAll);
    assert.equal((await db().selectFrom('bulk_load_indexes').selectAll().execute()).length, 0, 'nothing left to rebuild');
  });

  /** PostgreSQL: whether the trigger queuing new papers for the full-text index is there. */
  const queueTrigger = async () =>
    (await sql`select 1 from pg_trigger where tgrelid = 'papers'::regclass and tgname = 'papers_search_insert' and not tgisinternal`.execute(db())).rows.length === 1;
  const queued = async () => (await sql<{ paper_id: string }>`select paper_id from search_pending order by paper_id`.execute(db())).rows.map((r) => r.paper_id);
  const walk = async () => (await sql<{ after_id: string }>`select after_id from search_backfill`.execute(db())).rows.map((r) => r.after_id);
  const indexed = async () =>
    (await sql<{ paper_id: string; v: string }>`select paper_id, search_vector::text || ' | ' || coalesce(pdf_vector::text, '') as v from paper_search order by paper_id`.execute(db())).rows;

  test("a first import's papers reach the full-text index by a walk, not one queue row each", async () => {
    if (ctx.kind !== 'postgres') return; // SQLite's queue is a rowid watermark (migration 0402), tested with search.
    assert.deepEqual(await queued(), [], 'the import queued nothing');
    assert.deepEqual(await walk(), [''], 'a walk of every paper is open');
    assert.ok(await queueTrigger(), 'the queue trigger is back');
    assert.equal(await ctx.store.search.pendingFullText(), 2);
    assert.deepEqual((await ctx.store.search.drainFullTextQueue()).sort(), ['2501.00001', '2501.00002']);
    assert.deepEqual(await walk(), [], 'the walk closed');
    assert.equal(await ctx.store.search.pendingFullText(), 0);
    const vectors = await indexed();
    assert.deepEqual(
      vectors.map((r) => r.paper_id),
      ['2501.00001', '2501.00002'],
    );
    // The same vectors as a rebuild of the whole index writes.
    await ctx.store.search.rebuildFullText();
    assert.deepEqual(await indexed(), vectors);
    // After the import, new papers are queued by the trigger again.
    await ctx.store.papers.upsertMany([paper('2501.00003')]);
    assert.deepEqual(await queued(), ['2501.00003']);
    assert.deepEqual(await ctx.store.search.drainFullTextQueue(), ['2501.00003']);
  });

  test('the walk goes a batch at a time to the end, then closes', async () => {
    if (ctx.kind !== 'postgres') return;
    await db().deleteFrom('papers').execute();
    await ctx.store.papers.duringBulkImport(async () => {
      assert.equal(await queueTrigger(), false, 'the queue trigger is set aside during a first import');
      await ctx.store.papers.upsertMany(['2501.00101', '2501.00103', '2501.00105', '2501.00107', '2501.00109'].map(paper));
    });
    assert.deepEqual(await queued(), []);
    // Three papers a statement: two batches, then the statement that finds none and closes the walk.
    assert.deepEqual((await ctx.store.search.drainFullTextQueue(3)).sort(), ['2501.00101', '2501.00103', '2501.00105', '2501.00107', '2501.00109']);
    assert.deepEqual(await walk(), [], 'walked to the end and closed');
    assert.deepEqual(
      (await indexed()).map((r) => r.paper_id),
      ['2501.00101', '2501.00103', '2501.00105', '2501.00107', '2501.00109'],
    );
  });

  test('a walk goes on from its cursor, and a paper written below the cursor meanwhile is queued', async () => {
    if (ctx.kind !== 'postgres') return;
    await sql`delete from paper_search`.execute(db());
    await sql`insert into search_backfill(name, after_id) values ('papers', '2501.00103')`.execute(db());
    await ctx.store.papers.upsertMany([paper('2501.00102')]);
    assert.deepEqual(await queued(), ['2501.00102']);
    assert.equal(await ctx.store.search.pendingFullText(), 4);
    assert.deepEqual((await ctx.store.search.drainFullTextQueue(2)).sort(), ['2501.00102', '2501.00105', '2501.00107', '2501.00109']);
    assert.deepEqual(
      (await indexed()).map((r) => r.paper_id),
      ['2501.00102', '2501.00105', '2501.00107', '2501.00109'],
      'the queued paper and those past the cursor',
    );
    assert.deepEqual(await walk(), []);
    assert.deepEqual(await queued(), []);
  });

  test("with no walk open, the drain before each search reads no key of papers", async () => {
    if (ctx.kind !== 'postgres' || !ctx.opened.location) return; // PGlite: no second connection to explain on.
    // The drain's statement as the store sends it, explained (and rolled back) on a connection of our own.
    let drain: { text: string; values: unknown[] } | null = null;
    const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
    pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
      // A string and its values, or a config object (prepared statements: src/store/pg-prepared.ts).
      const [q, v] = typeof a[0] === 'string' ? [a[0], a[1]] : [(a[0] as { text?: string })?.text, (a[0] as { values?: unknown[] })?.values ?? a[1]];
      if (typeof q === 'string' && q.includes('search_backfill') && q.includes('walked')) drain = { text: q, values: (v as unknown[]) ?? [] };
      return query.apply(this, a);
    } as typeof pg.Client.prototype.query;
    try {
      await ctx.store.search.drainFullTextQueue();
    } finally {
      pg.Client.prototype.query = query as typeof pg.Client.prototype.query;
    }
    assert.ok(drain, 'the drain statement was seen');
    const { text, values } = drain as { text: string; values: unknown[] };
    const keysRead = async () => {
      const client = new pg.Client({ connectionString: ctx.opened.location });
      await client.connect();
      try {
        await client.query('begin');
        const r = await client.query(`explain (analyze, format json) ${text}`, values);
        await client.query('rollback');
        let rows = 0;
        const visit = (node: Record<string, unknown>) => {
          if (node['Relation Name'] === 'papers' || node['Index Name'] === 'papers_pkey') rows += Number(node['Actual Rows'] ?? 0) * Number(node['Actual Loops'] ?? 1);
          for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
        };
        visit((r.rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0].Plan);
        return rows;
      } finally {
        await client.end();
      }
    };
    // A store the size of a real one, with its statistics: the plan the server picks depends on both.
    await sql`insert into papers (id, source, title, abstract, authors, categories, content_hash, created_at, modified_at)
      select 'x' || lpad(i::text, 6, '0'), 'local', 't', 'a', '[]', '[]', 'h', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'
      from generate_series(1, 50000) i`.execute(db());
    await sql`analyze papers`.execute(db());
    try {
      // Nothing queued either: the statement then has no paper to read for the queue's part.
      await sql`delete from search_pending`.execute(db());
      assert.deepEqual(await walk(), []);
      assert.equal(await keysRead(), 0, 'no walk open: no paper read');
      await sql`insert into search_backfill(name, after_id) values ('papers', '')`.execute(db());
      assert.ok((await keysRead()) >= 5, 'a walk open reads papers past its cursor');
    } finally {
      await sql`delete from search_backfill`.execute(db());
      await sql`delete from search_pending where paper_id like 'x%'`.execute(db());
      await sql`delete from papers where id like 'x%'`.execute(db());
    }
  });

  test('an import that fails still gets its indexes back', async () => {
    await db().deleteFrom('papers').execute();
    await assert.rejects(
      ctx.store.papers.duringBulkImport(async () => {
        throw new Error('disk on fire');
      }),
      /disk on fire/,
    );
    assert.deepEqual(await paperIndexes(), all);
  });

  test('a process killed mid-import leaves its indexes to the next open of the store', { timeout: 60_000 }, async () => {
    if (!ctx.opened.location) return; // PGlite runs in this process: nothing to kill.
    await db().deleteFrom('papers').execute();
    const child = spawn(process.execPath, ['--import', 'tsx', HANG, ctx.opened.location], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'silent' } });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('inside') && resolve());
      child.on('exit', (code) => reject(new Error(`the importer exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    if (ctx.kind === 'postgres') {
      assert.deepEqual(await paperIndexes(), ['papers_pkey'], 'the kill left the indexes set aside');
      assert.equal(await queueTrigger(), false, 'and the queue trigger');
      await sql`delete from search_backfill`.execute(db());
    }
    const reopened = await openStore(ctx.opened.location, { poolSize: 1 });
    await reopened.close();
    if (ctx.kind === 'postgres') {
      assert.ok(await queueTrigger(), 'the next open brought the queue trigger back');
      assert.deepEqual(await walk(), [''], 'with a walk of every paper for the catch-up');
    }
    assert.deepEqual(await paperIndexes(), all, 'the next open rebuilt them');
    assert.deepEqual(await feedSchema(), feedAll, "and the feed's indexes and foreign key");
    assert.equal((await db().selectFrom('bulk_load_indexes').selectAll().execute()).length, 0);
  });

  test("the feed's foreign key comes back over a feed whose paper went while it was set aside", async () => {
    if (ctx.kind !== 'postgres') return;
    await db().deleteFrom('papers').execute();
    await ctx.store.papers.duringBulkImport(async () => {
      await ctx.store.papers.upsertMany([paper('2501.00010'), paper('2501.00011')]);
      await ctx.store.feed.addMany([{ paperId: '2501.00010', day: '2025-01-01', isNew: true }, { paperId: '2501.00011', day: '2025-01-01', isNew: true }]);
      // Without the key, deleting a paper leaves its feed row behind…
      await db().deleteFrom('papers').where('id', '=', '2501.00011').execute();
    });
    // …which goes, as the cascade would have done, so the key can be added back.
    assert.deepEqual(await feedSchema(), feedAll);
    assert.ok(await ctx.store.feed.entryFor('2501.00010'));
    assert.equal(await ctx.store.feed.entryFor('2501.00011'), null);
  });

  /** The feed's foreign key as `setIndexesAsideForFirstImport` records it. */
  const feedKeyDefinition = async () =>
    (
      await sql<{ definition: string }>`select 'ALTER TABLE feed_entries ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) as definition
        from pg_constraint where conrelid = 'feed_entries'::regclass and conname = 'feed_entries_paper_id_fkey'`.execute(db())
    ).rows[0].definition;
  const feedKeyValid = async () =>
    (await sql<{ valid: boolean }>`select convalidated as valid from pg_constraint where conrelid = 'feed_entries'::regclass and conname = 'feed_entries_paper_id_fkey'`.execute(db())).rows[0]?.valid ?? null;

  test("the feed's key is validated beside the index builds, not after them", { timeout: 120_000 }, async () => {
    if (ctx.kind !== 'postgres' || !ctx.opened.location) return; // PGlite has one connection: nothing runs beside anything.
    await db().deleteFrom('papers').execute();
    await ctx.store.papers.upsertMany([paper('2501.00020')]);
    await ctx.store.feed.addMany([{ paperId: '2501.00020', day: '2025-01-02', isNew: true }]);
    const definition = await feedKeyDefinition();
    // A set-aside index whose build waits for a lock this test holds (its predicate takes it).
    await sql`create or replace function bulk_load_test_gate(t text) returns boolean language plpgsql immutable as $$
        begin perform pg_advisory_xact_lock_shared(424242); return t is not null; end $$`.execute(db());
    await sql`alter table feed_entries drop constraint feed_entries_paper_id_fkey`.execute(db());
    await db()
      .insertInto('bulk_load_indexes')
      .values([
        { name: 'feed_entries_paper_id_fkey', definition },
        { name: 'papers_gated_idx', definition: 'CREATE INDEX papers_gated_idx ON papers USING btree (id) WHERE bulk_load_test_gate(id)' },
      ])
      .execute();
    const gate = new pg.Client({ connectionString: ctx.opened.location });
    await gate.connect();
    let restoring: Promise<string[]> | null = null;
    try {
      await gate.query('select pg_advisory_lock(424242)');
      restoring = ctx.store.papers.restoreSetAsideIndexes();
      restoring.catch(() => {});
      // Polled, not timed: the key must become valid while the build still waits at the gate.
      let valid = false;
      for (let i = 0; i < 600 && !valid; i++) {
        valid = (await feedKeyValid()) === true;
        if (!valid) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(valid, "the feed's key was validated while an index build was still under way");
      assert.ok(!(await paperIndexes()).includes('papers_gated_idx'), 'the gated build had not finished');
    } finally {
      await gate.query('select pg_advisory_unlock(424242)');
      await gate.end();
      await restoring;
    }
    assert.ok((await paperIndexes()).includes('papers_gated_idx'));
    assert.equal((await db().selectFrom('bulk_load_indexes').selectAll().execute()).length, 0);
    await sql`drop index papers_gated_idx`.execute(db());
    await sql`drop function bulk_load_test_gate(text)`.execute(db());
    assert.deepEqual(await feedSchema(), feedAll);
  });

  test("a feed key a killed process left NOT VALID is validated at the next restore", async () => {
    if (ctx.kind !== 'postgres') return;
    await db().deleteFrom('papers').execute();
    await ctx.store.papers.upsertMany([paper('2501.00030')]);
    await ctx.store.feed.addMany([{ paperId: '2501.00030', day: '2025-01-03', isNew: true }]);
    const definition = await feedKeyDefinition();
    // As a process killed between adding the key back and validating it leaves things.
    await sql`alter table feed_entries drop constraint feed_entries_paper_id_fkey`.execute(db());
    await sql.raw(`${definition} NOT VALID`).execute(db());
    await db().insertInto('bulk_load_indexes').values({ name: 'feed_entries_paper_id_fkey', definition }).execute();
    assert.equal(await feedKeyValid(), false);
    await ctx.store.papers.restoreSetAsideIndexes();
    assert.equal(await feedKeyValid(), true, 'validated');
    assert.equal((await db().selectFrom('bulk_load_indexes').selectAll().execute()).length, 0);
  });

  test('a table already holding papers keeps its indexes', async () => {
    await ctx.store.papers.upsertMany(Array.from({ length: 1000 }, (_, i) => paper(`2502.${String(i).padStart(5, '0')}`)));
    let during: string[] = [];
    await ctx.store.papers.duringBulkImport(async () => {
      during = await paperIndexes();
    });
    assert.deepEqual(during, all);
  });
});
