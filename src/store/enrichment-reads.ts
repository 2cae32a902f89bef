import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { PaperEnrichment, ThumbnailRef } from '../domain/enrichment.ts';

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
    const rows = await db
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
      ])
      .where('p.id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) {
      if (out.has(r.id)) continue;
      const card = thumb(r.c_hash, r.c_mime, r.c_width, r.c_height);
      const page = thumb(r.p_hash, r.p_mime, r.p_width, r.p_height);
      const authorLinks = r.author_code || r.author_project ? { code: r.author_code, project: r.author_project } : null;
      if (!r.e_id && !(card && page) && !authorLinks) continue;
      out.set(r.id, {
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
      });
    }
  }
  return out;
}
