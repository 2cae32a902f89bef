import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { EnrichmentState, EnrichmentStateUpdate, EnrichmentStatus, PaperThumbnails, ThumbnailRef } from '../domain/enrichment.ts';
import { visiblePaper } from './visibility.ts';

/** What the runner asks of one step: which papers are due for it. */
export interface DueQuery {
  step: string;
  version: number;
  /** Steps that must have settled first (done, skipped, or failed for good). */
  after?: readonly string[];
  now: string;
  /** Only papers published, or on the feed, on or after this day (YYYY-MM-DD). */
  since?: string;
  /** Only these papers. */
  ids?: readonly string[];
  /** Ignore the state (a forced re-run); dependencies still apply. */
  force?: boolean;
  limit: number;
}

const toState = (r: Database['enrichment_state']): EnrichmentState => ({
  paperId: r.paper_id,
  step: r.step,
  status: r.status as EnrichmentStatus,
  attempts: Number(r.attempts),
  reason: r.reason,
  nextAt: r.next_at,
  version: Number(r.version),
  updatedAt: r.updated_at,
});

/**
 * Enrichment state per paper and step, the hosts that asked to wait (migration 1200). Papers with
 * no state row for a step are due for it, so imports and harvests need not write anything here.
 */
export class EnrichmentStateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Visible papers due for a step, newest first: no state yet, an older step version, pending, or a
   * retry/refresh time that has come; and every `after` step settled.
   */
  async due(q: DueQuery): Promise<Array<{ paperId: string; attempts: number }>> {
    let query = this.db
      .selectFrom('papers as p')
      .leftJoin('enrichment_state as s', (j) => j.onRef('s.paper_id', '=', 'p.id').on('s.step', '=', q.step))
      .select(['p.id', 's.attempts'])
      .where(visiblePaper('p'));
    if (!q.force) {
      query = query.where((eb) =>
        eb.or([eb('s.paper_id', 'is', null), eb('s.version', '<', q.version), eb('s.status', '=', 'pending'), eb('s.next_at', '<=', q.now)]),
      );
    }
    for (const dep of q.after ?? []) {
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('enrichment_state as d')
            .select(sql`1`.as('one'))
            .whereRef('d.paper_id', '=', 'p.id')
            .where('d.step', '=', dep)
            .where((eb) => eb.or([eb('d.status', 'in', ['done', 'skipped']), eb.and([eb('d.status', '=', 'failed'), eb('d.next_at', 'is', null)])])),
        ),
      );
    }
    if (q.since) {
      const since = q.since;
      query = query.where((eb) =>
        eb.or([
          eb('p.published_at', '>=', since),
          eb.exists(eb.selectFrom('feed_entries as f').select(sql`1`.as('one')).whereRef('f.paper_id', '=', 'p.id').where('f.day', '>=', since)),
        ]),
      );
    }
    if (q.ids) {
      if (!q.ids.length) return [];
      query = query.where('p.id', 'in', [...q.ids]);
    }
    const rows = await query
      .orderBy(sql`coalesce(p.published_at, p.created_at)`, 'desc')
      .orderBy('p.id', 'desc')
      .limit(q.limit)
      .execute();
    return rows.map((r) => ({ paperId: r.id, attempts: r.attempts == null ? 0 : Number(r.attempts) }));
  }

  async record(paperId: string, step: string, s: EnrichmentStateUpdate, now = new Date().toISOString()): Promise<void> {
    const values = { status: s.status, attempts: s.attempts, reason: s.reason, next_at: s.nextAt, version: s.version, updated_at: now };
    await this.db
      .insertInto('enrichment_state')
      .values({ paper_id: paperId, step, ...values })
      .onConflict((oc) => oc.columns(['paper_id', 'step']).doUpdateSet(values))
      .execute();
  }

  async get(paperId: string, step: string): Promise<EnrichmentState | null> {
    const r = await this.db.selectFrom('enrichment_state').selectAll().where('paper_id', '=', paperId).where('step', '=', step).executeTakeFirst();
    return r ? toState(r) : null;
  }

  /** Every step's state for one paper. */
  async forPaper(paperId: string): Promise<EnrichmentState[]> {
    const rows = await this.db.selectFrom('enrichment_state').selectAll().where('paper_id', '=', paperId).orderBy('step').execute();
    return rows.map(toState);
  }

  /** How many papers are in each status, per step (for `paperboy stats` and the CLI's summary). */
  async counts(): Promise<Array<{ step: string; status: EnrichmentStatus; count: number }>> {
    const rows = await this.db
      .selectFrom('enrichment_state')
      .select(['step', 'status', (eb) => eb.fn.countAll().as('n')])
      .groupBy(['step', 'status'])
      .orderBy('step')
      .execute();
    return rows.map((r) => ({ step: r.step, status: r.status as EnrichmentStatus, count: Number(r.n) }));
  }

  /** Until when a host asked not to be called (a past time when it no longer matters), or null. */
  async hostBlockedUntil(host: string): Promise<string | null> {
    const r = await this.db.selectFrom('enrichment_hosts').select('blocked_until').where('host', '=', host).executeTakeFirst();
    return r?.blocked_until ?? null;
  }

  async blockHost(host: string, until: string, reason: string | null): Promise<void> {
    await this.db
      .insertInto('enrichment_hosts')
      .values({ host, blocked_until: until, reason })
      .onConflict((oc) => oc.column('host').doUpdateSet({ blocked_until: until, reason }))
      .execute();
  }

  // --- what the PDF step keeps ---

  /** Replaces a paper's first-pages text and thumbnails in one go (a re-render drops the old images). */
  async savePdf(
    paperId: string,
    pdf: { text: string; pages: number; thumbnails: Array<ThumbnailRef & { size: 'card' | 'page'; data: Uint8Array }> },
    now = new Date().toISOString(),
  ): Promise<void> {
    const write = async (db: Kysely<Database>) => {
      await db
        .insertInto('paper_pdf_text')
        .values({ paper_id: paperId, text: pdf.text, pages: pdf.pages, created_at: now })
        .onConflict((oc) => oc.column('paper_id').doUpdateSet({ text: pdf.text, pages: pdf.pages, created_at: now }))
        .execute();
      await db.deleteFrom('paper_thumbnails').where('paper_id', '=', paperId).execute();
      for (const t of pdf.thumbnails) {
        // The same bytes for two papers (two identical PDFs) are stored once; the hash is the key.
        await db
          .insertInto('paper_thumbnails')
          .values({ hash: t.hash, paper_id: paperId, size: t.size, mime: t.mime, width: t.width, height: t.height, data: t.data, created_at: now })
          .onConflict((oc) => oc.column('hash').doNothing())
          .execute();
      }
    };
    if (this.db.isTransaction) await write(this.db);
    else await this.db.transaction().execute(write);
  }

  /** The text of a paper's first PDF pages, or null when the PDF step has not kept any. */
  async pdfText(paperId: string): Promise<string | null> {
    const r = await this.db.selectFrom('paper_pdf_text').select('text').where('paper_id', '=', paperId).executeTakeFirst();
    return r?.text ?? null;
  }

  /** Thumbnails of these papers (visible or not: callers list only papers they may show). */
  async thumbnails(paperIds: readonly string[]): Promise<Map<string, PaperThumbnails>> {
    const out = new Map<string, PaperThumbnails>();
    const partial = new Map<string, Partial<PaperThumbnails>>();
    const ids = [...new Set(paperIds)];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('paper_thumbnails')
        .select(['paper_id', 'size', 'hash', 'mime', 'width', 'height'])
        .where('paper_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) {
        const entry = partial.get(r.paper_id) ?? {};
        entry[r.size as 'card' | 'page'] = { hash: r.hash, mime: r.mime, width: Number(r.width), height: Number(r.height) };
        partial.set(r.paper_id, entry);
      }
    }
    for (const [id, t] of partial) if (t.card && t.page) out.set(id, { card: t.card, page: t.page });
    return out;
  }

  /** A thumbnail's bytes by hash, if its paper may be shown to readers. */
  async thumbnailData(hash: string): Promise<{ mime: string; data: Uint8Array } | null> {
    const r = await this.db
      .selectFrom('paper_thumbnails as t')
      .innerJoin('papers as p', 'p.id', 't.paper_id')
      .select(['t.mime', 't.data'])
      .where('t.hash', '=', hash)
      .where(visiblePaper('p'))
      .executeTakeFirst();
    return r ? { mime: r.mime, data: r.data } : null;
  }
}
