import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import { rowIdParam } from '../schemas/common.ts';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { SESSION_COOKIE, clearSessionCookie, setSessionCookie } from '../cookies.ts';
import { requireUser } from '../middleware/auth.ts';
import { perIp } from '../middleware/limits.ts';
import { anonymousCsrf } from '../middleware/csrf.ts';
import { clientIp } from '../middleware/rate-limit.ts';
import { presentToken, presentUser } from '../presenters/community.ts';
import {
  ApiTokenSchema,
  LoginBody,
  ResetConfirmBody,
  ResetRequestBody,
  SessionInfoSchema,
  SignupBody,
  TokenCreateBody,
  TokenCreatedSchema,
  UserSchema,
} from '../schemas/community.ts';
import type { Context } from 'hono';
import type { LoggedIn } from '../../services/accounts.ts';

/** Starts the new session in the browser, ending the one the request came with (session rotation). */
export async function startSession(c: Context<AppEnv>, loggedIn: LoggedIn): Promise<void> {
  const old = getCookie(c, SESSION_COOKIE);
  if (old) await c.var.services.accounts.logout(old);
  setSessionCookie(c, loggedIn.sessionToken, c.var.services.config.sessionTtlDays * 86_400);
}

export function authApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();

  apiRoute(
    app,
    { method: 'post', path: '/api/auth/signup', summary: 'Create an account (and log in)', tags: ['auth'], body: SignupBody, response: SessionInfoSchema, status: 201, auth: 'none', errors: { 400: 'invalid input', 409: 'username or e-mail taken', 429: 'rate limited' } },
    anonymousCsrf(),
    perIp('signup', config.rateSignupIp),
    async (c, { body }) => {
      const { accounts } = c.var.services;
      const user = await accounts.signup(body);
      const opened = await accounts.openSession(user.id);
      await startSession(c, { user, ...opened });
      return c.json({ user: presentUser(user), csrfToken: opened.session.csrfToken }, 201);
    },
  );

  apiRoute(
    app,
    { method: 'post', path: '/api/auth/login', summary: 'Log in: sets the session cookie', tags: ['auth'], body: LoginBody, response: SessionInfoSchema, auth: 'none', errors: { 401: 'wrong username or password', 403: 'account banned', 429: 'too many attempts (Retry-After)' } },
    anonymousCsrf(),
    perIp('login', config.rateLoginIp),
    async (c, { body }) => {
      const loggedIn = await c.var.services.accounts.login({ ...body, ip: clientIp(c) });
      await startSession(c, loggedIn);
      return { user: presentUser(loggedIn.user), csrfToken: loggedIn.session.csrfToken };
    },
  );

  apiRoute(app, { method: 'post', path: '/api/auth/logout', summary: 'Log out (ends this session)', tags: ['auth'], status: 204, auth: 'optional' }, async (c) => {
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid) await c.var.services.accounts.logout(sid);
    clearSessionCookie(c);
    return undefined;
  });

  apiRoute(
    app,
    { method: 'post', path: '/api/auth/logout-everywhere', summary: 'End every session of the account', tags: ['auth'], response: z.object({ ended: z.number().int() }), auth: 'user' },
    requireUser(),
    async (c) => {
      const ended = await c.var.services.accounts.logoutEverywhere(c.var.user!.id);
      clearSessionCookie(c);
      return { ended };
    },
  );

  apiRoute(app, { method: 'get', path: '/api/auth/session', summary: 'Who is logged in, and the CSRF token for writes', tags: ['auth'], response: SessionInfoSchema, auth: 'user' }, requireUser(), async (c) => ({
    user: presentUser(c.var.user!),
    csrfToken: c.var.csrfToken,
  }));

  apiRoute(
    app,
    { method: 'post', path: '/api/auth/password-reset', summary: 'Mail a password-reset link (same answer whether or not the address is registered)', tags: ['auth'], body: ResetRequestBody, status: 202, response: z.object({ message: z.string() }), auth: 'none', errors: { 429: 'rate limited' } },
    anonymousCsrf(),
    perIp('reset', config.rateResetIp),
    async (c, { body }) => {
      await c.var.services.accounts.requestPasswordReset(body.email);
      return c.json({ message: 'if an account has that address, a reset link is on its way' }, 202);
    },
  );

  apiRoute(
    app,
    { method: 'post', path: '/api/auth/password-reset/confirm', summary: 'Set a new password with a reset link token (ends every session)', tags: ['auth'], body: ResetConfirmBody, response: z.object({ user: UserSchema }), auth: 'none', errors: { 400: 'invalid, expired or used link' } },
    anonymousCsrf(),
    perIp('reset', config.rateResetIp),
    async (c, { body }) => ({ user: presentUser(await c.var.services.accounts.resetPassword(body.token, body.password)) }),
  );

  apiRoute(app, { method: 'get', path: '/api/tokens', summary: "The account's API tokens", tags: ['auth'], response: z.object({ tokens: z.array(ApiTokenSchema) }), auth: 'user' }, requireUser(), async (c) => ({
    tokens: (await c.var.services.accounts.listApiTokens(c.var.user!.id)).map(presentToken),
  }));

  apiRoute(
    app,
    { method: 'post', path: '/api/tokens', summary: 'Create an API token (shown once)', tags: ['auth'], body: TokenCreateBody.optional(), response: TokenCreatedSchema, status: 201, auth: 'user' },
    requireUser(),
    async (c, { body }) => {
      const { token, apiToken } = await c.var.services.accounts.createApiToken(c.var.user!.id, body?.name ?? 'token');
      return c.json({ id: apiToken.id, name: apiToken.name, token }, 201);
    },
  );

  apiRoute(
    app,
    { method: 'delete', path: '/api/tokens/{id}', summary: 'Revoke an API token', tags: ['auth'], params: z.object({ id: rowIdParam('a token id') }), status: 204, auth: 'user', errors: { 404: 'no such token of yours' } },
    requireUser(),
    async (c, { params }) => {
      await c.var.services.accounts.revokeApiToken(c.var.user!.id, params.id);
      return undefined;
    },
  );

  return app;
}
