import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';

/**
 * Counts the SQL statements run through Kysely inside `fn` and what it awaits (AsyncLocalStorage),
 * on either store: background work running meanwhile (catch-ups, followers on timers) is not
 * counted. Transactions' BEGIN and COMMIT are not statements here. Returns the statements' texts.
 */
const scope = new AsyncLocalStorage<string[]>();
let patched = false;

function patch(db: Kysely<any>): void {
  if (patched) return;
  let proto = Object.getPrototypeOf(db.getExecutor());
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto);
  if (!proto) throw new Error("no executeQuery on Kysely's executor");
  const executeQuery = proto.executeQuery as (this: unknown, q: { sql: string }, ...rest: unknown[]) => Promise<unknown>;
  proto.executeQuery = function counted(this: unknown, q: { sql: string }, ...rest: unknown[]) {
    scope.getStore()?.push(q.sql.replace(/\s+/g, ' '));
    return executeQuery.call(this, q, ...rest);
  };
  patched = true;
}

export async function statementsOf<T>(db: Kysely<any>, fn: () => Promise<T>): Promise<{ value: T; statements: string[] }> {
  patch(db);
  const statements: string[] = [];
  const value = await scope.run(statements, fn);
  return { value, statements };
}
