import { sql, type Kysely } from 'kysely';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { escapeCopy } from './packed-rows.ts';

/**
 * `COPY … FROM STDIN` for the repositories' bulk paths on PostgreSQL (a first import of papers):
 * rows travel in COPY's text format, which the server parses several times faster than the
 * same rows as bound parameters or arrays (bench/import, bench/import/pg-profile.ts).
 *
 * node-postgres has no COPY of its own: `CopyIn` is the sub-protocol's client side as a
 * "submittable" (the interface pg-copy-streams uses), and a COPY must run on the connection of
 * the transaction that is open. Kysely does not hand out its connection, so every client of the
 * pool registers itself under its server process id and `clientOf` asks the transaction's
 * connection for `pg_backend_pid()`.
 */
export class PgCopy {
  private readonly clients = new Map<number, pg.Client>();
  /** The connection under each open transaction, once looked up (keyed by the transaction's handle). */
  private readonly bound = new WeakMap<Kysely<any>, pg.Client>();

  /** Called by each pool client once connected; it leaves the registry when it ends. */
  register(client: pg.Client): void {
    const pid = (client as unknown as { processID: number | null }).processID;
    if (!pid) return;
    this.clients.set(pid, client);
    client.once('end', () => this.clients.delete(pid));
  }

  /**
   * For a bulk load's transaction: its commit does not wait for the write-ahead log to reach the
   * disk (`set local synchronous_commit = off`), and its connection is looked up in the same round
   * trip, so its COPYs need none of their own (on a loaded machine each round trip waits for the
   * scheduler twice).
   */
  async relaxCommit(db: Kysely<any>): Promise<void> {
    if (!db.isTransaction) throw new Error('relaxCommit runs inside a transaction');
    const r = await sql<{ pid: number }>`select pg_backend_pid() as pid, set_config('synchronous_commit', 'off', true)`.execute(db);
    const client = this.clients.get(Number(r.rows[0].pid));
    if (client) this.bound.set(db, client);
  }

  /** The client under `db` (a transaction), or null when it is not one of ours. */
  private async clientOf(db: Kysely<any>): Promise<pg.Client | null> {
    const known = this.bound.get(db);
    if (known) return known;
    const r = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    const client = this.clients.get(Number(r.rows[0].pid)) ?? null;
    if (client) this.bound.set(db, client);
    return client;
  }

  /**
   * Runs `copy <target> from stdin` with `data` (COPY text lines) on the transaction's connection;
   * resolves to the rows copied. Only inside a transaction: outside one, the pool could lend the
   * connection to another query between the look-up and the COPY.
   *
   * With `savepoint`, the COPY runs under that savepoint, set and released in the same message
   * (`savepoint s; copy …; release savepoint s`): a failed COPY leaves the savepoint for the caller
   * to roll back to, and a good one costs no round trips of its own for it.
   */
  async copyIn(db: Kysely<any>, target: string, data: Uint8Array, savepoint?: string): Promise<number> {
    if (!db.isTransaction) throw new Error('COPY runs inside a transaction');
    const client = await this.clientOf(db);
    if (!client) throw new Error('COPY: the transaction is not on a registered connection');
    if (savepoint !== undefined && !/^[a-z_]+$/.test(savepoint)) throw new Error(`bad savepoint name ${savepoint}`);
    const text = savepoint ? `savepoint ${savepoint}; copy ${target} from stdin; release savepoint ${savepoint}` : `copy ${target} from stdin`;
    return new Promise<number>((resolve, reject) => {
      client.query(new CopyIn(text, data, resolve, reject) as never);
    });
  }
}

/** Rows of plain values as COPY text lines (null as `\\N`), ready for `copyIn`. */
export function copyText(rows: readonly (readonly (string | number | null)[])[]): Buffer {
  let text = '';
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      text += (v === null ? '\\N' : typeof v === 'number' ? String(v) : escapeCopy(v)) + (c === row.length - 1 ? '\n' : '\t');
    }
  }
  return Buffer.from(text, 'utf8');
}

/** Bytes per CopyData message. */
const CHUNK = 1 << 20;

/**
 * One COPY FROM STDIN: the statement, the data in 1 MB CopyData messages and CopyDone, written in
 * one go, without waiting for the server's CopyInResponse first. That wait was a round trip per
 * COPY (two per batch of an import: papers and feed), and on a loaded machine each round trip
 * waits for the scheduler to run the server process and then this one. It is safe to send the data
 * ahead: the server reads the messages in order, and if the statement fails before its COPY starts
 * (or the COPY fails), it discards CopyData and CopyDone that arrive outside a COPY, as the
 * protocol specifies ("accept but ignore", PostgreSQL's postgres.c), and answers ReadyForQuery.
 */
class CopyIn {
  private count = 0;
  private failed: Error | null = null;
  constructor(
    readonly text: string,
    private readonly data: Uint8Array,
    private readonly resolve: (n: number) => void,
    private readonly reject: (e: Error) => void,
  ) {}

  submit(connection: { query(text: string): void; sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void; stream?: Writable }): void {
    const data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    const stream = typeof connection.stream?.write === 'function' ? connection.stream : null;
    // The statement, the data and the end in one write to the socket.
    stream?.cork();
    connection.query(this.text);
    if (!stream) {
      for (let at = 0; at < data.length; at += CHUNK) connection.sendCopyFromChunk(data.subarray(at, at + CHUNK));
    } else {
      // Each CopyData message written as its 5-byte header and a view of the data, not through
      // sendCopyFromChunk: that copies every chunk into a buffer of its own (allocated a size too
      // small first), and the 1.5 MB per chunk of memory outside the heap made this thread run
      // a full garbage collection every second or so of an import (bench/import).
      for (let at = 0; at < data.length; at += CHUNK) {
        const chunk = data.subarray(at, at + CHUNK);
        const header = Buffer.allocUnsafe(5);
        header[0] = 0x64; // 'd'
        header.writeInt32BE(chunk.length + 4, 1);
        stream.write(header);
        stream.write(chunk);
      }
    }
    connection.endCopyFrom();
    stream?.uncork();
  }

  /** The data went with the statement (`submit`): nothing more to send. */
  handleCopyInResponse(): void {}

  handleCommandComplete(msg: { text?: string }): void {
    // One per statement of the message: SAVEPOINT and RELEASE come around the COPY's.
    const copied = /^COPY (\d+)/.exec(msg.text ?? '');
    if (copied) this.count = Number(copied[1]);
  }

  handleError(err: Error): void {
    // The client forgets this query on an error; the server's ReadyForQuery then goes to no one.
    this.failed = err;
    this.reject(err);
  }

  handleReadyForQuery(): void {
    if (!this.failed) this.resolve(this.count);
  }

  // Not expected from a COPY FROM; present because the client may call them.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}
