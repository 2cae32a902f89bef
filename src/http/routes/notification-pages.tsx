import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { requireUser } from '../middleware/auth.ts';
import { writeLimits } from '../middleware/limits.ts';
import { flashRedirect } from '../middleware/page-view.ts';
import { readForm } from '../forms.ts';
import { isRowId } from '../params.ts';
import { safeNext } from '../views/community/forms.tsx';
import { NotificationSettingsPage, NotificationsPage } from '../views/community/notifications-page.tsx';
import { MessagePage } from '../views/subscription-pages.tsx';
import { ServiceError } from '../../services/errors.ts';
import { sitePaths } from '../../domain/site-paths.ts';
import { KIND_LABELS, kindsParam, parseKindsParam, type NotificationKind } from '../../domain/notification.ts';

type C = Context<AppEnv>;

/**
 * The inbox (`/notifications`, paged newest first by `before`), marking read (one or all), the
 * mail settings (`/settings/notifications`) and following a paper's discussion: forms with CSRF,
 * post/redirect/get with a flash message, no JavaScript needed.
 */
export function notificationPageRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  const limits = writeLimits(config, 'discovery');

  app.get('/notifications', requireUser(), async (c) => {
    const raw = c.req.query('before');
    const before = raw !== undefined && isRowId(raw) ? Number(raw) : undefined;
    const user = c.var.user!;
    const [page, unread] = await Promise.all([c.var.services.notifications.list(user.id, { before }), c.var.services.notifications.unreadCount(user.id)]);
    return c.html(<NotificationsPage user={user} csrfToken={c.var.csrfToken} items={page.items} nextBefore={page.nextBefore} unread={unread} before={before} />);
  });

  app.post('/notifications/read-all', requireUser(), ...limits, async (c) => {
    const f = await readForm(c);
    const n = await c.var.services.notifications.markAllRead(c.var.user!.id);
    return flashRedirect(c, safeNext(f.get('next'), sitePaths.notifications()), n === 1 ? 'Marked 1 notification read.' : `Marked ${n} notifications read.`);
  });

  app.post('/notifications/:nid/read', requireUser(), ...limits, async (c) => {
    const f = await readForm(c);
    const nid = c.req.param('nid') ?? '';
    if (!isRowId(nid)) throw new ServiceError(404, 'not_found', 'no such notification');
    await c.var.services.notifications.markRead(c.var.user!.id, Number(nid));
    return flashRedirect(c, safeNext(f.get('next'), sitePaths.notifications()), 'Marked read.');
  });

  const settings = async (c: C) => {
    const kinds = await c.var.services.notifications.emailKinds(c.var.user!.id);
    return c.html(<NotificationSettingsPage user={c.var.user!} csrfToken={c.var.csrfToken} kinds={kinds} mailConfigured={c.var.services.mail.configured} />);
  };
  app.get('/settings/notifications', requireUser(), settings);
  app.post('/settings/notifications', requireUser(), ...limits, async (c) => {
    const f = await readForm(c);
    const kinds = await c.var.services.notifications.setEmailKinds(c.var.user!.id, f.getAll('kind'));
    return flashRedirect(c, sitePaths.settingsNotifications(), kinds.length ? 'Saved: those notifications will be mailed to you, at most once an hour.' : 'Saved: no notification mail.');
  });

  // Follow (or stop following) a paper's discussion: its new comments then notify you.
  app.post('/papers/watch', requireUser(), ...limits, async (c) => {
    const f = await readForm(c);
    const on = f.get('on');
    if (on !== '1' && on !== '0') throw new ServiceError(400, 'invalid_request', 'Choose a paper and whether to follow its discussion.');
    const paperId = (f.get('paperId') ?? '').trim();
    await c.var.services.notifications.setWatch(c.var.user!.id, paperId, on === '1');
    return flashRedirect(
      c,
      safeNext(f.get('next'), sitePaths.paper(paperId)),
      on === '1' ? 'Following this discussion: new comments will be in your notifications.' : 'No longer following this discussion.',
    );
  });
  return app;
}

const UnsubscribeQuery = z.object({
  u: z.string().regex(/^\d{1,10}$/).transform(Number),
  sig: z.string().min(1).max(200),
  // The kinds the mail was about (signed with the account); absent in links that stop everything.
  k: z.string().max(200).optional(),
});

/** The link's kinds: null for "every kind" (no `k`), undefined for a `k` naming something unknown. */
function linkKinds(k: string | undefined): NotificationKind[] | null | undefined {
  if (k === undefined) return null;
  return parseKindsParam(k) ?? undefined;
}

const kindList = (kinds: readonly NotificationKind[]) => kinds.map((k) => KIND_LABELS[k].toLowerCase()).join('; ');

function invalidLink(c: C) {
  return c.html(
    <MessagePage title="This link does not work">
      <p>
        It may have been copied incompletely. You can choose which notifications are mailed in <a href={sitePaths.settingsNotifications()}>your settings</a>.
      </p>
    </MessagePage>,
    400,
  );
}

/**
 * The one-click unsubscribe link notification mails carry (RFC 8058, as the digest's): the signed
 * query string is the authorisation, so these are mounted before sessions and CSRF.
 */
export function notificationSignedLinkRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/notifications/unsubscribe', async (c) => {
    const q = UnsubscribeQuery.safeParse(c.req.query());
    if (!q.success) return invalidLink(c);
    const kinds = linkKinds(q.data.k);
    if (kinds === undefined) return invalidLink(c);
    const name = await c.var.services.notifications.checkUnsubscribe(q.data.u, q.data.sig, kinds);
    if (!name) return invalidLink(c);
    const action = sitePaths.notificationsUnsubscribe({ u: q.data.u, k: kinds ? kindsParam(kinds) : undefined, sig: q.data.sig });
    return c.html(
      <MessagePage title="Stop notification mail">
        {kinds ? (
          <p>
            Stop mailing {name} about: {kindList(kinds)}? Other notification mail goes on; everything stays in the inbox on the site.
          </p>
        ) : (
          <p>Stop mailing notifications to {name}? They stay in the inbox on the site.</p>
        )}
        <form method="post" action={action}>
          <button type="submit">Unsubscribe</button>
        </form>
        <p>
          To stop all notification mail, or choose kind by kind, use <a href={sitePaths.settingsNotifications()}>your settings</a>.
        </p>
      </MessagePage>,
    );
  });
  app.post('/notifications/unsubscribe', async (c) => {
    const q = UnsubscribeQuery.safeParse(c.req.query());
    const kinds = q.success ? linkKinds(q.data.k) : undefined;
    if (!q.success || kinds === undefined) return invalidLink(c);
    const still = await c.var.services.notifications.unsubscribe(q.data.u, q.data.sig, kinds);
    if (!still) return invalidLink(c);
    return c.html(
      <MessagePage title="Unsubscribed">
        <p>
          {kinds ? `No more mail about: ${kindList(kinds)}.` : 'No more notification mail.'}
          {still.length > 0 && ` Still mailed: ${kindList(still)}.`} You can change this in <a href={sitePaths.settingsNotifications()}>your settings</a>.
        </p>
      </MessagePage>,
    );
  });
  return app;
}
