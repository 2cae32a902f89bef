import { sql } from 'kysely';
import type { Store } from '../../src/store/store.ts';
import type { StoreKind } from './stores.ts';
import { testDb } from './stores.ts';

/**
 * Whether the store's query planner holds statistics for `table`: PostgreSQL's `pg_stats` rows (which
 * only ANALYZE writes); on SQLite, whether the statement ran is all there is to see (null).
 */
export async function hasPlannerStatistics(kind: StoreKind, store: Store, table: string): Promise<boolean | null> {
  if (kind !== 'postgres') return null;
  const r = await sql<{ n: string }>`select count(*) as n from pg_stats where schemaname = current_schema() and tablename = ${table}`.execute(testDb(store));
  return Number(r.rows[0].n) > 0;
}
