import { Hono, type Context } from 'hono';
import type { Config } from '../../config.ts';
import { isoDay } from '../../domain/discovery.ts';
import { ServiceError } from '../../services/errors.ts';
import type { AppEnv } from '../env.ts';
import { requireUser } from '../middleware/auth.ts';
import { writeLimits } from '../middleware/limits.ts';
import { safeNext } from '../views/community/forms.tsx';
import { readForm } from '../forms.ts';
import { isRowId } from '../params.ts';
import { FollowingPage } from '../views/discovery/following-page.tsx';
import { ForYouPage } from '../views/discovery/for-you-page.tsx';
import { flashRedirect } from '../middleware/page-view.ts';
import { cardViewerOf } from '../card-viewer.ts';
import { sitePaths } from '../../domain/site-paths.ts';

type C = Context<AppEnv>;

/** Forms are read (capped, checked) at the edge by `readForm`. */
const form = (c: C): Promise<URLSearchParams> => readForm(c);

/** A row id from the path; anything else (ids beyond PostgreSQL's integer range too) is no such page. */
function numericParam(c: C, name: string): number {
  const v = c.req.param(name) ?? '';
  if (!isRowId(v)) throw new ServiceError(404, 'not_found', 'no such page');
  return Number(v);
}

/** /papers/for-you and /following: plain pages whose forms post and redirect back (no JavaScript needed). */
export function discoveryPageRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  const writes = writeLimits(config, 'discovery');

  const forYou = async (c: C, error: ServiceError | null = null) => {
    const { forYou: svc } = c.var.services;
    const user = c.var.user!;
    const [result, interests, categories] = await Promise.all([svc.picksFor(user.id, 30), svc.interests(user.id), svc.popularCategories(24)]);
    const cards = await cardViewerOf(c, result.picks.map((p) => p.paper.id));
    return c.html(<ForYouPage user={user} csrfToken={c.var.csrfToken} result={result} interests={interests} categories={categories} cards={cards} error={error?.message} />, error?.status ?? 200);
  };

  app.get('/papers/for-you', requireUser(), (c) => forYou(c));
  app.post('/papers/for-you/not-interested', requireUser(), ...writes, async (c) => {
    const f = await form(c);
    await c.var.services.forYou.markNotInterested(c.var.user!.id, f.get('paperId') ?? '');
    return flashRedirect(c, safeNext(f.get('next'), sitePaths.forYou()), 'Marked “not interested”: you will see fewer papers like it.');
  });
  app.post('/papers/for-you/interests', requireUser(), ...writes, async (c) => {
    const f = await form(c);
    const svc = c.var.services.forYou;
    const uid = c.var.user!.id;
    try {
      for (const cat of f.getAll('category')) await svc.addInterest(uid, 'category', cat);
      if (f.get('author')?.trim()) await svc.addInterest(uid, 'author', f.get('author')!);
      if (f.get('paper')?.trim()) await svc.addInterest(uid, 'paper', f.get('paper')!);
    } catch (err) {
      if (err instanceof ServiceError) return forYou(c, err);
      throw err;
    }
    return flashRedirect(c, sitePaths.forYou(), 'Interests saved: your picks are updated.');
  });
  app.post('/papers/for-you/interests/:iid/delete', requireUser(), ...writes, async (c) => {
    await c.var.services.forYou.removeInterest(c.var.user!.id, numericParam(c, 'iid'));
    return flashRedirect(c, sitePaths.forYou(), 'Interest removed.');
  });

  const following = async (c: C, error: ServiceError | null = null) => {
    const q = c.req.query('since');
    const since = q && isoDay(q) ? q : await c.var.services.following.defaultSince();
    const news = await c.var.services.following.newFor(c.var.user!.id, since);
    const cards = await cardViewerOf(c, news.items.map((i) => i.item.paper.id));
    return c.html(<FollowingPage user={c.var.user!} csrfToken={c.var.csrfToken} news={news} cards={cards} error={error?.message} />, error?.status ?? 200);
  };
  app.get('/following', requireUser(), (c) => following(c));
  app.post('/following', requireUser(), ...writes, async (c) => {
    const f = await form(c);
    const kind = f.get('kind');
    if (kind !== 'author' && kind !== 'category' && kind !== 'search' && kind !== 'org') return following(c, new ServiceError(400, 'invalid_follow', 'choose an author, a category or a saved search'));
    let followed;
    try {
      followed = await c.var.services.following.follow(c.var.user!.id, kind, f.get('value') ?? '');
    } catch (err) {
      if (err instanceof ServiceError) return following(c, err.status === 404 ? new ServiceError(400, err.code, err.message) : err);
      throw err;
    }
    // Follow buttons on paper and author pages come back to their page.
    return flashRedirect(c, safeNext(f.get('next'), sitePaths.following()), `You follow ${followed.value}: its new papers appear under Following.`);
  });
  app.post('/following/:fid/delete', requireUser(), ...writes, async (c) => {
    const f = await form(c);
    await c.var.services.following.unfollow(c.var.user!.id, numericParam(c, 'fid'));
    return flashRedirect(c, safeNext(f.get('next'), sitePaths.following()), 'Unfollowed.');
  });
  return app;
}
