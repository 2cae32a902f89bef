import pg from 'pg';

/** Statements kept prepared on each PostgreSQL connection (the hot paths use a few dozen). */
export const PREPARED_PER_CONNECTION = 128;
/**
 * Texts with more parameters than this run unnamed: bulk inserts and long `in (…)` lists, each
 * length its own text, would fill the connection's cache and keep large plans for one use.
 */
export const PREPARED_MAX_PARAMETERS = 100;

/** PostgreSQL's error when a prepared `select *` would return other columns (a migration ran since). */
const RESULT_TYPE_CHANGED = '0A000';

/**
 * A `pg` client whose parameterised statements are named prepared statements, so that PostgreSQL
 * parses and plans each SQL text once per connection instead of on every request (every Kysely
 * query was an unnamed statement: parse, plan, bind, execute each time; issue 19, the mixed load —
 * a paper page runs ten of them). One name per distinct text on this connection, the least
 * recently used beyond `size` deallocated. Statements without parameters stay on the simple
 * protocol (BEGIN, COMMIT, multi-statement migrations). A prepared `select *` whose table changed
 * under it (a migration by another process) fails with 0A000 once: the name is dropped and the
 * statement runs again unnamed, which succeeds outside a transaction.
 */
export function preparingClient(base: typeof pg.Client, size = PREPARED_PER_CONNECTION): typeof pg.Client {
  class PreparingClient extends base {
    /** SQL text → statement name, least recently used first. */
    private readonly names = new Map<string, string>();
    private next = 0;

    // pg's overloads take a string, a config or a Submittable; only (text, values[]) is named.
    override query(...args: unknown[]): never {
      const [text, values] = args;
      if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || values.length > PREPARED_MAX_PARAMETERS || args.length > 2) {
        return (super.query as (...a: unknown[]) => never)(...args);
      }
      const name = this.nameOf(text);
      return (super.query({ name, text, values }) as Promise<pg.QueryResult>).catch((err: { code?: string }) => {
        if (err?.code !== RESULT_TYPE_CHANGED) throw err;
        this.forget(text, name);
        return super.query(text, values);
      }) as never;
    }

    private nameOf(text: string): string {
      const known = this.names.get(text);
      if (known) {
        this.names.delete(text);
        this.names.set(text, known);
        return known;
      }
      // Names are never reused on a connection: pg refuses a known name with another text.
      const name = `pb${++this.next}`;
      this.names.set(text, name);
      if (this.names.size > size) {
        const [oldText, oldName] = this.names.entries().next().value!;
        this.forget(oldText, oldName);
      }
      return name;
    }

    /** Drops a name here and on the server (queued before the next statement; its failure in an aborted transaction is harmless). */
    private forget(text: string, name: string): void {
      this.names.delete(text);
      const parsed = (this as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements;
      if (!(name in parsed)) return;
      delete parsed[name];
      (super.query(`deallocate ${name}`) as Promise<unknown>).catch(() => {});
    }
  }
  return PreparingClient as unknown as typeof pg.Client;
}
