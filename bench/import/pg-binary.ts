/**
 * Would binary COPY make a first PostgreSQL import cheaper? Both sides of the trade, on the corpus:
 *
 * - client: the parse worker's packing of every paper, COPY text (`PackedRowsBuilder.addPaper`, the
 *   served code) against the same paper packed in COPY's binary format (below: a 16-bit field count
 *   a row, each field a 32-bit length and its UTF-8 bytes, NULL as length -1, `version` and
 *   `deleted` as int4), in one thread, alternately, µs a paper;
 * - server: the backend's CPU (/proc/<pid>/schedstat) for COPYing the same rows, in the import's
 *   batches, one transaction a batch, into a copy of `papers` (its compression settings and its key,
 *   no other index, as during a first import), text and binary alternately; and a checksum of the
 *   stored rows after each, which must be the same for both formats.
 *
 *   npx tsx bench/import/pg-binary.ts postgres://postgres@127.0.0.1:5432/<fresh db> /work/shared/data/arxiv-listings [--rounds 4]
 *
 * The database is migrated and left with a table `pgbin_copy`; drop the database after.
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import type { Paper } from '../../src/domain/paper.ts';
import { importInputs } from '../../src/ingest/importer.ts';
import { parsedBatches } from '../../src/ingest/parse-lines.ts';
import { contentCanonical, hashCanonical, paperContentValues } from '../../src/store/mappers.ts';
import { PACKED_COLUMNS, PackedRowsBuilder } from '../../src/store/packed-rows.ts';
import { openStore } from '../../src/store/index.ts';

const args = process.argv.slice(2);
const [url, corpus] = args;
const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 4;
const BATCH = 2075;
const STAMP = '2026-12-07T17:00:00.000Z';

// The papers as the parse worker packs them: taken from the served parse, on their way to addPaper.
const papers: Paper[] = [];
const served = PackedRowsBuilder.prototype.addPaper;
PackedRowsBuilder.prototype.addPaper = function (this: PackedRowsBuilder, p: Paper, stamp: string) {
  papers.push(p);
  return served.call(this, p, stamp);
};
for (const input of importInputs(corpus)) {
  const stream = fs.createReadStream(input);
  for await (const b of parsedBatches(stream, { format: null, source: 'arxiv', now: STAMP, pack: true }, BATCH)) void b;
}
PackedRowsBuilder.prototype.addPaper = served;
console.log(`${papers.length} papers; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

const INT = new Set([2, 18]); // version, deleted
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** The binary counterpart of `PackedRowsBuilder.addPaper`: same values, same hash, same NUL refusal. */
class BinaryBuilder {
  buf = Buffer.allocUnsafeSlow(16 << 20);
  at = 0;
  ids: string[] = [];
  hashes: string[] = [];
  addPaper(p: Paper, stamp: string): void {
    const fields: (string | number | null)[] = paperContentValues(p);
    const canonical = contentCanonical(fields);
    const hash = hashCanonical(canonical);
    fields.push(hash, stamp, stamp);
    if (this.at + canonical.length * 3 + 200 > this.buf.length) {
      const b = Buffer.allocUnsafeSlow(this.buf.length * 2);
      this.buf.copy(b, 0, 0, this.at);
      this.buf = b;
    }
    const buf = this.buf;
    let at = this.at;
    buf.writeInt16BE(fields.length, at);
    at += 2;
    for (let c = 0; c < fields.length; c++) {
      const v = fields[c];
      if (v === null) at = buf.writeInt32BE(-1, at);
      else if (INT.has(c)) {
        at = buf.writeInt32BE(4, at);
        at = buf.writeInt32BE(v as number, at);
      } else {
        if ((v as string).includes('\u0000')) throw new Error('a NUL character cannot be stored');
        const n = buf.write(v as string, at + 4, 'utf8');
        buf.writeInt32BE(n, at);
        at += 4 + n;
      }
    }
    this.at = at;
    this.ids.push(p.id);
    this.hashes.push(hash);
  }
  finish(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.at);
    this.buf.copy(out, 0, 0, this.at);
    this.at = 0;
    this.ids = [];
    this.hashes = [];
    return out;
  }
}

