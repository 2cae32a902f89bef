import { Hono, type Context } from 'hono';
import { cardViewerOf } from '../card-viewer.ts';
import { getCookie } from 'hono/cookie';
import type { Config } from '../../config.ts';
import { canonicalPaperId } from '../../domain/arxiv-id.ts';
import { TOKEN_SCOPES, type TokenScope } from '../../domain/community.ts';
import { ServiceError } from '../../services/errors.ts';
import type { AppEnv } from '../env.ts';
import { SESSION_COOKIE, clearSessionCookie } from '../cookies.ts';
import { requireAdmin, requireUser } from '../middleware/auth.ts';
import { anonymousLimit, writeLimits } from '../middleware/limits.ts';
import { anonymousCsrf, withAnonymousCsrfCookie } from '../middleware/csrf.ts';
import { clientIp } from '../middleware/rate-limit.ts';
import { PAPER_ID, isRowId, paperIdFromPath } from '../params.ts';
import { startSession } from '../session.ts';
import { flashRedirect } from '../middleware/page-view.ts';
import type { User } from '../../domain/community.ts';
import { AdminPage } from '../views/community/admin-page.tsx';
import { ConfirmAccountPage, ForgotPasswordPage, LoginPage, LogoutPage, ResetPasswordPage, SignupPage } from '../views/community/auth-pages.tsx';
import { CollectionPage, CollectionsPage, DeleteCollectionPage } from '../views/community/collection-pages.tsx';
import { CommentEditPage, DeleteCommentPage, DiscussionPage } from '../views/community/discussion-page.tsx';
import { safeNext } from '../views/community/forms.tsx';
import { readForm } from '../forms.ts';
import { ProfilePage } from '../views/community/profile-page.tsx';
import { SettingsPage } from '../views/community/settings-page.tsx';
import { SubmitPage } from '../views/community/submit-page.tsx';
import { communityScript } from '../assets.ts';
import { sitePaths } from '../../domain/site-paths.ts';

type C = Context<AppEnv>;

/** Pages post urlencoded forms; each field is capped and checked at the edge (`readForm`). */
const form = (c: C): Promise<URLSearchParams> => readForm(c);

/** Runs `fn`; a refused rule becomes the message shown on the re-rendered form. */
async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: T } | { error: ServiceError }> {
  try {
    return { ok: await fn() };
  } catch (err) {
    if (err instanceof ServiceError) return { error: err };
    throw err;
  }
}

function withRetryAfter(c: C, err: ServiceError): void {
  if (err.retryAfter) c.header('Retry-After', String(err.retryAfter));
}

/** The paper a visitor asked to upvote before logging in ("Log in to upvote"), if the form carried a valid id. */
function pendingUpvote(raw: string | null | undefined): string | null {
  return raw ? canonicalPaperId(raw.slice(0, 220)) : null;
}

/**
 * Applies the upvote a visitor asked for before logging in. It rides in the log-in or sign-up POST,
 * which carries the page's CSRF token, so no other site can cast it; an unknown or hidden paper
 * is skipped (the log-in itself succeeded).
 */
async function applyPendingUpvote(c: C, user: User, paperId: string | null): Promise<boolean> {
  if (!paperId) return false;
  try {
    await c.var.services.upvotes.set(user, paperId, true);
    return true;
  } catch (err) {
    if (err instanceof ServiceError) return false;
    throw err;
  }
}

/** A row id from the path; anything else (ids beyond PostgreSQL's integer range too) is no such page. */
function numericParam(c: C, name: string): number {
  const v = c.req.param(name) ?? '';
  if (!isRowId(v)) throw new ServiceError(404, 'not_found', 'no such page');
  return Number(v);
}

