import { Hono, type Context } from 'hono';
import type { Config } from '../../config.ts';
import { canonicalPaperId } from '../../domain/arxiv-id.ts';
import { ServiceError } from '../../services/errors.ts';
import type { AppEnv } from '../env.ts';
import { readForm } from '../forms.ts';
import { requireAdmin, requireUser } from '../middleware/auth.ts';
import { writeLimits } from '../middleware/limits.ts';
import { flashRedirect } from '../middleware/page-view.ts';
import { isRowId } from '../params.ts';
import { paperUrl } from '../views/components.tsx';
import { cardViewerOf } from '../card-viewer.ts';
import { ClaimPage, ClaimQueuePage, MyOrgsPage, OrgIndexPage, OrgPage, OrgQueuePage, orgUrl } from '../views/authorship-pages.tsx';
import type { FollowViewer } from '../views/follow-button.tsx';
import { NotFoundPage } from '../views/error-page.tsx';
import { AccountContext } from '../views/account-context.ts';
import { sitePaths } from '../../domain/site-paths.ts';

type C = Context<AppEnv>;
const PER_PAGE = 50;

const pageNumber = (c: C) => {
  const n = Number(c.req.query('page') ?? '1');
  return Number.isInteger(n) && n >= 1 && n <= 10_000 ? n : 1;
};

/** A 4xx from a service shown on the form's page; anything else is the app's error. */
const formError = (err: unknown): ServiceError => {
  if (err instanceof ServiceError && err.status >= 400 && err.status < 500) return err;
  throw err;
};

/**
 * Author claims (the claim form, the links form, the moderators' queue at `/admin/claims`) and
 * organisations (`/orgs`, `/orgs/{slug}`, your organisations at `/settings/orgs`, the moderators'
 * queue at `/admin/orgs`). Plain forms with CSRF, post/redirect/get with a flash message.
 */
