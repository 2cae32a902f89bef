import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Where one harvest (a metadata format and set) stands. */
export interface HarvestState {
  key: string;
  metadataPrefix: string;
  setSpec: string | null;
  /** The `from`/`until` of the harvest in progress (or last finished). */
  fromDay: string | null;
  untilDay: string | null;
  /** Set while a harvest is under way: the token for the next page. */
  resumptionToken: string | null;
  /** Pages and records stored by the harvest in progress (or last finished). */
  pages: number;
  records: number;
  /** Where the next incremental harvest starts: the end of the last complete one. */
  nextFrom: string | null;
  startedAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export class HarvestStateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<HarvestState | null> {
    const r = await this.db.selectFrom('harvest_state').selectAll().where('key', '=', key).executeTakeFirst();
    if (!r) return null;
    return {
      key: r.key,
      metadataPrefix: r.metadata_prefix,
      setSpec: r.set_spec,
      fromDay: r.from_day,
      untilDay: r.until_day,
      resumptionToken: r.resumption_token,
      pages: Number(r.pages),
      records: Number(r.records),
      nextFrom: r.next_from,
      startedAt: r.started_at,
      updatedAt: r.updated_at,
      completedAt: r.completed_at,
    };
  }

  /** Writes the whole state; call in the transaction that stores the page it describes. */
  async save(s: HarvestState): Promise<void> {
    const row = {
      key: s.key,
      metadata_prefix: s.metadataPrefix,
      set_spec: s.setSpec,
      from_day: s.fromDay,
      until_day: s.untilDay,
      resumption_token: s.resumptionToken,
      pages: s.pages,
      records: s.records,
      next_from: s.nextFrom,
      started_at: s.startedAt,
      updated_at: s.updatedAt,
      completed_at: s.completedAt,
    };
    const { key: _key, ...update } = row;
    await this.db.insertInto('harvest_state').values(row).onConflict((oc) => oc.column('key').doUpdateSet(update)).execute();
  }

  async all(): Promise<HarvestState[]> {
    const rows = await this.db.selectFrom('harvest_state').select('key').orderBy('key').execute();
    return (await Promise.all(rows.map((r) => this.get(r.key)))).filter((s): s is HarvestState => s !== null);
  }
}
