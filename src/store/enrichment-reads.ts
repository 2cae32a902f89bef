import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { ArtifactKind, HubArtifact, PaperEnrichment, ThumbnailRef } from '../domain/enrichment.ts';
import { jsonRows, rowsOf } from './json-rows.ts';

/** A JSON array of strings as stored; anything else reads as none. */
export const strings = (json: string | null): string[] => {
  if (!json) return [];
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};

const thumb = (hash: string | null, mime: string | null, width: number | null, height: number | null): ThumbnailRef | null =>
  hash && mime && width != null && height != null ? { hash, mime, width: Number(width), height: Number(height) } : null;

/** Ids per statement: far below SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

/** The joins and columns of a paper's enrichment as cards and pages show it (one row a paper). */
function enrichmentRows(db: Kysely<Database>) {
  return db
    .selectFrom('papers as p')
    .leftJoin('paper_enrichments as e', 'e.paper_id', 'p.id')
    .leftJoin('github_repos as g', 'g.repo', 'e.github_repo')
    .leftJoin('paper_thumbnails as tc', (j) => j.onRef('tc.paper_id', '=', 'p.id').on('tc.size', '=', 'card'))
    .leftJoin('paper_thumbnails as tp', (j) => j.onRef('tp.paper_id', '=', 'p.id').on('tp.size', '=', 'page'))
    .leftJoin('author_links as lc', (j) => j.onRef('lc.paper_id', '=', 'p.id').on('lc.kind', '=', 'code'))
    .leftJoin('author_links as lp', (j) => j.onRef('lp.paper_id', '=', 'p.id').on('lp.kind', '=', 'project'))
    .select([
      'p.id',
      'e.paper_id as e_id',
      'e.code_links',
      'e.code_repo',
      'e.github_repo',
      'e.summary',
      'e.llm_keywords',
      'e.summary_model',
      'e.keyphrases',
      'e.summary_at',
      'e.keyphrases_at',
      'tc.created_at as c_at',
      'g.stars',
      'g.status',
      'tc.hash as c_hash',
      'tc.mime as c_mime',
      'tc.width as c_width',
      'tc.height as c_height',
      'tp.hash as p_hash',
      'tp.mime as p_mime',
      'tp.width as p_width',
      'tp.height as p_height',
      'lc.url as author_code',
      'lp.url as author_project',
    ]);
}

type EnrichmentRow = Awaited<ReturnType<ReturnType<typeof enrichmentRows>['executeTakeFirstOrThrow']>>;

/** A row of `enrichmentRows` as the domain's enrichment; null when the paper has none of it. */
function toEnrichment(r: EnrichmentRow): PaperEnrichment | null {
  const card = thumb(r.c_hash, r.c_mime, r.c_width, r.c_height);
  const page = thumb(r.p_hash, r.p_mime, r.p_width, r.p_height);
  const authorLinks = r.author_code || r.author_project ? { code: r.author_code, project: r.author_project } : null;
  if (!r.e_id && !(card && page) && !authorLinks) return null;
  return {
    codeChecked: r.code_links !== null,
    codeLinks: strings(r.code_links),
    codeRepo: r.code_repo,
    githubRepo: r.github_repo,
    githubStars: r.status === 'ok' && r.stars !== null ? Number(r.stars) : null,
    summary: r.summary && r.summary_model ? { text: r.summary, keywords: strings(r.llm_keywords), model: r.summary_model } : null,
    keyphrases: strings(r.keyphrases),
    thumbnails: card && page ? { card, page } : null,
    authorLinks,
    writtenAt: { summary: r.summary_at, keyphrases: r.keyphrases_at, thumbnail: card ? r.c_at : null },
  };
}

/**
 * Everything a card or an API list item shows of these papers' enrichments, in one query per
 * page: the paper's enrichment row with its repository's stars, both thumbnails, and the links a
 * verified author set. Papers with none of these are absent from the map (read as NO_ENRICHMENT).
 * Visibility is the caller's: it lists only papers readers may see.
 */
export async function readEnrichments(db: Kysely<Database>, paperIds: readonly string[]): Promise<Map<string, PaperEnrichment>> {
  const out = new Map<string, PaperEnrichment>();
  const ids = [...new Set(paperIds)];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await enrichmentRows(db).where('p.id', 'in', ids.slice(i, i + CHUNK)).execute();
    for (const r of rows) {
      if (out.has(r.id)) continue;
      const e = toEnrichment(r);
      if (e) out.set(r.id, e);
    }
  }
  return out;
}

/** One paper's page of enrichment: what its card shows, its hub artifacts and its repository as stored. */
export interface EnrichmentDetailRow {
  enrichment: PaperEnrichment | null;
  /** Most liked first. */
  artifacts: HubArtifact[];
  /** The `github_repos` row of its repository, when one was fetched. */
  repo: { status: string; description: string | null } | null;
}

/**
 * One paper's enrichment, its hub artifacts and its repository's row in one statement (issue 19:
 * a paper page read them in two or three, each a round trip on PostgreSQL). The artifacts come
 * as a JSON array (`jsonRows`), most liked first. Visibility is the caller's, as for cards.
 */
export async function readEnrichmentDetail(db: Kysely<Database>, paperId: string): Promise<EnrichmentDetailRow> {
  const r = await enrichmentRows(db)
    .select(['g.repo as g_repo', 'g.description as g_description'])
    .select((eb) =>
      jsonRows(
        db,
        eb
          .selectFrom('paper_artifacts as a')
          .select(['a.kind', 'a.hub_id', 'a.likes', 'a.downloads', 'a.detail'])
          .whereRef('a.paper_id', '=', 'p.id')
          .orderBy('a.likes', 'desc')
          .orderBy('a.hub_id'),
      ).as('artifacts'),
    )
    .where('p.id', '=', paperId)
    .executeTakeFirst();
  if (!r) return { enrichment: null, artifacts: [], repo: null };
  return {
    enrichment: toEnrichment(r),
    artifacts: rowsOf(r.artifacts).map((a) => ({ kind: a.kind as ArtifactKind, id: a.hub_id, likes: Number(a.likes), downloads: a.downloads === null ? null : Number(a.downloads), detail: a.detail })),
    repo: r.g_repo === null ? null : { status: r.status!, description: r.g_description },
  };
}
