import type SQLite from 'better-sqlite3';

/**
 * Prepared statements for bulk writes on SQLite, used by the repositories inside a transaction:
 * one cached statement run per row is several times faster than building a multi-row statement
 * through the query builder for every batch (the import benchmark measures it). Runs on the same
 * connection as Kysely, so it belongs to the transaction that is open.
 */
export class SqliteBulk {
  private readonly cache = new Map<string, SQLite.Statement>();
  /**
   * A serving process's checkpoint thread (`checkpoint-thread.ts`), which also answers reads on a
   * connection of its own: the repositories send it statements too long for the request thread.
   * Absent elsewhere (a command, a test store, an in-memory database): they run here.
   */
  offThread?: { read(sql: string, params: readonly (string | number)[]): Promise<Record<string, unknown> | null> };
  constructor(readonly raw: SQLite.Database) {}

  statement(sql: string): SQLite.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }
}