/** HTML pages for accounts, submissions, discussions, collections and moderation (forms work without JavaScript). */
export function communityPageRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  const v = (c: C) => ({ user: c.var.user, csrfToken: c.var.csrfToken });

  app.get('/community.js', (c) => c.body(communityScript(), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' }));

  // Accounts
  app.get('/signup', withAnonymousCsrfCookie(), (c) =>
    c.var.user ? c.redirect('/', 303) : c.html(<SignupPage csrfToken={c.var.csrfToken} next={safeNext(c.req.query('next'))} upvote={pendingUpvote(c.req.query('upvote'))} />),
  );
  app.post('/signup', anonymousCsrf(), anonymousLimit(config, 'signup'), async (c) => {
    const f = await form(c);
    const input = { username: f.get('username') ?? '', email: f.get('email') ?? '', password: f.get('password') ?? '' };
    const next = safeNext(f.get('next'));
    const upvote = pendingUpvote(f.get('upvote'));
    const r = await attempt(() => c.var.services.accounts.signup(input, clientIp(c), { upvote }));
    if ('error' in r) return c.html(<SignupPage csrfToken={c.var.csrfToken} error={r.error.message} username={input.username} email={input.email} next={next} upvote={upvote} />, r.error.status);
    return c.html(<SignupPage csrfToken={c.var.csrfToken} sentTo={input.email.trim()} />, 202);
  });

  // The link mailed at sign-up (or to verify an address) shows a button: a GET alone, which mail
  // scanners make, creates nothing and logs nobody in.
  app.get('/confirm-account', withAnonymousCsrfCookie(), async (c) => {
    const token = c.req.query('token') ?? '';
    const purpose = await c.var.services.accounts.confirmationPurpose(token);
    return c.html(<ConfirmAccountPage csrfToken={c.var.csrfToken} user={c.var.user} token={token} purpose={purpose} upvote={pendingUpvote(c.req.query('upvote'))} />, purpose ? 200 : 400);
  });
  app.post('/confirm-account', anonymousCsrf(), anonymousLimit(config, 'signup'), async (c) => {
    const f = await form(c);
    const r = await attempt(() => c.var.services.accounts.confirmAccount(f.get('token') ?? ''));
    if ('error' in r) return c.html(<ConfirmAccountPage csrfToken={c.var.csrfToken} user={c.var.user} token="" purpose={null} error={r.error.message} />, r.error.status);
    if (r.ok.loggedIn) {
      await startSession(c, r.ok.loggedIn);
      // The upvote asked for before signing up rides in this CSRF-checked form, as at log-in.
      const voted = await applyPendingUpvote(c, r.ok.loggedIn.user, pendingUpvote(f.get('upvote')));
      return flashRedirect(c, '/', `Welcome to Paperboy, ${r.ok.loggedIn.user.username}!${voted ? ' Your upvote is counted.' : ''} For you and Following are in the header; your account is under your name.`, { forUser: r.ok.loggedIn.user.id });
    }
    return flashRedirect(c, sitePaths.settingsMail(), 'Your address is confirmed.');
  });

  app.get('/login', withAnonymousCsrfCookie(), (c) => c.html(<LoginPage csrfToken={c.var.csrfToken} next={safeNext(c.req.query('next'))} upvote={pendingUpvote(c.req.query('upvote'))} />));
  app.post('/login', anonymousCsrf(), anonymousLimit(config, 'login'), async (c) => {
    const f = await form(c);
    const username = f.get('username') ?? '';
    const next = safeNext(f.get('next'));
    const upvote = pendingUpvote(f.get('upvote'));
    const r = await attempt(() => c.var.services.accounts.login({ username, password: f.get('password') ?? '', ip: clientIp(c) }));
    if ('error' in r) {
      withRetryAfter(c, r.error);
      return c.html(<LoginPage csrfToken={c.var.csrfToken} next={next} upvote={upvote} username={username} error={r.error.message} />, r.error.status);
    }
    await startSession(c, r.ok);
    const voted = await applyPendingUpvote(c, r.ok.user, upvote);
    return flashRedirect(c, next, `Logged in as ${r.ok.user.username}.${voted ? ' Your upvote is counted.' : ''}`, { forUser: r.ok.user.id });
  });

  app.get('/logout', (c) => c.html(<LogoutPage {...v(c)} />));
  app.post('/logout', async (c) => {
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid) await c.var.services.accounts.logout(sid);
    clearSessionCookie(c);
    return flashRedirect(c, '/', 'You are logged out.', { forUser: null });
  });

  app.get('/forgot-password', withAnonymousCsrfCookie(), (c) => c.html(<ForgotPasswordPage csrfToken={c.var.csrfToken} />));
  app.post('/forgot-password', anonymousCsrf(), anonymousLimit(config, 'reset'), async (c) => {
    const f = await form(c);
    c.var.services.accounts.requestPasswordReset(f.get('email') ?? '', clientIp(c));
    // post/redirect/get: a refresh does not ask for another mail. The answer never says whether the address has an account.
    return flashRedirect(c, sitePaths.forgotPassword(), 'If an account has that address, a link to reset its password is on its way. It works once, for a limited time.', { forUser: null });
  });

  app.get('/reset-password', withAnonymousCsrfCookie(), async (c) => {
    const token = c.req.query('token') ?? '';
    const valid = token ? await c.var.services.accounts.resetTokenIsValid(token) : false;
    return c.html(<ResetPasswordPage csrfToken={c.var.csrfToken} token={token} valid={valid} />, valid ? 200 : 400);
  });
  app.post('/reset-password', anonymousCsrf(), anonymousLimit(config, 'reset'), async (c) => {
    const f = await form(c);
    const token = f.get('token') ?? '';
    const r = await attempt(() => c.var.services.accounts.resetPassword(token, f.get('password') ?? ''));
    if ('error' in r) {
      const valid = r.error.code !== 'invalid_reset_link';
      return c.html(<ResetPasswordPage csrfToken={c.var.csrfToken} token={token} valid={valid} error={r.error.message} />, r.error.status);
    }
    return flashRedirect(c, sitePaths.login(), 'Your new password is set: log in with it.', { forUser: null });
  });

  // Settings: API tokens and sessions
  app.get('/settings', requireUser(), async (c) => {
    const tokens = await c.var.services.accounts.listApiTokens(c.var.user!.id);
    return c.html(<SettingsPage user={c.var.user!} csrfToken={c.var.csrfToken} tokens={tokens} />);
  });
  app.post('/settings/tokens', requireUser(), async (c) => {
    const f = await form(c);
    const { accounts } = c.var.services;
    const name = (f.get('name') ?? '').slice(0, 100);
    const scopes = f.getAll('scopes').filter((x): x is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(x));
    const days = Number(f.get('expiresInDays') ?? '');
    const r = await attempt(() => accounts.createApiToken(c.var.user!, name, { scopes, expiresInDays: Number.isInteger(days) && days >= 1 ? days : undefined, via: c.var.authVia === 'token' ? 'token' : 'session' }));
    if ('error' in r) return flashRedirect(c, sitePaths.settings(), r.error.message);
    // post/redirect/get: a refresh must not create a second token, and the token is shown once
    // from a short-lived server-side flash (never in a URL or a cookie).
    return flashRedirect(c, sitePaths.settings(), `Token “${name}” created. Copy it now: it is not shown again.`, { secret: r.ok.token });
  });
  app.post('/settings/verify-email', requireUser(), async (c) => {
    await c.var.services.accounts.requestEmailVerification(c.var.user!, clientIp(c));
    return flashRedirect(c, sitePaths.settings(), `A link that confirms ${c.var.user!.email} is on its way.`);
  });
  app.post('/settings/tokens/:tokenId/revoke', requireUser(), async (c) => {
    await c.var.services.accounts.revokeApiToken(c.var.user!.id, numericParam(c, 'tokenId'));
    return flashRedirect(c, sitePaths.settings(), 'Token revoked: scripts using it now get 401.');
  });
  app.post('/settings/logout-everywhere', requireUser(), async (c) => {
    await c.var.services.accounts.logoutEverywhere(c.var.user!.id);
    clearSessionCookie(c);
    return flashRedirect(c, sitePaths.login(), 'Every session of your account has ended, this one included.', { forUser: null });
  });

  // Profiles
  app.get('/users/:name', async (c) => {
    const data = await c.var.services.profiles.profile(c.req.param('name'), c.var.user);
    const [papers, orgs, cards] = await Promise.all([
      c.var.services.claims.claimedPapers(data.profile.id),
      c.var.services.orgs.listedOf(data.profile.id),
      cardViewerOf(c, [...new Set([...data.upvoted.map((p) => p.id), ...data.submitted.map((s) => s.paper.id)])]),
    ]);
    return c.html(<ProfilePage viewer={c.var.user} csrfToken={c.var.csrfToken} data={data} cards={cards} authorship={{ papers, orgs }} />);
  });

  // Submissions
  const submitPage = (c: C, extra: { error?: string; arxivId?: string } = {}) => (
    <SubmitPage user={c.var.user!} csrfToken={c.var.csrfToken} quota={config.submissionDailyQuota} maxAgeDays={config.submissionMaxAgeDays} {...extra} />
  );
  app.get('/submit', requireUser(), (c) => c.html(submitPage(c)));
  app.post('/submit', requireUser(), ...writeLimits(config, 'submit'), async (c) => {
    const f = await form(c);
    const arxivId = f.get('arxivId') ?? '';
    const r = await attempt(() => c.var.services.submissions.submit(c.var.user!, arxivId));
    if ('error' in r) return c.html(submitPage(c, { error: r.error.message, arxivId }), r.error.status);
    return flashRedirect(c, sitePaths.paper(r.ok.paper.id), `Submitted: this paper is on the feed of ${r.ok.day}.`);
  });

  // Upvotes (the form asks for a state, so repeated clicks on a stale page do not flip it back)
  app.post(`/papers/${PAPER_ID}/upvote`, requireUser(), ...writeLimits(config, 'upvote'), async (c) => {
    const id = paperIdFromPath(c.req.param('id') ?? '');
    const f = await form(c);
    const action = f.get('action');
    const { upvotes } = c.var.services;
    // Forms that say which state they want are idempotent; a bare form (no `action`) toggles.
    const state = action === 'add' || action === 'remove' ? await upvotes.set(c.var.user!, id, action === 'add') : await upvotes.toggle(c.var.user!, id);
    if ((c.req.header('accept') ?? '').includes('application/json')) return c.json(state);
    return flashRedirect(c, safeNext(f.get('next'), sitePaths.paper(id)), state.upvoted ? 'Upvoted.' : 'Upvote removed.');
  });

  // Discussion
  app.get(`/papers/${PAPER_ID}/discussion`, async (c) => {
    const id = paperIdFromPath(c.req.param('id') ?? '');
    const user = c.var.user;
    const { paper, upvoted, comments, collections, inCollections: containing } = await c.var.services.papers.page(id, user);
    return c.html(
      <DiscussionPage viewer={user} csrfToken={c.var.csrfToken} paper={paper} upvoted={upvoted} comments={comments} collections={collections} containing={containing} editMinutes={config.commentEditMinutes} />,
    );
  });
  app.post(`/papers/${PAPER_ID}/comments`, requireUser(), ...writeLimits(config, 'comment'), async (c) => {
    const id = paperIdFromPath(c.req.param('id') ?? '');
    const f = await form(c);
    const parent = f.get('parentId');
    const comment = await c.var.services.comments.post(c.var.user!, id, f.get('body') ?? '', parent && isRowId(parent) ? Number(parent) : null);
    return flashRedirect(c, `${safeNext(f.get('next'), sitePaths.paperDiscussion(id))}#comment-${comment.id}`, parent ? 'Reply posted.' : 'Comment posted.');
  });
  app.get('/comments/:cid/edit', requireUser(), async (c) => {
    const comment = await c.var.services.comments.own(c.var.user!, numericParam(c, 'cid'));
    const next = safeNext(c.req.query('next'), sitePaths.paperDiscussion(comment.paperId));
    const error = c.var.services.comments.canEdit(c.var.user, comment) ? undefined : `comments can be edited for ${config.commentEditMinutes} minutes after posting`;
    return c.html(<CommentEditPage viewer={c.var.user!} csrfToken={c.var.csrfToken} comment={comment} next={next} error={error} />);
  });
  app.post('/comments/:cid/edit', requireUser(), ...writeLimits(config, 'comment'), async (c) => {
    const f = await form(c);
    const comment = await c.var.services.comments.edit(c.var.user!, numericParam(c, 'cid'), f.get('body') ?? '');
    return flashRedirect(c, `${safeNext(f.get('next'), sitePaths.paperDiscussion(comment.paperId))}#comment-${comment.id}`, 'Comment saved.');
  });
  // Deleting asks first: the comment's "Delete" link opens this page, whose button posts.
  app.get('/comments/:cid/delete', requireUser(), async (c) => {
    const user = c.var.user!;
    const comment = await c.var.services.comments.deletable(user, numericParam(c, 'cid'));
    const next = safeNext(c.req.query('next'), sitePaths.paper(comment.paperId));
    return c.html(<DeleteCommentPage viewer={user} csrfToken={c.var.csrfToken} comment={comment} next={next} />);
  });
  app.post('/comments/:cid/delete', requireUser(), async (c) => {
    const f = await form(c);
    const comment = await c.var.services.comments.delete(c.var.user!, numericParam(c, 'cid'));
    return flashRedirect(c, safeNext(f.get('next'), sitePaths.paperDiscussion(comment.paperId)), 'Comment deleted.');
  });

  // Collections
  app.get('/collections', requireUser(), async (c) => {
    const collections = await c.var.services.collections.listOwn(c.var.user!);
    return c.html(<CollectionsPage user={c.var.user!} csrfToken={c.var.csrfToken} collections={collections} />);
  });
  app.post('/collections', requireUser(), async (c) => {
    const f = await form(c);
    const { collections } = c.var.services;
    const r = await attempt(() => collections.create(c.var.user!, { name: f.get('name') ?? '', description: f.get('description') || null, isPublic: f.get('public') === '1' }));
    if ('error' in r) {
      return c.html(<CollectionsPage user={c.var.user!} csrfToken={c.var.csrfToken} collections={await collections.listOwn(c.var.user!)} error={r.error.message} />, r.error.status);
    }
    const paperId = f.get('paperId');
    if (paperId) await collections.addPaper(c.var.user!, r.ok.id, paperIdFromPath(paperId));
    return flashRedirect(c, safeNext(f.get('next'), sitePaths.collection(r.ok.id)), paperId ? `Collection “${r.ok.name}” created, with this paper in it.` : `Collection “${r.ok.name}” created.`);
  });
  app.get('/collections/:cid', async (c) => {
    const { collection, papers } = await c.var.services.collections.get(c.var.user, numericParam(c, 'cid'));
    const cards = await cardViewerOf(c, papers.map((p) => p.id));
    return c.html(<CollectionPage viewer={c.var.user} csrfToken={c.var.csrfToken} collection={collection} papers={papers} cards={cards} importMaxBytes={config.libraryImportMaxBytes} />);
  });
  app.post('/collections/:cid/papers', requireUser(), async (c) => {
    const id = numericParam(c, 'cid');
    const f = await form(c);
    const paperId = paperIdFromPath(f.get('paperId') ?? '');
    const remove = f.get('action') === 'remove';
    if (remove) await c.var.services.collections.removePaper(c.var.user!, id, paperId);
    else await c.var.services.collections.addPaper(c.var.user!, id, paperId);
    return flashRedirect(c, safeNext(f.get('next'), sitePaths.collection(id)), remove ? 'Removed from the collection.' : 'Saved to the collection.');
  });
  app.post('/collections/:cid/settings', requireUser(), async (c) => {
    const id = numericParam(c, 'cid');
    const f = await form(c);
    await c.var.services.collections.update(c.var.user!, id, { name: f.get('name') ?? undefined, isPublic: f.get('public') === '1' });
    return flashRedirect(c, sitePaths.collection(id), 'Collection saved.');
  });
  // "Delete this collection" asks first: a link to this page, whose button posts.
  app.get('/collections/:cid/delete', requireUser(), async (c) => {
    const { collection } = await c.var.services.collections.get(c.var.user, numericParam(c, 'cid'));
    if (collection.userId !== c.var.user!.id) throw new ServiceError(404, 'not_found', 'no such collection of yours');
    return c.html(<DeleteCollectionPage user={c.var.user!} csrfToken={c.var.csrfToken} collection={collection} />);
  });
  app.post('/collections/:cid/delete', requireUser(), async (c) => {
    await c.var.services.collections.delete(c.var.user!, numericParam(c, 'cid'));
    return flashRedirect(c, sitePaths.collections(), 'Collection deleted.');
  });

  // Moderation
  const adminPage = async (c: C, extra: { message?: string; error?: string } = {}, status: 200 | 400 | 404 = 200) =>
    c.html(
      <AdminPage user={c.var.user!} csrfToken={c.var.csrfToken} entries={await c.var.services.moderation.auditLog(c.var.user!, 200)} openReports={await c.var.services.reports.countOpen(c.var.user!)} pendingClaims={await c.var.services.claims.countPending(c.var.user!)} pendingOrgs={await c.var.services.orgs.countPending(c.var.user!)} {...extra} />,
      status,
    );
  app.get('/admin', requireAdmin(), (c) => adminPage(c));
  app.post('/admin/papers/hide', requireAdmin(), async (c) => {
    const f = await form(c);
    const r = await attempt(async () => {
      const id = paperIdFromPath(f.get('paperId') ?? '');
      await c.var.services.moderation.setPaperHidden(c.var.user!, id, f.get('unhide') !== '1', f.get('reason') || undefined);
      return id;
    });
    if ('error' in r) return adminPage(c, { error: r.error.message }, r.error.status === 404 ? 404 : 400);
    return flashRedirect(c, sitePaths.admin(), `Paper ${r.ok} ${f.get('unhide') === '1' ? 'is visible again' : 'is hidden'}.`);
  });
  app.post('/admin/users/ban', requireAdmin(), async (c) => {
    const f = await form(c);
    const r = await attempt(() => c.var.services.moderation.setBanned(c.var.user!, f.get('username') ?? '', f.get('unban') !== '1', f.get('reason') || undefined));
    if ('error' in r) return adminPage(c, { error: r.error.message }, r.error.status === 404 ? 404 : 400);
    return flashRedirect(c, sitePaths.admin(), `${r.ok.username} is ${r.ok.banned ? 'banned' : 'no longer banned'}.`);
  });

  return app;
}
