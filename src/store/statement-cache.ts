import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct statements kept compiled (the `in (…)` lists of each length count as different ones). */
export const STATEMENT_CACHE_SIZE = 512;

/**
 * better-sqlite3 as Kysely's `SqliteDialect` sees it, with each SQL text compiled once. Kysely's
 * driver calls `prepare` for every query it runs: at 1M papers a search request ran about ten
 * statements and compiling them was 7 % of its CPU in the app (more than running them). A compiled
 * statement is reused for `all` and `run`, which finish before they return; `iterate` (Kysely's
 * `stream()`) gets a statement of its own, because a statement still being iterated cannot run
 * another query and a second query with the same text could come while the first is read.
 * SQLite recompiles a kept statement by itself after a schema change (a migration), so `select *`
 * sees the new columns. The least recently used statements beyond `size` are finalised by GC.
 */
export function cachingStatements(sqlite: SQLite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase & { readonly cached: number } {
  const kept = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    get cached() {
      return kept.size;
    },
    prepare(sql: string): SqliteStatement {
      const hit = kept.get(sql);
      if (hit) {
        // Most recently used last: what falls out is what has not been asked for longest.
        kept.delete(sql);
        kept.set(sql, hit);
        return hit;
      }
      const compiled = sqlite.prepare(sql);
      const statement: SqliteStatement = {
        reader: compiled.reader,
        // The parameters go as one array, as Kysely's driver passes them to better-sqlite3.
        all: (parameters) => compiled.all(parameters),
        run: (parameters) => compiled.run(parameters),
        iterate: (parameters) => sqlite.prepare(sql).iterate(parameters),
      };
      kept.set(sql, statement);
      if (kept.size > size) kept.delete(kept.keys().next().value!);
      return statement;
    },
  };
}
