import { sql, type Kysely } from 'kysely';
import type pg from 'pg';

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

  /** Called by each pool client once connected; it leaves the registry when it ends. */
  register(client: pg.Client): void {
    const pid = (client as unknown as { processID: number | null }).processID;
    if (!pid) return;
    this.clients.set(pid, client);
    client.once('end', () => this.clients.delete(pid));
  }

  /** The client under `db` (a transaction), or null when it is not one of ours. */
  private async clientOf(db: Kysely<any>): Promise<pg.Client | null> {
    const r = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    return this.clients.get(Number(r.rows[0].pid)) ?? null;
  }

  /**
   * Runs `copy <target> from stdin` with `rows` (COPY text lines, `copyLine`) on the transaction's
   * connection; resolves to the rows copied. Only inside a transaction: outside one, the pool could
   * lend the connection to another query between the look-up and the COPY.
   */
  async copyIn(db: Kysely<any>, target: string, rows: string[]): Promise<number> {
    if (!db.isTransaction) throw new Error('COPY runs inside a transaction');
    const client = await this.clientOf(db);
    if (!client) throw new Error('COPY: the transaction is not on a registered connection');
    return new Promise<number>((resolve, reject) => {
      client.query(new CopyIn(`copy ${target} from stdin`, Buffer.from(rows.join(''), 'utf8'), resolve, reject) as never);
    });
  }
}

/** One COPY FROM STDIN: the data goes in 1 MB messages once the server asks for it. */
class CopyIn {
  private count = 0;
  private failed: Error | null = null;
  constructor(
    readonly text: string,
    private readonly data: Buffer,
    private readonly resolve: (n: number) => void,
    private readonly reject: (e: Error) => void,
  ) {}

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }): void {
    for (let at = 0; at < this.data.length; at += 1 << 20) connection.sendCopyFromChunk(this.data.subarray(at, at + (1 << 20)));
    connection.endCopyFrom();
  }

  handleCommandComplete(msg: { text?: string }): void {
    this.count = Number(/COPY (\d+)/.exec(msg.text ?? '')?.[1] ?? 0);
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

/**
 * One row in COPY's text format: tab-separated, `\N` for null, and backslash, tab, newline and
 * carriage return escaped. A NUL character cannot be sent at all (PostgreSQL text never holds
 * one): the importer refuses such lines before they get here, and this throws rather than let the
 * server fail the whole batch.
 */
export function copyLine(values: readonly (string | number | null)[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += '\t';
    if (v === null) out += '\\N';
    else if (typeof v === 'number') out += String(v);
    else {
      if (v.includes('\u0000')) throw new Error('a NUL character cannot be stored');
      // One pass: replace returns the string itself when nothing matches.
      out += v.replace(ESCAPE_ALL, escapeChar);
    }
  }
  return out + '\n';
}

const ESCAPE_ALL = /[\\\t\n\r]/g;
const REPLACEMENT: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeChar = (c: string) => REPLACEMENT[c];
