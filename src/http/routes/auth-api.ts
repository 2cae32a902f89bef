import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
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
  ConfirmAccountBody,
  ConfirmedAccountSchema,
  LoginBody,
  ResetConfirmBody,
  ResetRequestBody,
  SessionInfoSchema,
  SignupBody,
  SignupStartedSchema,
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
    {
      method: 'post',
      path: '/api/auth/signup',
      summary: 'Start a sign-up: a link that creates the account is mailed (the same answer whether or not the address has an account)',
      tags: ['auth'],
      body: SignupBody,
      response: SignupStartedSchema,
      status: 202,
      auth: 'none',
      errors: { 400: 'invalid input', 409: 'username taken', 429: 'rate limited' },
    },
    anonymousCsrf(),
    perIp('signup', config.rateSignupIp),
    async (c, { body }) => c.json(await c.var.services.accounts.signup(body, clientIp(c)), 202),
  );

  apiRoute(
    app,
    {
      method: 'post',
      path: '/api/auth/confirm',
      summary: "Follow a mailed confirm link: creates the signed-up account and logs it in, or verifies an account's address",
      tags: ['auth'],
      body: ConfirmAccountBody,
      response: ConfirmedAccountSchema,
      auth: 'none',
      errors: { 400: 'invalid, expired or used link', 409: 'the name or address was taken meanwhile' },
    },
    anonymousCsrf(),
    perIp('signup', config.rateSignupIp),
    async (c, { body }) => {
      const { user, loggedIn } = await c.var.services.accounts.confirmAccount(body.token);
      if (!loggedIn) return { user: presentUser(user) };
      await startSession(c, loggedIn);
      return { user: presentUser(user), csrfToken: loggedIn.session.csrfToken };
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
    { method: 'post', path: '/api/auth/logout-everywhere', summary: 'End every session and revoke every API token of the account', tags: ['auth'], response: z.object({ ended: z.number().int() }), auth: 'user' },
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
      c.var.services.accounts.requestPasswordReset(body.email, clientIp(c));
      return c.json({ message: 'if an account has that address, a reset link is on its way' }, 202);
    },
  );

  apiRoute(
    app,
    { method: 'post', path: '/api/auth/password-reset/confirm', summary: 'Set a new password with a reset link token (ends every session and API token)', tags: ['auth'], body: ResetConfirmBody, response: z.object({ user: UserSchema }), auth: 'none', errors: { 400: 'invalid, expired or used link' } },
    anonymousCsrf(),
    perIp('reset', config.rateResetIp),
    async (c, { body }) => ({ user: presentUser(await c.var.services.accounts.resetPassword(body.token, body.password)) }),
  );

  apiRoute(app, { method: 'get', path: '/api/tokens', summary: "The account's API tokens", tags: ['auth'], response: z.object({ tokens: z.array(ApiTokenSchema) }), auth: 'user' }, requireUser(), async (c) => ({
    tokens: (await c.var.services.accounts.listApiTokens(c.var.user!.id)).map(presentToken),
  }));

  apiRoute(
    app,
    {
      method: 'post',
      path: '/api/tokens',
      summary: 'Create an API token (shown once) with scopes and an expiry; only from a logged-in session, never with another token',
      tags: ['auth'],
      body: TokenCreateBody.optional(),
      response: TokenCreatedSchema,
      status: 201,
      auth: 'user',
      errors: { 403: 'asked with a token, or the admin scope by a member' },
    },
    requireUser(),
    async (c, { body }) => {
      const via = c.var.authVia === 'token' ? 'token' : 'session';
      const { token, apiToken } = await c.var.services.accounts.createApiToken(c.var.user!, body?.name ?? 'token', { scopes: body?.scopes, expiresInDays: body?.expiresInDays, via });
      return c.json({ id: apiToken.id, name: apiToken.name, token, scopes: apiToken.scopes, expiresAt: apiToken.expiresAt }, 201);
    },
  );

  apiRoute(
    app,
    { method: 'delete', path: '/api/tokens/{id}', summary: 'Revoke an API token', tags: ['auth'], params: z.object({ id: z.string().regex(/^\d+$/).transform(Number) }), status: 204, auth: 'user', errors: { 404: 'no such token of yours' } },
    requireUser(),
    async (c, { params }) => {
      await c.var.services.accounts.revokeApiToken(c.var.user!.id, params.id);
      return undefined;
    },
  );

  return app;
}
