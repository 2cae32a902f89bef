import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import type { AccountRef } from '../../services/subscriptions.ts';
import { clientIp } from '../middleware/rate-limit.ts';
import { MailStatusResponse, SubscribeBody, SubscribeResponse } from '../schemas/subscription.ts';

export const SUBSCRIBE_LIMIT = { name: 'subscribe', limit: 30, windowSeconds: 600 };

/** The signed-in account, when the community feature's session middleware has set one. */
export function currentAccount(c: { var: object }): AccountRef | null {
  return (c.var as { user?: AccountRef | null }).user ?? null;
}

export function subscriptionApiRoutes() {
  const app = new Hono<AppEnv>();

  apiRoute(
    app,
    {
      method: 'post',
      path: '/api/subscriptions',
      summary: 'Subscribe an address to the daily or weekly digest (a confirmation mail is sent first)',
      tags: ['mail'],
      body: SubscribeBody,
      response: SubscribeResponse,
      status: 202,
      auth: 'optional',
      errors: { 400: 'bad address, frequency or category', 429: 'rate limited' },
    },
    rateLimit(SUBSCRIBE_LIMIT),
    async (c, { body }) => {
      await c.var.services.subscriptions.subscribe({ ...body, account: currentAccount(c), ip: clientIp(c) });
      // The same answer whether or not the address was already subscribed: it reveals nothing.
      return c.json(
        {
          status: 'confirmation_pending' as const,
          message: `If ${body.email} is not subscribed yet, a confirmation link is on its way; the subscription starts once it is followed.`,
          mailConfigured: c.var.services.mail.configured,
        },
        202,
      );
    },
  );

  apiRoute(
    app,
    { method: 'get', path: '/api/mail/status', summary: 'Whether this server delivers mail (SMTP_URL is set)', tags: ['mail'], response: MailStatusResponse },
    async (c) => ({ configured: c.var.services.mail.configured }),
  );

  return app;
}
