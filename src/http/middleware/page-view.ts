import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../env.ts';
import { isHttps } from '../cookies.ts';
import { requestViews, type RequestView } from '../views/request-view.ts';

export const FLASH_COOKIE = 'pb_flash';

const isPage = (path: string) => !path.startsWith('/api/') && !path.startsWith('/feeds/') && !path.startsWith('/assets/');

/**
 * Runs each page request inside its `RequestView` (account, CSRF token, flash message) for the
 * layout to read. A flash message is used up only once a page has shown it: a redirect in between
 * (`/papers/week` → `/papers/week/2025-W31`) keeps it for the page that follows.
 */
export function pageView(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const flashId = isPage(c.req.path) && c.req.method === 'GET' ? getCookie(c, FLASH_COOKIE) : undefined;
    const flash = flashId ? await c.var.services.flash.read(flashId, c.var.user?.id ?? null) : null;
    // The header's unread count: only for a signed-in reader's page, so anonymous pages pay nothing.
    const unread = c.var.user && isPage(c.req.path) && c.req.method === 'GET' ? await c.var.services.notifications.unreadCount(c.var.user.id) : 0;
    const view: RequestView = { user: c.var.user, csrfToken: c.var.csrfToken, path: new URL(c.req.url).pathname, flash, flashShown: false, unread };
    await requestViews.run(view, next);
    if (flashId && (view.flashShown || !flash)) {
      if (flash) await c.var.services.flash.consume(flashId);
      deleteCookie(c, FLASH_COOKIE, { path: '/', secure: isHttps(c) });
    }
  };
}

/** Leaves a message (and, once, a secret) for the page the coming redirect leads to. */
export async function flash(c: Context<AppEnv>, message: string, opts: { secret?: string; forUser?: number | null } = {}): Promise<void> {
  const userId = opts.forUser !== undefined ? opts.forUser : (c.var.user?.id ?? null);
  const id = await c.var.services.flash.write(userId, message, opts.secret ?? null);
  setCookie(c, FLASH_COOKIE, id, { httpOnly: true, sameSite: 'Lax', secure: isHttps(c), path: '/', maxAge: 300 });
}

/** post/redirect/get with a message: `return flashRedirect(c, '/collections', 'Collection deleted.')`. */
export async function flashRedirect(c: Context<AppEnv>, to: string, message: string, opts: { secret?: string; forUser?: number | null } = {}) {
  await flash(c, message, opts);
  return c.redirect(to, 303);
}
