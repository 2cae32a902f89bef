import type { Kysely, Selectable } from 'kysely';
import type { Database, RunsTable } from './schema.ts';

/** `interrupted`: stopped by a graceful shutdown after its last step; the next run continues from its checkpoint. */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'partial' | 'interrupted';

export interface Run {
  id: number;
  kind: string;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  stats: Record<string, unknown>;
  error: string | null;
}

function rowToRun(r: Selectable<RunsTable>): Run {
  return { id: Number(r.id), kind: r.kind, startedAt: r.started_at, finishedAt: r.finished_at, status: r.status as RunStatus, stats: JSON.parse(r.stats), error: r.error };
}

/** A record of each import, harvest or other job run: what it did and how it ended. */
export class RunRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async start(kind: string, stats: Record<string, unknown> = {}, now = new Date().toISOString()): Promise<number> {
    const r = await this.db
      .insertInto('runs')
      .values({ kind, started_at: now, status: 'running', stats: JSON.stringify(stats) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async update(id: number, stats: Record<string, unknown>): Promise<void> {
    await this.db.updateTable('runs').set({ stats: JSON.stringify(stats) }).where('id', '=', id).execute();
  }

  async finish(id: number, status: Exclude<RunStatus, 'running'>, stats: Record<string, unknown>, error: string | null = null, now = new Date().toISOString()): Promise<void> {
    await this.db.updateTable('runs').set({ status, stats: JSON.stringify(stats), error, finished_at: now }).where('id', '=', id).execute();
  }

  /**
   * Marks runs of `kind` still "running" as failed with `error`: called by whoever holds the kind's
   * lease, so no live process can be running them (their process was killed). Returns how many.
   */
  async interruptRunning(kind: string, error: string, now = new Date().toISOString()): Promise<number> {
    const r = await this.db.updateTable('runs').set({ status: 'failed', error, finished_at: now }).where('kind', '=', kind).where('status', '=', 'running').executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async last(kind: string, status?: RunStatus): Promise<Run | null> {
    let q = this.db.selectFrom('runs').selectAll().where('kind', '=', kind);
    if (status) q = q.where('status', '=', status);
    const r = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    return r ? rowToRun(r) : null;
  }

  async recent(limit = 20): Promise<Run[]> {
    const rows = await this.db.selectFrom('runs').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map(rowToRun);
  }
}
