/**
 * The floor under a first PostgreSQL import: one `COPY … FROM STDIN` of the same rows, already in
 * COPY text, from this Node client, in one transaction, into a copy of `papers` with no secondary
 * index and no trigger (`pk`: with its primary key). Prints wall time, this client's CPU and the
 * server process's CPU (from /proc). Dump the rows of a first import first:
 *
 *   psql … -d <imported db> -c "\copy papers to '/tmp/pg-import-papers.copy'"
 *   npx tsx bench/import/pg-floor.ts postgres://postgres@127.0.0.1:5432/<imported db> /tmp/pg-import-papers.copy [pk]
 *
 * Run it beside `node --import tsx bench/import/phase.ts baseline …` for a same-run ratio.
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
const [url, file, mode] = process.argv.slice(2);
const data = fs.readFileSync(file);
const c = new pg.Client({ connectionString: url });
await c.connect();
const pid = (await c.query('select pg_backend_pid() as p')).rows[0].p;
const scpu = () => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
await c.query('drop table if exists floor_papers');
await c.query(`create table floor_papers (like papers including defaults${mode === 'pk' ? ' including indexes' : ''})`);
if (mode === 'pk') for (const r of (await c.query(`select indexname from pg_indexes where tablename='floor_papers' and indexname not like '%pkey'`)).rows) await c.query(`drop index ${r.indexname}`);
await c.query(`alter table floor_papers alter column abstract set compression lz4, alter column authors set compression lz4`);
const s0 = scpu(); const c0 = process.cpuUsage(); const t0 = performance.now();
await c.query('begin');
await new Promise<void>((resolve, reject) => {
  const conn = (c as any).connection;
  c.query({
    submit(connection: any) {
      connection.stream.cork();
      connection.query('copy floor_papers from stdin');
      for (let at = 0; at < data.length; at += 1 << 20) {
        const chunk = data.subarray(at, at + (1 << 20));
        const h = Buffer.allocUnsafe(5); h[0] = 0x64; h.writeInt32BE(chunk.length + 4, 1);
        connection.stream.write(h); connection.stream.write(chunk);
      }
      connection.endCopyFrom();
      connection.stream.uncork();
    },
    handleCopyInResponse() {}, handleCommandComplete() {}, handleError: reject, handleReadyForQuery: () => resolve(),
    handleRowDescription() {}, handleDataRow() {}, handleEmptyQuery() {}, handlePortalSuspended() {}, handleCopyData() {},
  } as any);
  void conn;
});
const tc = performance.now();
await c.query('commit');
const wall = (performance.now() - t0) / 1000;
const cu = process.cpuUsage(c0);
console.log(JSON.stringify({ mode: mode ?? 'bare', load: os.loadavg()[0], wall, commit: (performance.now() - tc) / 1000, clientCpu: (cu.user + cu.system) / 1e6, serverCpu: scpu() - s0 }));
await c.query('drop table floor_papers');
await c.end();
