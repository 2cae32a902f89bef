import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import type { CardViewer } from './views/components.tsx';

/**
 * Who is looking at a list of paper cards, and what the cards show beyond the papers: which of
 * them the viewer upvoted and has seen, and their enrichments (stars, TL;DR or keywords,
 * thumbnails, author-set links) — each read once for the whole list, never once per card. Every
 * page that lists papers as cards (feed, trending, search, author, organisation, collection, profile,
 * For you, Following) builds its viewer here.
 */
export async function cardViewerOf(c: Context<AppEnv>, paperIds: readonly string[]): Promise<CardViewer> {
  const user = c.var.user;
  const ids = [...paperIds];
  const [upvoted, seen, enrichments] = await Promise.all([
    user && ids.length ? c.var.services.upvotes.votedAmong(user.id, ids) : new Set<string>(),
    user && ids.length ? c.var.services.readState.seenAmong(user.id, ids) : new Set<string>(),
    c.var.services.enrichment.forPapers(ids),
  ]);
  const url = new URL(c.req.url);
  return { signedIn: Boolean(user), csrfToken: c.var.csrfToken, upvoted, seen: user ? seen : undefined, next: url.pathname + url.search, enrichments };
}