const batchesOf = (): Paper[][] => {
  const out: Paper[][] = [];
  for (let i = 0; i < papers.length; i += BATCH) out.push(papers.slice(i, i + BATCH));
  return out;
};
const batches = batchesOf();

const packText = (): { data: Buffer[]; us: number } => {
  const t0 = process.cpuUsage();
  const data: Buffer[] = [];
  for (const b of batches) {
    const builder = new PackedRowsBuilder(b.length);
    for (const p of b) builder.addPaper(p, STAMP);
    const packed = builder.finish();
    data.push(Buffer.from(packed.text.buffer, packed.text.byteOffset, packed.text.byteLength));
  }
  const c = process.cpuUsage(t0);
  return { data, us: (c.user + c.system) / papers.length };
};
const binary = new BinaryBuilder();
const packBinary = (): { data: Buffer[]; us: number } => {
  const t0 = process.cpuUsage();
  const data: Buffer[] = [];
  for (const b of batches) {
    for (const p of b) binary.addPaper(p, STAMP);
    data.push(binary.finish());
  }
  const c = process.cpuUsage(t0);
  return { data, us: (c.user + c.system) / papers.length };
};

const opened = await openStore(url);
await opened.close();
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query('drop table if exists pgbin_copy');
await client.query('create table pgbin_copy (like papers including defaults including compression)');
await client.query('alter table pgbin_copy add primary key (id)');
const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
const backendCpu = () => Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;

/** One COPY FROM STDIN with its data (the protocol's CopyData / CopyDone from node-postgres's connection). */
const copy = (statement: string, chunks: Buffer[]) =>
  new Promise<void>((resolve, reject) => {
    let failed: Error | null = null;
    client.query({
      submit(connection: { query(t: string): void; sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
        connection.query(statement);
      },
      handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
        for (const c of chunks) for (let at = 0; at < c.length; at += 1 << 20) connection.sendCopyFromChunk(c.subarray(at, at + (1 << 20)));
        connection.endCopyFrom();
      },
      handleCommandComplete() {},
      handleError(e: Error) {
        failed = e;
        reject(e);
      },
      handleReadyForQuery() {
        if (!failed) resolve();
      },
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    } as never);
  });

const header = Buffer.alloc(SIGNATURE.length + 8);
SIGNATURE.copy(header);
const trailer = Buffer.from([0xff, 0xff]);
const columns = PACKED_COLUMNS.join(', ');

const load = async (format: 'text' | 'binary', data: Buffer[]): Promise<{ server: number; wall: number; sum: string }> => {
  await client.query('truncate pgbin_copy');
  const s0 = backendCpu();
  const w0 = performance.now();
  for (const d of data) {
    await client.query('begin');
    await client.query("select set_config('synchronous_commit', 'off', true)");
    if (format === 'text') await copy(`copy pgbin_copy (${columns}) from stdin`, [d]);
    else await copy(`copy pgbin_copy (${columns}) from stdin (format binary)`, [header, d, trailer]);
    await client.query('commit');
  }
  const wall = (performance.now() - w0) / 1000;
  const server = backendCpu() - s0;
  const sum = (await client.query(`select count(*) || ' ' || md5(string_agg(t::text, E'\\n' order by id)) as s from pgbin_copy t`)).rows[0].s as string;
  return { server, wall, sum };
};

const f = (x: number) => x.toFixed(3);
console.log('round | format | pack µs a paper | bytes MB | server CPU s | wall s | load | rows, md5 of the stored rows');
for (let r = 1; r <= rounds; r++) {
  const order: ('text' | 'binary')[] = r % 2 ? ['text', 'binary'] : ['binary', 'text'];
  for (const format of order) {
    const packed = format === 'text' ? packText() : packBinary();
    const bytes = packed.data.reduce((s, d) => s + d.length, 0) / 1e6;
    const res = await load(format, packed.data);
    console.log(`${r} | ${format} | ${packed.us.toFixed(2)} | ${bytes.toFixed(1)} | ${f(res.server)} | ${f(res.wall)} | ${os.loadavg()[0].toFixed(1)} | ${res.sum}`);
  }
}
await client.query('drop table pgbin_copy');
await client.end();
