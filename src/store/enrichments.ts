import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { ArtifactKind, HubArtifact, PaperEnrichment } from '../domain/enrichment.ts';

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

const strings = (json: string | null): string[] => {
  if (!json) return [];
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};

type EnrichmentColumns = Omit<Database['paper_enrichments'], 'paper_id'>;

/**
 * Enrichments (migration 1220): per paper (code links, TL;DR, key phrases), per GitHub repository
 * (stars, ETag), per hub artifact, and the shared daily LLM call counter.
 */
export class EnrichmentRepository {
  constructor(private readonly db: Kysely<Database>) {}

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

  /** One paper's enrichments (all empty when none ran yet). */
  async forPaper(paperId: string): Promise<PaperEnrichment | null> {
    return (await this.forPapers([paperId])).get(paperId) ?? null;
  }

  /** The enrichments of a page of papers in one query (stars joined in), by paper id; papers without any are absent. */
  async forPapers(paperIds: readonly string[]): Promise<Map<string, PaperEnrichment>> {
    const out = new Map<string, PaperEnrichment>();
    if (!paperIds.length) return out;
    for (let i = 0; i < paperIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('paper_enrichments as e')
        .leftJoin('github_repos as g', 'g.repo', 'e.github_repo')
        .select(['e.paper_id', 'e.code_links', 'e.code_repo', 'e.github_repo', 'e.summary', 'e.llm_keywords', 'e.summary_model', 'e.keyphrases', 'g.stars', 'g.status'])
        .where('e.paper_id', 'in', paperIds.slice(i, i + 500))
        .execute();
      for (const r of rows) {
        out.set(r.paper_id, {
          codeChecked: r.code_links !== null,
          codeLinks: strings(r.code_links),
          codeRepo: r.code_repo,
          githubRepo: r.github_repo,
          githubStars: r.status === 'ok' && r.stars !== null ? Number(r.stars) : null,
          summary: r.summary && r.summary_model ? { text: r.summary, keywords: strings(r.llm_keywords), model: r.summary_model } : null,
          keyphrases: strings(r.keyphrases),
        });
      }
    }
    return out;
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

  /** The paper's hub artifacts, most liked first. */
  async artifacts(paperId: string): Promise<HubArtifact[]> {
    const rows = await this.db.selectFrom('paper_artifacts').selectAll().where('paper_id', '=', paperId).orderBy('likes', 'desc').orderBy('hub_id').execute();
    return rows.map((r) => ({ kind: r.kind as ArtifactKind, id: r.hub_id, likes: Number(r.likes), downloads: r.downloads === null ? null : Number(r.downloads), detail: r.detail }));
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

  async llmCallsUsed(day: string): Promise<number> {
    const r = await this.db.selectFrom('llm_calls').select('used').where('day', '=', day).executeTakeFirst();
    return Number(r?.used ?? 0);
  }
}
