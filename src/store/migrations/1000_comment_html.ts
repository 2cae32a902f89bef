import type { Kysely } from 'kysely';
import { renderCommentOrPlain } from '../../domain/comment-markdown.ts';

/**
 * Stores each comment's rendered HTML beside its Markdown. Rendering on every page view let one
 * hostile comment make a paper's page slow (or fail) for every reader; now a comment is rendered
 * once, when written, and reads only copy stored HTML. Existing comments are rendered here; one
 * beyond the rendering budget is kept as escaped text (refusing is no longer an option for it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('comments').addColumn('body_html', 'text').execute();
  await fillCommentHtml(db);
}

/** Renders every live comment whose HTML is missing; returns how many it filled. */
export async function fillCommentHtml(db: Kysely<any>): Promise<number> {
  let after = 0;
  let filled = 0;
  for (;;) {
    const rows: { id: number; body: string }[] = await db
      .selectFrom('comments')
      .select(['id', 'body'])
      .where('id', '>', after)
      .where('deleted', '=', 0)
      .where('body_html', 'is', null)
      .orderBy('id')
      .limit(500)
      .execute();
    if (!rows.length) break;
    for (const r of rows) {
      await db.updateTable('comments').set({ body_html: renderCommentOrPlain(r.body) }).where('id', '=', r.id).execute();
      filled++;
    }
    after = Number(rows[rows.length - 1].id);
  }
  return filled;
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('comments').dropColumn('body_html').execute();
}
