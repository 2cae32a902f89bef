import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from './env.ts';

export const SESSION_COOKIE = 'pb_session';
/** Double-submit CSRF token for forms shown before logging in (sign-up, log-in, reset). */
export const ANON_CSRF_COOKIE = 'pb_csrf';

/** Cookies get `Secure` whenever the site is served over https (directly, behind a proxy, or by PUBLIC_URL). */
export function isHttps(c: Context<AppEnv>): boolean {
  return (
    new URL(c.req.url).protocol === 'https:' ||
    c.req.header('x-forwarded-proto')?.split(',')[0].trim() === 'https' ||
    (c.var.services?.config.publicUrl ?? '').startsWith('https:')
  );
}

export function setSessionCookie(c: Context<AppEnv>, token: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Lax', secure: isHttps(c), path: '/', maxAge: maxAgeSeconds });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c) });
}

export function setAnonCsrfCookie(c: Context<AppEnv>, token: string): void {
  setCookie(c, ANON_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'Lax', secure: isHttps(c), path: '/', maxAge: 7 * 86_400 });
}
