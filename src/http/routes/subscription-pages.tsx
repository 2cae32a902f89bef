import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { flashRedirect } from '../middleware/page-view.ts';
import { clientIp } from '../middleware/rate-limit.ts';
import { readForm } from '../forms.ts';
import { MAX_ROW_ID } from '../params.ts';
import { SubscribeBody } from '../schemas/subscription.ts';
import { MailNotConfigured, MessagePage, SubscribeForm, UnsubscribePage } from '../views/subscription-pages.tsx';
import { SUBSCRIBE_LIMIT } from '../middleware/limits.ts';
import { currentAccount } from '../session.ts';
import { sitePaths } from '../../domain/site-paths.ts';

const ConfirmQuery = z.object({ id: z.coerce.number().int().positive().max(MAX_ROW_ID), exp: z.coerce.number().int().positive(), sig: z.string().min(10).max(100) });
const UnsubscribeQuery = z.object({ id: z.coerce.number().int().positive().max(MAX_ROW_ID), sig: z.string().min(10).max(100) });

function invalidLink(c: Context<AppEnv>) {
  return c.html(
    <MessagePage title="This link does not work">
      <p>
        The link is incomplete or was changed. Open it again from the mail, or <a href={sitePaths.subscribe()}>subscribe again</a>.
      </p>
    </MessagePage>,
    400,
  );
}

/**
 * The HTML side of subscriptions, working without JavaScript: the banner's form (or GET
 * /subscribe) posts to /subscribe, with the CSRF field like every form.
 */
export function subscriptionPageRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/subscribe', (c) =>
    c.html(
      <MessagePage title="Trending papers in your inbox">
        <SubscribeForm csrfToken={c.var.csrfToken} />
        <MailNotConfigured configured={c.var.services.mail.configured} />
      </MessagePage>,
    ),
  );

  app.post('/subscribe', async (c) => {
    const limit = await c.var.services.rateLimits.hit(`${SUBSCRIBE_LIMIT.name}:ip:${clientIp(c)}`, SUBSCRIBE_LIMIT.limit, SUBSCRIBE_LIMIT.windowSeconds);
    if (!limit.allowed) {
      c.header('Retry-After', String(limit.retryAfter));
      return c.html(<MessagePage title="Too many requests"><p>Try again in a few minutes.</p></MessagePage>, 429);
    }
    const form = await readForm(c);
    const parsed = SubscribeBody.safeParse({
      email: form.get('email') ?? '',
      frequency: form.get('frequency') === 'weekly' ? 'weekly' : 'daily',
    });
    if (!parsed.success) {
      return c.html(
        <MessagePage title="Subscribe">
          <SubscribeForm error="That does not look like an email address." email={(form.get('email') ?? '').slice(0, 254)} csrfToken={c.var.csrfToken} />
        </MessagePage>,
        400,
      );
    }
    await c.var.services.subscriptions.subscribe({ ...parsed.data, account: currentAccount(c), ip: clientIp(c) });
    // post/redirect/get: a refresh of the answer does not post the address again.
    return flashRedirect(c, sitePaths.subscribeSent(), `If ${parsed.data.email} is not subscribed yet, a confirmation link is on its way. The ${parsed.data.frequency} digest starts once you follow it.`);
  });

  app.get('/subscribe/sent', (c) =>
    c.html(
      <MessagePage title="Check your inbox">
        <p>Follow the link in the mail to start your digest. No mail? Look in the spam folder, or subscribe again in a few minutes.</p>
        <MailNotConfigured configured={c.var.services.mail.configured} />
      </MessagePage>,
    ),
  );

  return app;
}

/**
 * The links mails carry: /subscribe/confirm and /unsubscribe. The signature in the query string is
 * the whole authorisation — no log-in, no cookie — so these are mounted before the session and CSRF
 * middleware: POST /unsubscribe is the RFC 8058 one-click target mail providers call from their
 * servers with a form body and no cookie, which the CSRF check would otherwise refuse.
 */
export function signedLinkRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/subscribe/confirm', async (c) => {
    const q = ConfirmQuery.safeParse(c.req.query());
    if (!q.success) return invalidLink(c);
    const outcome = await c.var.services.subscriptions.confirm(q.data);
    if (outcome === 'invalid') return invalidLink(c);
    if (outcome === 'expired') {
      return c.html(
        <MessagePage title="This link has expired">
          <p>
            Confirmation links last 48 hours. <a href={sitePaths.subscribe()}>Subscribe again</a> to get a fresh one.
          </p>
        </MessagePage>,
        410,
      );
    }
    return c.html(
      <MessagePage title="You are subscribed">
        <p>{outcome === 'already' ? 'This subscription was already confirmed.' : 'Thanks! Your first digest comes with the next listing.'}</p>
      </MessagePage>,
    );
  });

  app.get('/unsubscribe', async (c) => {
    const q = UnsubscribeQuery.safeParse(c.req.query());
    if (!q.success) return invalidLink(c);
    const sub = await c.var.services.subscriptions.checkUnsubscribe(q.data);
    if (!sub) return invalidLink(c);
    const action = sitePaths.unsubscribe({ id: q.data.id, sig: q.data.sig });
    return c.html(<UnsubscribePage email={sub.email} action={action} done={sub.status === 'unsubscribed'} />);
  });

  // RFC 8058: the client POSTs `List-Unsubscribe=One-Click` to the header's URL; the signed query
  // string is the authorisation, so neither a log-in nor a CSRF token is involved.
  app.post('/unsubscribe', async (c) => {
    const q = UnsubscribeQuery.safeParse(c.req.query());
    if (!q.success) return invalidLink(c);
    const sub = await c.var.services.subscriptions.checkUnsubscribe(q.data);
    if (!sub) return invalidLink(c);
    await c.var.services.subscriptions.unsubscribe(q.data);
    return c.html(<UnsubscribePage email={sub.email} action="" done={true} />);
  });

  return app;
}
