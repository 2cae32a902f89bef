import { sql, type RawBuilder } from 'kysely';

/**
 * The one rule of what readers may see: a paper neither hidden by moderation nor withdrawn at its
 * source (`deleted`). Every read query that lists or loads papers for readers filters with it, so a
 * hidden or withdrawn paper disappears from the API, the pages, search, feeds, collections, author
 * pages, For you and the digest at once. Services load single papers through `papers.visible` and
 * answer `paperNotFound` (src/services/errors.ts) when it is null.
 *
 * `alias` is the papers table's alias in the query (`p`), or nothing when it is not aliased.
 */
export function visiblePaper(alias?: string): RawBuilder<boolean> {
  const col = (c: 'hidden' | 'deleted') => sql.ref(alias ? `${alias}.${c}` : c);
  return sql<boolean>`(${col('hidden')} = 0 and ${col('deleted')} = 0)`;
}
