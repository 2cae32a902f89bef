import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { SESSION_COOKIE, clearSessionCookie } from '../cookies.ts';

const isApi = (path: string) => path.startsWith('/api/');
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Sets `c.var.user` from `Authorization: Bearer <token>` or else the session cookie. A token
 * needs the `read` scope for GET/HEAD and `write` for anything else (403 otherwise). A bad, expired or
 * revoked token is a 401 (scripts should hear about it); a stale cookie is just dropped. Banned
 * accounts are refused (403) when they present a token, and logged out when they present a cookie.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('user', null);
    c.set('session', null);
    c.set('authVia', null);
    c.set('tokenScopes', []);
    const accounts = c.var.services.accounts;
    const authz = c.req.header('authorization');
    if (authz !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
      if (!m) throw new ApiError(401, 'bad_authorization', 'the Authorization header must be "Bearer <token>"');
      const found = await accounts.tokenAuth(m[1]);
      if (!found) throw new ApiError(401, 'invalid_token', 'that API token is unknown, expired or revoked');
      if (found.user.banned) throw new ApiError(403, 'banned', 'this account is banned');
      const needed = READS.has(c.req.method) ? 'read' : 'write';
      if (!found.scopes.includes(needed)) throw new ApiError(403, 'insufficient_scope', `this API token lacks the "${needed}" scope`);
      c.set('user', found.user);
      c.set('authVia', 'token');
      c.set('tokenScopes', found.scopes);
      return next();
    }
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid) {
      const found = await accounts.sessionUser(sid);
      if (found && !found.user.banned) {
        c.set('user', found.user);
        c.set('session', found.session);
        c.set('authVia', 'session');
      } else {
        if (found) await accounts.logout(sid);
        clearSessionCookie(c);
      }
    }
    return next();
  };
}

function loginRedirect(c: Context<AppEnv>) {
  const u = new URL(c.req.url);
  return c.redirect(`/login?next=${encodeURIComponent(u.pathname + u.search)}`, 303);
}

/** Lets signed-in accounts through; others get 401 (API) or the log-in page (pages). */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.var.user) {
      if (isApi(c.req.path)) throw new ApiError(401, 'login_required', 'log in (session cookie) or send an API token (Authorization: Bearer)');
      return loginRedirect(c);
    }
    return next();
  };
}

export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.var.user) {
      if (isApi(c.req.path)) throw new ApiError(401, 'login_required', 'log in as an admin');
      return loginRedirect(c);
    }
    if (c.var.user.role !== 'admin') throw new ApiError(403, 'admin_only', 'only admins can do that');
    if (c.var.authVia === 'token' && !c.var.tokenScopes.includes('admin')) throw new ApiError(403, 'insufficient_scope', 'this API token lacks the "admin" scope');
    return next();
  };
}
