import { Kysely, PostgresAdapter, SqliteAdapter, sql, type RawBuilder } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/** Which SQL dialect a Kysely instance speaks: migrations and repositories branch on it where SQL differs. */
export function dialectOf(db: Kysely<any>): DialectName {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof PostgresAdapter) return 'postgres';
  throw new Error(`unsupported dialect adapter ${adapter.constructor.name}`);
}

/**
 * `column IN (values)` for a long list of strings. PostgreSQL gets one array parameter
 * (`= any($1::text[])`): a thousand-item IN list is a thousand parameters it parses and plans
 * each time, which cost more server time on an import than the look-ups themselves.
 */
export function textIn(db: Kysely<any>, column: string, values: readonly string[]): RawBuilder<boolean> {
  if (dialectOf(db) === 'postgres') return sql<boolean>`${sql.ref(column)} = any(${[...values]}::text[])`;
  return sql<boolean>`${sql.ref(column)} in (${sql.join([...values])})`;
}
