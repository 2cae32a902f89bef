import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { publicUrl } from '../config.ts';
import type { ApiToken, Session, TokenScope, User } from '../domain/community.ts';
import { normalizeEmail } from '../domain/subscription.ts';
import { USERNAME_PATTERN, USERNAME_RULE } from '../domain/community.ts';
import type { Logger } from '../logger.ts';
import type { MailSender } from '../mail/sender.ts';
import type { Store } from '../store/store.ts';
import { UsernameTakenError } from '../store/users.ts';
import { ServiceError } from './errors.ts';
import type { AfterResponse } from './after-response.ts';
import type { MailCooldown } from './mail-cooldown.ts';
import { hashToken, randomToken } from './secrets.ts';
import { sitePaths } from '../domain/site-paths.ts';

/** argon2id (the library's default parameters: 19 MiB, 2 passes — OWASP's minimum). */
const ARGON2ID = 2;
const hashPassword = (password: string) => argonHash(password, { algorithm: ARGON2ID });

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export const SignupInput = z.object({
  username: z.string().trim().regex(USERNAME_PATTERN, USERNAME_RULE),
  email: z.string().trim().max(254).email('that is not an e-mail address'),
  password: z.string().min(PASSWORD_MIN, `a password has at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX, `a password has at most ${PASSWORD_MAX} characters`),
});

export interface LoggedIn {
  user: User;
  session: Session;
  /** The cookie value; only its hash is stored. */
  sessionToken: string;
}

const INVALID_LOGIN = 'wrong username or password';

/** How long a mailed sign-up or address-check link works. */
export const CONFIRM_ACCOUNT_HOURS = 48;
/** The answer to every well-formed sign-up whose name is free, whether or not its address has an account. */
export const SIGNUP_SENT = 'check your mail: the link in it creates your account';
const MAX_TOKEN_DAYS = 365;

/**
 * Accounts: sign-up, log-in with a growing back-off, server-side sessions, API tokens and password
 * resets. Log-in and reset answers never say whether an account exists.
 */
export class AccountService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly config: Config,
    private readonly mail: MailSender,
    private readonly logger: Logger,
    private readonly after: AfterResponse,
    private readonly cooldown: MailCooldown,
  ) {}

  /**
   * Starts a sign-up. A taken username is said at once (names are public on profiles); the
   * address is only looked at after the answer, which is the same whether or not it has an
   * account: a link that creates the account goes to a new address, a "you already have an
   * account" note to a known one. Nothing exists, and nobody can log in, until the link is followed.
   */
  /** `upvote`: a paper the visitor asked to upvote before signing up, carried in the mailed link and cast once the account is made. */
  async signup(input: { username: string; email: string; password: string }, ip?: string, opts: { upvote?: string | null } = {}): Promise<{ message: string }> {
    const parsed = SignupInput.safeParse(input);
    if (!parsed.success) throw new ServiceError(400, 'invalid_signup', parsed.error.issues.map((i) => i.message).join('; '));
    const { username, email, password } = parsed.data;
    if (await this.store.users.byUsername(username)) throw new ServiceError(409, 'username_taken', 'that username is already registered');
    this.after.run('sign-up mail', () => this.sendSignupMail(username, email, password, ip, opts.upvote ?? null));
    return { message: SIGNUP_SENT };
  }

  private async sendSignupMail(username: string, email: string, password: string, ip: string | undefined, upvote: string | null): Promise<void> {
    const owner = await this.store.users.byEmail(email);
    if (!(await this.cooldown.allow(email, ip))) return;
    if (owner) {
      await this.mail.send({
        to: owner.email,
        subject: 'You already have a Paperboy account',
        text: `Hello,\n\nSomeone (hopefully you) tried to create a Paperboy account with this address, which already has one (${owner.username}).\nLog in at ${publicUrl(this.config)}${sitePaths.login()}, or choose a new password at ${publicUrl(this.config)}${sitePaths.forgotPassword()}.\n\nIf it was not you, ignore this message.\n`,
      });
      return;
    }
    const token = randomToken();
    const expiresAt = new Date(Date.now() + CONFIRM_ACCOUNT_HOURS * 3_600_000).toISOString();
    await this.store.accountConfirmations.create({ tokenHash: hashToken(token), purpose: 'signup', userId: null, username, email, passwordHash: await hashPassword(password), expiresAt });
    await this.mail.send({
      to: email,
      subject: 'Confirm your Paperboy account',
      text: `Hello ${username},\n\nOpen this link within ${CONFIRM_ACCOUNT_HOURS} hours to create your Paperboy account:\n\n${this.confirmLink(token, upvote)}\n\nIf you did not sign up, ignore this message: no account is made.\n`,
    });
  }

  private confirmLink(token: string, upvote: string | null = null): string {
    return `${publicUrl(this.config)}${sitePaths.confirmAccount(token, upvote ?? undefined)}`;
  }

  /** Mails the signed-in account a link that verifies its address (accounts made before sign-up links existed). */
  async requestEmailVerification(user: User, ip?: string): Promise<void> {
    if (user.emailVerified) return;
    this.after.run('address-check mail', async () => {
      if (!(await this.cooldown.allow(user.email, ip))) return;
      const token = randomToken();
      const expiresAt = new Date(Date.now() + CONFIRM_ACCOUNT_HOURS * 3_600_000).toISOString();
      await this.store.accountConfirmations.create({ tokenHash: hashToken(token), purpose: 'verify', userId: user.id, username: user.username, email: user.email, passwordHash: null, expiresAt });
      await this.mail.send({
        to: user.email,
        subject: 'Confirm your address on Paperboy',
        text: `Hello ${user.username},\n\nOpen this link within ${CONFIRM_ACCOUNT_HOURS} hours to confirm that this address is yours; your mail subscription then shows in your settings:\n\n${this.confirmLink(token)}\n`,
      });
    });
  }

  /** What a confirm link is for, to show the right button (null when it is unknown, used or expired). */
  async confirmationPurpose(token: string): Promise<'signup' | 'verify' | null> {
    if (!token || token.length > 100) return null;
    return (await this.store.accountConfirmations.peek(hashToken(token)))?.purpose ?? null;
  }

  /**
   * Follows a confirm link (once): a sign-up becomes an account with a verified address and a
   * session; an address check marks the account's address verified. Either way the account is
   * linked to the mail subscription of that address.
   */
  async confirmAccount(token: string): Promise<{ user: User; loggedIn?: LoggedIn }> {
    const c = token && token.length <= 100 ? await this.store.accountConfirmations.consume(hashToken(token)) : null;
    if (!c) throw new ServiceError(400, 'invalid_confirm_link', 'this link is invalid, expired or already used');
    if (c.purpose === 'verify') {
      if (c.userId === null || !(await this.store.users.markEmailVerified(c.userId, c.email))) throw new ServiceError(400, 'invalid_confirm_link', 'this link is for an address the account no longer has');
      await this.store.subscriptions.linkOwner(normalizeEmail(c.email), c.userId);
      return { user: (await this.store.users.byId(c.userId))! };
    }
    let user: User;
    try {
      user = await this.store.users.create({ username: c.username!, email: c.email, passwordHash: c.passwordHash!, emailVerified: true });
    } catch (err) {
      if (err instanceof UsernameTakenError) throw new ServiceError(409, `${err.field}_taken`, `${err.message} (someone confirmed it first); sign up again`);
      throw err;
    }
    await this.store.subscriptions.linkOwner(normalizeEmail(user.email), user.id);
    return { user, loggedIn: { user, ...(await this.openSession(user.id)) } };
  }

  /** An account made directly, its address taken as verified (the CLI, tests, the demo). */
  async createAccount(input: { username: string; email: string; password: string }): Promise<User> {
    const parsed = SignupInput.safeParse(input);
    if (!parsed.success) throw new ServiceError(400, 'invalid_signup', parsed.error.issues.map((i) => i.message).join('; '));
    try {
      return await this.store.users.create({ ...parsed.data, passwordHash: await hashPassword(parsed.data.password), emailVerified: true });
    } catch (err) {
      if (err instanceof UsernameTakenError) throw new ServiceError(409, `${err.field}_taken`, err.message);
      throw err;
    }
  }

  /** Checks the password (or a dummy one, so unknown names take as long) and opens a new session. */
  async login(input: { username: string; password: string; ip: string }): Promise<LoggedIn> {
    const name = input.username.trim().toLowerCase();
    const keys = [`user:${name}`, `ip:${input.ip}`];
    const waits = await Promise.all(keys.map((k) => this.store.loginFailures.lockedFor(k)));
    const wait = Math.max(...waits);
    if (wait > 0) throw new ServiceError(429, 'login_throttled', `too many failed log-ins; try again in ${wait} s`, wait);

    const user = name.includes('@') ? await this.store.users.byEmail(name) : await this.store.users.byUsername(name);
    const stored = user ? await this.store.users.passwordHash(user.id) : null;
    const ok = await this.verify(stored, input.password);
    if (!user || !ok) {
      const backoff = { baseSeconds: this.config.loginBackoffBaseSeconds, maxSeconds: this.config.loginBackoffMaxSeconds };
      await this.store.loginFailures.recordFailure(keys[0], { ...backoff, freeAttempts: this.config.loginFreeAttempts });
      await this.store.loginFailures.recordFailure(keys[1], { ...backoff, freeAttempts: this.config.loginFreeAttemptsPerIp });
      throw new ServiceError(401, 'invalid_credentials', INVALID_LOGIN);
    }
    if (user.banned) throw new ServiceError(403, 'banned', 'this account is banned');
    await this.store.loginFailures.clear(keys[0]);
    return { user, ...(await this.openSession(user.id)) };
  }

  private async verify(stored: string | null, password: string): Promise<boolean> {
    if (password.length > PASSWORD_MAX) return false;
    if (!stored) {
      this.dummyHash ??= hashPassword(randomToken());
      await argonVerify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    return argonVerify(stored, password).catch(() => false);
  }

  /** A fresh session (a new id every log-in, so a planted id never becomes an authenticated one). */
  async openSession(userId: number): Promise<{ session: Session; sessionToken: string }> {
    const sessionToken = randomToken();
    const csrfToken = randomToken();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.config.sessionTtlDays * 86_400_000).toISOString();
    await this.store.sessions.create({ idHash: hashToken(sessionToken), userId, csrfToken, expiresAt }, now.toISOString());
    return { sessionToken, session: { userId, csrfToken, createdAt: now.toISOString(), expiresAt } };
  }

  async sessionUser(sessionToken: string): Promise<{ user: User; session: Session } | null> {
    if (!sessionToken || sessionToken.length > 100) return null;
    return this.store.sessions.find(hashToken(sessionToken));
  }

  async logout(sessionToken: string): Promise<void> {
    await this.store.sessions.delete(hashToken(sessionToken));
  }

  /** Ends every session and revokes every API token of the account (a stolen token ends too). */
  async logoutEverywhere(userId: number): Promise<number> {
    return this.store.transaction(async (tx) => {
      await tx.apiTokens.revokeAllForUser(userId);
      return tx.sessions.deleteForUser(userId);
    });
  }

  /**
   * A new API token. Only a session may make one (`via`), so a leaked token cannot mint more; the
   * `admin` scope only for an admin; it expires after `expiresInDays` (at most API_TOKEN_TTL_DAYS).
   */
  async createApiToken(
    user: Pick<User, 'id' | 'role'>,
    name: string,
    opts: { scopes?: TokenScope[]; expiresInDays?: number; via?: 'session' | 'token' | 'direct' } = {},
  ): Promise<{ token: string; apiToken: ApiToken }> {
    if (opts.via === 'token') throw new ServiceError(403, 'session_required', 'API tokens are made from a logged-in session (the settings page), not with another token');
    const scopes = [...new Set(opts.scopes?.length ? opts.scopes : (['read', 'write'] as TokenScope[]))];
    if (scopes.includes('admin') && user.role !== 'admin') throw new ServiceError(403, 'admin_only', 'only admins can make tokens with the admin scope');
    const maxDays = Math.min(this.config.apiTokenTtlDays, MAX_TOKEN_DAYS);
    const days = Math.min(opts.expiresInDays ?? maxDays, maxDays);
    const expiresAt = new Date(Date.now() + days * 86_400_000).toISOString();
    const token = `pb_${randomToken()}`;
    const apiToken = await this.store.apiTokens.create({ userId: user.id, name: name.trim() || 'token', tokenHash: hashToken(token), prefix: token.slice(0, 8), scopes, expiresAt });
    return { token, apiToken };
  }

  async tokenAuth(token: string): Promise<{ user: User; scopes: TokenScope[] } | null> {
    if (!token || token.length > 200) return null;
    const found = await this.store.apiTokens.authenticate(hashToken(token));
    return found ? { user: found.user, scopes: found.token.scopes } : null;
  }

  listApiTokens(userId: number): Promise<ApiToken[]> {
    return this.store.apiTokens.listForUser(userId);
  }

  async revokeApiToken(userId: number, id: number): Promise<void> {
    if (!(await this.store.apiTokens.revoke(userId, id))) throw new ServiceError(404, 'not_found', `token ${id} not found`);
  }

  /**
   * Mails a single-use link when the address belongs to an account. Returns before looking the
   * address up (the look-up and the mail happen after the answer), so neither the answer nor
   * its timing tells which addresses are registered.
   */
  requestPasswordReset(email: string, ip?: string): void {
    const address = email.trim();
    if (!address || address.length > 254) return;
    this.after.run('password-reset mail', () => this.sendResetMail(address, ip));
  }

  private async sendResetMail(address: string, ip?: string): Promise<void> {
    const user = await this.store.users.byEmail(address);
    if (!user || user.banned) return;
    if (!(await this.cooldown.allow(user.email, ip))) return;
    const token = randomToken();
    const expiresAt = new Date(Date.now() + this.config.passwordResetTtlMinutes * 60_000).toISOString();
    await this.store.passwordResets.create({ tokenHash: hashToken(token), userId: user.id, expiresAt });
    const link = `${publicUrl(this.config)}${sitePaths.resetPassword(token)}`;
    const minutes = this.config.passwordResetTtlMinutes;
    await this.mail.send({
      to: user.email,
      subject: 'Reset your Paperboy password',
      text: `Hello ${user.username},\n\nSomeone (hopefully you) asked to reset the password of your Paperboy account.\nOpen this link within ${minutes} minutes to choose a new one (it works once):\n\n${link}\n\nIf it was not you, ignore this message: your password stays as it is.\n`,
    });
  }

  resetTokenIsValid(token: string): Promise<boolean> {
    return this.store.passwordResets.isValid(hashToken(token));
  }

  /** Sets a new password through a reset link and ends every session and API token of the account. */
  async resetPassword(token: string, password: string): Promise<User> {
    if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
      throw new ServiceError(400, 'invalid_password', `a password has ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
    }
    const passwordHash = await hashPassword(password);
    const userId = await this.store.passwordResets.consume(hashToken(token));
    if (userId === null) throw new ServiceError(400, 'invalid_reset_link', 'this reset link is invalid, expired or already used; ask for a new one');
    await this.store.transaction(async (tx) => {
      await tx.users.setPasswordHash(userId, passwordHash);
      await tx.passwordResets.invalidateForUser(userId);
      await tx.sessions.deleteForUser(userId);
      await tx.apiTokens.revokeAllForUser(userId);
    });
    const user = (await this.store.users.byId(userId))!;
    await this.store.loginFailures.clear(`user:${user.username.toLowerCase()}`);
    return user;
  }
}
