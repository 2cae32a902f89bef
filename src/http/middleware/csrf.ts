import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { ANON_CSRF_COOKIE, setAnonCsrfCookie } from '../cookies.ts';
import { randomToken } from '../../services/secrets.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

function same(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The `_csrf` field of a urlencoded or multipart body, read from a clone so handlers can still read the body. */
async function formToken(c: Context<AppEnv>): Promise<string | undefined> {
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    return new URLSearchParams(await c.req.raw.clone().text()).get(CSRF_FIELD) ?? undefined;
  }
  if (type.includes('multipart/form-data')) {
    const v = (await c.req.raw.clone().formData()).get(CSRF_FIELD);
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

function refuse(): never {
  throw new ApiError(403, 'csrf', 'this request did not come from a Paperboy page (missing or wrong CSRF token); reload the page and try again');
}

/**
 * CSRF defence for every state-changing request that a browser could send on its own:
 * - bearer-token requests are exempt (a browser never adds that header by itself);
 * - a request a browser marks cross-site (`Sec-Fetch-Site: cross-site` or a foreign `Origin`) is refused;
 * - with a session cookie, the token (form field `_csrf` or header `X-CSRF-Token`) must equal the session's;
 * - without one, JSON bodies pass (a cross-site form cannot send them without a CORS preflight) and
 *   forms must echo the `pb_csrf` double-submit cookie.
 * Safe requests only get a token ready for the page's forms (`c.var.csrfToken`).
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let anon = getCookie(c, ANON_CSRF_COOKIE);
    if (c.var.session) c.set('csrfToken', c.var.session.csrfToken);
    else {
      if (!anon || anon.length > 100) {
        anon = randomToken();
        setAnonCsrfCookie(c, anon);
      }
      c.set('csrfToken', anon);
    }
    if (SAFE.has(c.req.method) || c.var.authVia === 'token') return next();

    if (c.req.header('sec-fetch-site') === 'cross-site') refuse();
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      let host: string | null = null;
      try {
        host = origin === 'null' ? null : new URL(origin).host;
      } catch {
        host = null;
      }
      if (host === null || host !== (c.req.header('host') ?? new URL(c.req.url).host)) refuse();
    }

    const provided = c.req.header(CSRF_HEADER) ?? (await formToken(c));
    if (c.var.session) {
      if (!same(provided, c.var.session.csrfToken)) refuse();
    } else {
      const type = c.req.header('content-type') ?? '';
      const isJson = /^application\/(?:[\w.+-]+\+)?json\b/i.test(type);
      if (!isJson && !same(provided, getCookie(c, ANON_CSRF_COOKIE))) refuse();
    }
    return next();
  };
}
