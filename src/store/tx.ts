import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** Runs `fn` in a transaction, or inside the caller's when `db` already is one. */
export function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database> | Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
