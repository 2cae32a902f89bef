import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { ArtifactKind, EnrichmentState, EnrichmentStateUpdate, EnrichmentStatus, HubArtifact, PaperEnrichment, ThumbnailRef } from '../domain/enrichment.ts';
import { visiblePaper } from './visibility.ts';
import { readEnrichmentDetail, readEnrichments, type EnrichmentDetailRow } from './enrichment-reads.ts';

export interface GithubRepoRecord {
  /** Lower-cased `owner/name`. */
  repo: string;
  fullName: string | null;
  stars: number | null;
  description: string | null;
  etag: string | null;
  status: 'ok' | 'missing';
  checkedAt: string;
}

type EnrichmentColumns = Omit<Database['paper_enrichments'], 'paper_id'>;

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
 * Everything enrichment keeps, behind one API: the runner's state per paper and step and the
 * hosts that asked to wait, the PDF step's text and thumbnails (migration 1200); per paper code
 * links, TL;DR and key phrases, per GitHub repository its stars and ETag, per paper its hub
 * artifacts, and the shared daily LLM call counter (migration 1220). Pages and the API read a
 * page of papers' enrichments in one query (`forPapers`). Papers with no state row for a step are
 * due for it, so imports and harvests need not write anything here.
 */
export class EnrichmentRepository {
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
      // The window's papers come from two index ranges (`papers_newest_idx`, `feed_entries_newest_idx`,
      // migration 0801), not from a test of every paper: written as `published_at >= since or exists
      // (…feed_entries…)` it read the whole papers table for each step, and the job's check of its
      // five steps held a SQLite server's event loop for 1.2 s of CPU every two minutes at 75k papers
      // (load 16) when nothing was due. `coalesce(published_at, '')` is the index's expression; a
      // paper with no date is out of the window either way (`since` is a non-empty day). `union all`:
      // with a plain `union` SQLite merged the two sides in id order, scanning both tables whole.
      const since = q.since;
      query = query.where((eb) =>
        eb(
          'p.id',
          'in',
          eb
            .selectFrom('papers as w')
            .select('w.id')
            .where(sql<string>`coalesce(w.published_at, '')`, '>=', since)
            .unionAll(eb.selectFrom('feed_entries as f').select('f.paper_id as id').where('f.day', '>=', since)),
        ),
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
  async states(paperId: string): Promise<EnrichmentState[]> {
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
      const before = await db.selectFrom('paper_thumbnails').select('hash').where('paper_id', '=', paperId).execute();
      await db.deleteFrom('paper_thumbnails').where('paper_id', '=', paperId).execute();
      for (const t of pdf.thumbnails) {
        // The same bytes for two papers (identical first pages: withdrawn-paper placeholders) are
        // stored once, by hash; each paper has its own link to them.
        await db.insertInto('thumbnail_blobs').values({ hash: t.hash, data: t.data, created_at: now }).onConflict((oc) => oc.column('hash').doNothing()).execute();
        await db
          .insertInto('paper_thumbnails')
          .values({ paper_id: paperId, size: t.size, hash: t.hash, mime: t.mime, width: t.width, height: t.height, created_at: now })
          .onConflict((oc) => oc.columns(['paper_id', 'size']).doUpdateSet({ hash: t.hash, mime: t.mime, width: t.width, height: t.height, created_at: now }))
          .execute();
      }
      // The images this paper no longer shows go when no other paper shows them.
      const dropped = [...new Set(before.map((r) => r.hash))].filter((h) => !pdf.thumbnails.some((t) => t.hash === h));
      if (dropped.length) {
        await db
          .deleteFrom('thumbnail_blobs')
          .where('hash', 'in', dropped)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('paper_thumbnails as l').select('l.hash').whereRef('l.hash', '=', 'thumbnail_blobs.hash'))))
          .execute();
      }
    };
    if (this.db.isTransaction) await write(this.db);
    else await this.db.transaction().execute(write);
  }

  /**
   * Drops image bytes no paper links to: a paper deleted outright takes its links with it (`on
   * delete cascade`, migration 1600) but not the bytes, which `savePdf` drops only on a re-render.
   * Returns how many went. Bytes a render is linking at the same moment are safe: the link's
   * foreign key makes one of the two writes fail rather than leave a link without its image.
   */
  async pruneUnlinkedThumbnails(): Promise<number> {
    const r = await this.db
      .deleteFrom('thumbnail_blobs')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('paper_thumbnails as links').select('links.hash').whereRef('links.hash', '=', 'thumbnail_blobs.hash'))))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** The text of a paper's first PDF pages, or null when the PDF step has not kept any. */
  async pdfText(paperId: string): Promise<string | null> {
    const r = await this.db.selectFrom('paper_pdf_text').select('text').where('paper_id', '=', paperId).executeTakeFirst();
    return r?.text ?? null;
  }

  /** A thumbnail's bytes by hash, if one of the papers it belongs to may be shown to readers. */
  async thumbnailData(hash: string): Promise<{ mime: string; data: Uint8Array } | null> {
    const r = await this.db
      .selectFrom('paper_thumbnails as t')
      .innerJoin('papers as p', 'p.id', 't.paper_id')
      .innerJoin('thumbnail_blobs as b', 'b.hash', 't.hash')
      .select(['t.mime', 'b.data'])
      .where('t.hash', '=', hash)
      .where(visiblePaper('p'))
      .limit(1)
      .executeTakeFirst();
    return r ? { mime: r.mime, data: r.data } : null;
  }

  // --- what the code, stars, summary, key-phrase and hub steps keep ---

  /** Writes some columns of a paper's row, creating it when needed. */
  private async upsert(paperId: string, cols: Partial<EnrichmentColumns>): Promise<void> {
    await this.db
      .insertInto('paper_enrichments')
      .values({ paper_id: paperId, ...cols })
      .onConflict((oc) => oc.column('paper_id').doUpdateSet(cols))
      .execute();
  }

  async saveCode(paperId: string, links: string[], codeRepo: string | null, githubRepo: string | null, now = new Date().toISOString()): Promise<void> {
    await this.upsert(paperId, { code_links: JSON.stringify(links), code_repo: codeRepo, github_repo: githubRepo, code_at: now });
  }

  async saveSummary(paperId: string, text: string, keywords: string[], model: string, now = new Date().toISOString()): Promise<void> {
    await this.upsert(paperId, { summary: text, llm_keywords: JSON.stringify(keywords), summary_model: model, summary_at: now });
  }

  async saveKeyphrases(paperId: string, phrases: string[], now = new Date().toISOString()): Promise<void> {
    await this.upsert(paperId, { keyphrases: JSON.stringify(phrases), keyphrases_at: now });
  }

  /** One paper's enrichments (null when none ran yet and no author set a link). */
  async forPaper(paperId: string): Promise<PaperEnrichment | null> {
    return (await this.forPapers([paperId])).get(paperId) ?? null;
  }

  /** What cards and list items show of a page of papers (enrichments, stars, thumbnails, author-set links), in one query; papers without any are absent. */
  forPapers(paperIds: readonly string[]): Promise<Map<string, PaperEnrichment>> {
    return readEnrichments(this.db, paperIds);
  }

  /** The model that wrote the paper's TL;DR, or null when none did. */
  async summaryModel(paperId: string): Promise<string | null> {
    const r = await this.db.selectFrom('paper_enrichments').select(['summary_model', 'summary']).where('paper_id', '=', paperId).executeTakeFirst();
    return r?.summary ? r.summary_model : null;
  }

  async githubRepoOf(paperId: string): Promise<string | null> {
    const r = await this.db.selectFrom('paper_enrichments').select('github_repo').where('paper_id', '=', paperId).executeTakeFirst();
    return r?.github_repo ?? null;
  }

  async repo(repo: string): Promise<GithubRepoRecord | null> {
    const r = await this.db.selectFrom('github_repos').selectAll().where('repo', '=', repo).executeTakeFirst();
    if (!r) return null;
    return { repo: r.repo, fullName: r.full_name, stars: r.stars === null ? null : Number(r.stars), description: r.description, etag: r.etag, status: r.status === 'missing' ? 'missing' : 'ok', checkedAt: r.checked_at };
  }

  async saveRepo(rec: GithubRepoRecord): Promise<void> {
    const cols = { full_name: rec.fullName, stars: rec.stars, description: rec.description, etag: rec.etag, status: rec.status, checked_at: rec.checkedAt };
    await this.db
      .insertInto('github_repos')
      .values({ repo: rec.repo, ...cols })
      .onConflict((oc) => oc.column('repo').doUpdateSet(cols))
      .execute();
  }

  /** A 304: the stored count still holds; only the check time moves. */
  async touchRepo(repo: string, now = new Date().toISOString()): Promise<void> {
    await this.db.updateTable('github_repos').set({ checked_at: now }).where('repo', '=', repo).execute();
  }

  /** Replaces the paper's hub artifacts with what the hub lists now. */
  async replaceArtifacts(paperId: string, artifacts: HubArtifact[], now = new Date().toISOString()): Promise<void> {
    const write = async (db: Kysely<Database>) => {
      await db.deleteFrom('paper_artifacts').where('paper_id', '=', paperId).execute();
      for (let i = 0; i < artifacts.length; i += 200) {
        await db
          .insertInto('paper_artifacts')
          .values(artifacts.slice(i, i + 200).map((a) => ({ paper_id: paperId, kind: a.kind, hub_id: a.id, likes: a.likes, downloads: a.downloads, detail: a.detail })))
          .onConflict((oc) => oc.columns(['paper_id', 'kind', 'hub_id']).doNothing())
          .execute();
      }
      await db
        .insertInto('paper_enrichments')
        .values({ paper_id: paperId, artifacts_at: now })
        .onConflict((oc) => oc.column('paper_id').doUpdateSet({ artifacts_at: now }))
        .execute();
    };
    if (this.db.isTransaction) await write(this.db);
    else await this.db.transaction().execute(write);
  }

  /** One paper's enrichment, hub artifacts (most liked first) and repository row, in one statement (a paper page and `/api/papers/{id}`). */
  detail(paperId: string): Promise<EnrichmentDetailRow> {
    return readEnrichmentDetail(this.db, paperId);
  }

  /**
   * Takes one LLM call of the day's `cap`, shared by every process: one upsert whose update only
   * happens below the cap, so two workers cannot both take the last call. False when none is left.
   */
  async takeLlmCall(day: string, cap: number): Promise<boolean> {
    if (cap <= 0) return false;
    const r = await this.db
      .insertInto('llm_calls')
      .values({ day, used: 1 })
      .onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ used: eb('llm_calls.used', '+', 1) })).where('llm_calls.used', '<', cap))
      .returning('used')
      .executeTakeFirst();
    return r !== undefined;
  }

  /** Gives back a call `takeLlmCall` took on `day` that the LLM never did (never below zero). */
  async giveBackLlmCall(day: string): Promise<void> {
    await this.db.updateTable('llm_calls').set((eb) => ({ used: eb('used', '-', 1) })).where('day', '=', day).where('used', '>', 0).execute();
  }

  async llmCallsUsed(day: string): Promise<number> {
    const r = await this.db.selectFrom('llm_calls').select('used').where('day', '=', day).executeTakeFirst();
    return Number(r?.used ?? 0);
  }
}