export function authorshipPageRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  const writes = writeLimits(config, 'claim');

  const notFound = (c: C) =>
    c.html(
      <AccountContext.Provider value={{ user: c.var.user, csrfToken: c.var.csrfToken }}>
        <NotFoundPage path={c.req.path} />
      </AccountContext.Provider>,
      404,
    );

  // --- Claims
  const claimPage = async (c: C, rawPaper: string | undefined, extra: { chosen?: number | null; error?: ServiceError; evidence?: string } = {}) => {
    const id = canonicalPaperId(rawPaper ?? '');
    const paper = id ? await c.var.services.papers.get(id).catch((err) => (err instanceof ServiceError && err.status === 404 ? null : Promise.reject(err))) : null;
    if (!paper) return notFound(c);
    const claims = await c.var.services.claims.mine(c.var.user!, paper.id);
    return c.html(<ClaimPage user={c.var.user!} csrfToken={c.var.csrfToken} paper={paper} chosen={extra.chosen ?? null} claims={claims} error={extra.error?.message} evidence={extra.evidence} />, extra.error?.status === 409 ? 409 : extra.error ? 400 : 200);
  };
  app.get('/claim', requireUser(), (c) => {
    const a = Number(c.req.query('author'));
    return claimPage(c, c.req.query('paper'), { chosen: Number.isInteger(a) && a >= 0 ? a : null });
  });
  app.post('/claim', requireUser(), ...writes, async (c) => {
    const f = await readForm(c);
    const rawPaper = f.get('paper') ?? '';
    const index = Number(f.get('author'));
    const evidence = f.get('evidence') ?? '';
    const id = canonicalPaperId(rawPaper);
    const paper = id ? await c.var.services.papers.get(id).catch(() => null) : null;
    if (!paper) return notFound(c);
    const name = Number.isInteger(index) && index >= 0 ? paper.authors[index] : undefined;
    if (name === undefined) return claimPage(c, paper.id, { error: new ServiceError(400, 'invalid_claim', 'choose which listed name is yours'), evidence });
    try {
      // Always the signed-in reader: the form has no field naming whose claim it is.
      await c.var.services.claims.claim(c.var.user!, paper.id, { authorName: name, evidence });
    } catch (err) {
      return claimPage(c, paper.id, { chosen: index, error: formError(err), evidence });
    }
    return flashRedirect(c, paperUrl(paper.id), `Thank you: your claim to be ${name} is waiting for a moderator.`);
  });

  app.post('/author-links', requireUser(), ...writes, async (c) => {
    const f = await readForm(c);
    const id = canonicalPaperId(f.get('paper') ?? '');
    if (!id) return notFound(c);
    // A refusal (not a verified author: 403; not an https URL: 400) is the error page with its status.
    await c.var.services.claims.setLinks(c.var.user!, id, { code: f.get('code') ?? undefined, project: f.get('project') ?? undefined });
    return flashRedirect(c, paperUrl(id), 'Links saved: they are shown on this paper for everyone.');
  });

  const claimQueue = async (c: C, error?: ServiceError) => {
    const [claims, approved] = await Promise.all([c.var.services.claims.queue(c.var.user!), c.var.services.claims.approved(c.var.user!)]);
    return c.html(<ClaimQueuePage user={c.var.user!} csrfToken={c.var.csrfToken} claims={claims} approved={approved} error={error?.message} />, (error?.status ?? 200) as 200);
  };
  app.get('/admin/claims', requireAdmin(), (c) => claimQueue(c));
  app.post('/admin/claims/:cid/decide', requireAdmin(), async (c) => {
    const f = await readForm(c);
    const cid = c.req.param('cid') ?? '';
    if (!isRowId(cid)) return claimQueue(c, new ServiceError(404, 'not_found', 'no such claim'));
    const decision = f.get('decision');
    if (decision !== 'approve' && decision !== 'refuse') return claimQueue(c, new ServiceError(400, 'invalid_decision', 'approve or refuse'));
    try {
      const claim = await c.var.services.claims.decide(c.var.user!, Number(cid), decision, f.get('note'));
      return flashRedirect(c, sitePaths.adminClaims(), `${decision === 'approve' ? 'Approved' : 'Refused'}: ${claim.username} as ${claim.authorName}.`);
    } catch (err) {
      return claimQueue(c, formError(err));
    }
  });

  app.post('/admin/claims/:cid/revoke', requireAdmin(), async (c) => {
    const f = await readForm(c);
    const cid = c.req.param('cid') ?? '';
    if (!isRowId(cid)) return claimQueue(c, new ServiceError(404, 'not_found', 'no such claim'));
    try {
      const claim = await c.var.services.claims.revoke(c.var.user!, Number(cid), f.get('note'));
      return flashRedirect(c, sitePaths.adminClaims(), `Revoked: ${claim.username} is no longer verified as ${claim.authorName}.`);
    } catch (err) {
      return claimQueue(c, formError(err));
    }
  });

  // --- Organisations
  app.get('/orgs', async (c) => {
    const page = pageNumber(c);
    const q = (c.req.query('q') ?? '').trim().slice(0, 100);
    const r = await c.var.services.orgs.index({ limit: PER_PAGE, offset: (page - 1) * PER_PAGE, q });
    return c.html(<OrgIndexPage viewer={c.var.user} csrfToken={c.var.csrfToken} orgs={r.orgs} page={page} hasMore={r.hasMore} q={q} />);
  });
  app.get('/orgs/:slug', async (c) => {
    const page = pageNumber(c);
    let r;
    try {
      r = await c.var.services.orgs.page(c.req.param('slug'), { limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
    } catch (err) {
      if (err instanceof ServiceError && err.status === 404) return notFound(c);
      throw err;
    }
    const user = c.var.user;
    const [cards, follows] = await Promise.all([
      cardViewerOf(c, r.items.map((i) => i.paper.id)),
      user ? c.var.services.following.followedKeys(user.id) : new Map<string, number>(),
    ]);
    const follow: FollowViewer = { signedIn: Boolean(user), csrfToken: c.var.csrfToken, next: cards.next, follows };
    return c.html(<OrgPage viewer={user} csrfToken={c.var.csrfToken} org={r.org} items={r.items} members={r.members} page={page} hasMore={r.hasMore} cards={cards} follow={follow} />);
  });

  const myOrgs = async (c: C, extra: { error?: ServiceError; name?: string; website?: string } = {}) =>
    c.html(<MyOrgsPage user={c.var.user!} csrfToken={c.var.csrfToken} orgs={await c.var.services.orgs.mine(c.var.user!)} error={extra.error?.message} name={extra.name} website={extra.website} />, (extra.error?.status ?? 200) as 200);
  app.get('/settings/orgs', requireUser(), (c) => myOrgs(c));
  app.post('/settings/orgs', requireUser(), ...writes, async (c) => {
    const f = await readForm(c);
    const name = f.get('name') ?? '';
    const website = f.get('website') ?? '';
    try {
      const r = await c.var.services.orgs.declare(c.var.user!, { name, website });
      const msg =
        r.org.status === 'listed'
          ? `You are listed as a member of ${r.org.name}.`
          : r.created
            ? `Thank you: ${r.org.name} appears once a moderator lists it.`
            : `${r.org.name} is waiting for a moderator; you are among its members.`;
      return flashRedirect(c, sitePaths.settingsOrgs(), msg);
    } catch (err) {
      return myOrgs(c, { error: formError(err), name, website });
    }
  });
  app.post('/settings/orgs/:slug/leave', requireUser(), async (c) => {
    await readForm(c);
    try {
      await c.var.services.orgs.leave(c.var.user!, c.req.param('slug'));
    } catch (err) {
      return myOrgs(c, { error: formError(err) });
    }
    return flashRedirect(c, sitePaths.settingsOrgs(), 'You left the organisation.');
  });

  const orgQueue = async (c: C, error?: ServiceError) => c.html(<OrgQueuePage user={c.var.user!} csrfToken={c.var.csrfToken} orgs={await c.var.services.orgs.pending(c.var.user!)} error={error?.message} />, (error?.status ?? 200) as 200);
  app.get('/admin/orgs', requireAdmin(), (c) => orgQueue(c));
  app.post('/admin/orgs/:oid/decide', requireAdmin(), async (c) => {
    const f = await readForm(c);
    const oid = c.req.param('oid') ?? '';
    if (!isRowId(oid)) return orgQueue(c, new ServiceError(404, 'not_found', 'no such organisation'));
    const decision = f.get('decision');
    if (decision !== 'list' && decision !== 'refuse') return orgQueue(c, new ServiceError(400, 'invalid_decision', 'list or refuse'));
    try {
      const org = await c.var.services.orgs.decide(c.var.user!, Number(oid), decision);
      return flashRedirect(c, sitePaths.adminOrgs(), decision === 'list' ? `Listed: ${org.name} (${orgUrl(org.slug)}).` : `Refused: ${org.name}.`);
    } catch (err) {
      return orgQueue(c, formError(err));
    }
  });
  return app;
}
