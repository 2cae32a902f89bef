/**
 * The bytes a first PostgreSQL import writes: write-ahead log (`pg_current_wal_lsn()` before and
 * after, split at the set-aside indexes' rebuild, and `pg_stat_wal`'s records and full-page images)
 * and what each relation holds afterwards (heap, TOAST, every index), beside the corpus's own
 * size, and the average stored width of each column of `papers`. Bytes do not depend on the
 * machine's load, so two variants can be compared with one run each.
 *
 * WAL counters are the server's, not the database's: point this at a server no one else writes to
 * (e.g. a private cluster: initdb, then pg_ctl start -o '-p 5499'), or the figures include their WAL.
 *
 *   npx tsx bench/import/pg-bytes.ts postgres://postgres@127.0.0.1:5499/postgres /work/shared/data/arxiv-listings [--checkpoint] [--catch-up]
 *
 * --catch-up then runs the full-text catch-up (as `paperboy import` does after the import) and
 * reports its time, its write-ahead log and a checksum of the full-text rows it wrote.
 * --checkpoint runs CHECKPOINT before the import (superuser), so every full-page image counted is
 * the import's own first touch of a page after a checkpoint.
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { Importer, emptySummary, importInputs } from '../../src/ingest/importer.ts';
import { PaperRepository } from '../../src/store/papers.ts';
import { openStore } from '../../src/store/index.ts';

const args = process.argv.slice(2);
const [adminUrl, corpus] = args.filter((a) => !a.startsWith('--'));
if (!adminUrl || !corpus) {
  console.error('usage: npx tsx bench/import/pg-bytes.ts <admin-url> <corpus-dir> [--checkpoint] [--catch-up]');
  process.exit(2);
}
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
const dbName = `paperboy_bytes_${process.pid}`;
await admin.query(`create database ${dbName}`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;

const lsn = async () => (await admin.query(`select pg_current_wal_lsn()::text as l`)).rows[0].l as string;
const walDiff = async (a: string, b: string) => Number((await admin.query(`select pg_wal_lsn_diff($2, $1)::bigint as d`, [a, b])).rows[0].d);
const walStats = async () =>
  (
    await admin.query(
      `select wal_records::bigint as records, wal_fpi::bigint as fpi, wal_bytes::bigint as bytes,
        (select buffers_backend from pg_stat_bgwriter)::bigint as backend_writes,
        (select temp_bytes from pg_stat_database where datname = $1)::bigint as temp_bytes,
        (select temp_files from pg_stat_database where datname = $1)::bigint as temp_files
       from pg_stat_wal`,
      [dbName],
    )
  ).rows[0];

const corpusBytes = importInputs(corpus).reduce((n, f) => n + fs.statSync(f).size, 0);
try {
  const opened = await openStore(url.toString());
  const importer = new Importer(opened.store, { workers: Number(process.env.WORKERS ?? 2) });
  if (args.includes('--checkpoint')) await admin.query('checkpoint');
  const marks: [string, string][] = [];
  const proto = PaperRepository.prototype as any;
  const restore = proto.restoreSetAsideIndexes;
  proto.restoreSetAsideIndexes = async function (this: unknown, ...a: unknown[]) {
    marks.push(['rebuild start', await lsn()]);
    return restore.apply(this, a);
  };
  const s0 = await walStats();
  const l0 = await lsn();
  const start = performance.now();
  const summary = emptySummary();
  await importer.importFiles(importInputs(corpus), {}, summary);
  const seconds = (performance.now() - start) / 1000;
  const l1 = await lsn();
  const s1 = await walStats();
  await importer.close();
  // --catch-up: the full-text catch-up `paperboy import` runs next (outside the goal's timed phase), and its bytes.
  let catchUp: Record<string, unknown> | null = null;
  if (args.includes('--catch-up')) {
    const c0 = await lsn();
    const t = performance.now();
    const n = (await opened.store.search.drainFullTextQueue()).length;
    catchUp = { papers: n, seconds: +((performance.now() - t) / 1000).toFixed(2), walMb: +((await walDiff(c0, await lsn())) / 1048576).toFixed(1) };
  }
  const rebuildAt = marks.at(-1)?.[1] ?? l1;
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  const rels = await db.query(`
    select c.relname as name, c.relkind as kind, pg_relation_size(c.oid)::bigint as main,
      coalesce(pg_relation_size(c.reltoastrelid), 0)::bigint as toast,
      coalesce((select pg_relation_size(i.indexrelid) from pg_index i where i.indrelid = c.reltoastrelid), 0)::bigint as toast_index
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'i') and pg_relation_size(c.oid) > 8192
    order by pg_relation_size(c.oid) + coalesce(pg_relation_size(c.reltoastrelid), 0) desc`);
  const cols = (await db.query(`select column_name as c from information_schema.columns where table_name = 'papers' and table_schema = current_schema() order by ordinal_position`)).rows.map((r) => r.c as string);
  const widths = (await db.query(`select ${cols.map((c) => `sum(pg_column_size(${c}))::bigint as ${c}`).join(', ')}, count(*)::int as n from papers`)).rows[0];
  const toasted = (await db.query(`select count(*)::int as n, coalesce(sum(octet_length(abstract)), 0)::bigint as raw, coalesce(sum(pg_column_size(abstract)), 0)::bigint as stored from papers where pg_column_size(abstract) < octet_length(abstract)`)).rows[0];
  const checksum = (await db.query(`select md5(string_agg(md5(p::text), '' order by id)) as papers from (select ${cols.filter((c) => c !== 'created_at' && c !== 'modified_at').join(', ')} from papers) p`)).rows[0].papers;
  if (catchUp) catchUp.checksum = (await db.query(`select md5(string_agg(paper_id || ' ' || search_vector::text || ' ' || coalesce(pdf_vector::text, ''), ',' order by paper_id)) as s from paper_search`)).rows[0].s;
  const feedSum = (await db.query(`select md5(string_agg(paper_id || ' ' || day || ' ' || position, ',' order by paper_id)) as s from feed_entries`)).rows[0].s;
  await db.end();
  await opened.close();
  const mb = (n: number) => +(n / 1048576).toFixed(1);
  console.log(
    JSON.stringify(
      {
        load: +os.loadavg()[0].toFixed(1),
        seconds: +seconds.toFixed(2),
        papers: summary.read,
        corpusMb: mb(corpusBytes),
        walMb: { total: mb(await walDiff(l0, l1)), batches: mb(await walDiff(l0, rebuildAt)), rebuild: mb(await walDiff(rebuildAt, l1)) },
        walRecords: Number(s1.records) - Number(s0.records),
        walFullPageImages: Number(s1.fpi) - Number(s0.fpi),
        // Pages the server processes wrote themselves (a COPY's ring of buffers), and temporary files (spilled sorts and tuple stores).
        backendWritesMb: mb((Number(s1.backend_writes) - Number(s0.backend_writes)) * 8192),
        tempFiles: Number(s1.temp_files) - Number(s0.temp_files),
        tempMb: mb(Number(s1.temp_bytes) - Number(s0.temp_bytes)),
        relationsMb: Object.fromEntries(rels.rows.map((r) => [r.name, r.kind === 'r' ? { heap: mb(Number(r.main)), toast: mb(Number(r.toast) + Number(r.toast_index)) } : mb(Number(r.main))])),
        papersColumnMb: Object.fromEntries(cols.map((c) => [c, mb(Number(widths[c]))]).sort((a, b) => (b[1] as number) - (a[1] as number))),
        abstractsCompressed: { papers: toasted.n, rawMb: mb(Number(toasted.raw)), storedMb: mb(Number(toasted.stored)) },
        checksum: { papers: checksum, feed: feedSum },
        catchUp,
      },
      null,
      1,
    ),
  );
} finally {
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
