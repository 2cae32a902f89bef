import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../env.ts';
import { ServiceError } from '../../services/errors.ts';
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
    let form: FormData;
    try {
      form = await c.req.raw.clone().formData();
    } catch {
      // A body that is not the multipart it claims (found by the API fuzz: it was a 500).
      throw new ServiceError(400, 'bad_form', 'the request body is not valid multipart/form-data');
    }
    const v = form.get(CSRF_FIELD);
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

function refuse(): never {
  throw new ServiceError(403, 'csrf', 'this request did not come from a Paperboy page (missing or wrong CSRF token); reload the page and try again');
}

function refuseCrossSite(c: Context<AppEnv>): void {
  if (c.req.header('sec-fetch-site') === 'cross-site') refuse();
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = origin === 'null' ? null : new URL(origin).host;
  } catch {
    host = null;
  }
  if (host === null || host !== (c.req.header('host') ?? new URL(c.req.url).host)) refuse();
}

/** Safe methods change nothing; bearer-token requests cannot be forged by a page (browsers never add that header). */
const exempt = (c: Context<AppEnv>) => SAFE.has(c.req.method) || c.var.authVia === 'token';

/**
 * CSRF defence for every state-changing request that rides on a session cookie: the token (form
 * field `_csrf` or header `X-CSRF-Token`) must equal the session's, and a request the browser marks
 * cross-site (`Sec-Fetch-Site: cross-site`, a foreign `Origin`) is refused outright. Requests
 * without a session carry no authority to abuse and pass (signed links, one-click unsubscribe);
 * routes that act for an anonymous visitor (log-in, sign-up, reset) add `anonymousCsrf()`.
 * Every request gets a token ready for its page's forms (`c.var.csrfToken`).
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.var.session) c.set('csrfToken', c.var.session.csrfToken);
    else {
      // The cookie itself is only set by pages whose forms are checked (`withAnonymousCsrfCookie`),
      // so ordinary anonymous pages stay cookie-free and cacheable.
      const anon = getCookie(c, ANON_CSRF_COOKIE);
      c.set('csrfToken', anon && anon.length <= 100 ? anon : randomToken());
    }
    if (exempt(c) || !c.var.session) return next();
    refuseCrossSite(c);
    const provided = c.req.header(CSRF_HEADER) ?? (await formToken(c));
    if (!same(provided, c.var.session.csrfToken)) refuse();
    return next();
  };
}

/**
 * For routes that act for a visitor who is not logged in (log-in, sign-up, password reset): no
 * cross-site requests, and bodies a cross-site page could send without a CORS preflight (form,
 * multipart, text/plain) must echo the `pb_csrf` double-submit cookie. JSON needs a preflight, so
 * scripts may post JSON without a token.
 */
export function anonymousCsrf(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (exempt(c) || c.var.session) return next();
    refuseCrossSite(c);
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    const crossSiteSendable = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/.test(type);
    if (crossSiteSendable) {
      const provided = c.req.header(CSRF_HEADER) ?? (await formToken(c));
      if (!same(provided, getCookie(c, ANON_CSRF_COOKIE))) refuse();
    }
    return next();
  };
}

/** For pages with anonymous forms checked by `anonymousCsrf()`: makes sure the double-submit cookie holds the page's token. */
export function withAnonymousCsrfCookie(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.var.session && getCookie(c, ANON_CSRF_COOKIE) !== c.var.csrfToken) setAnonCsrfCookie(c, c.var.csrfToken);
    return next();
  };
}
