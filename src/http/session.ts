import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { LoggedIn } from '../services/accounts.ts';
import type { AccountRef } from '../services/subscriptions.ts';
import type { AppEnv } from './env.ts';
import { SESSION_COOKIE, setSessionCookie } from './cookies.ts';

/** Starts the new session in the browser, ending the one the request came with (session rotation). */
export async function startSession(c: Context<AppEnv>, loggedIn: LoggedIn): Promise<void> {
  const old = getCookie(c, SESSION_COOKIE);
  if (old) await c.var.services.accounts.logout(old);
  setSessionCookie(c, loggedIn.sessionToken, c.var.services.config.sessionTtlDays * 86_400);
}

/** The signed-in account, when the session middleware has set one. */
export function currentAccount(c: { var: object }): AccountRef | null {
  return (c.var as { user?: AccountRef | null }).user ?? null;
}
