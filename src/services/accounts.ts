import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { publicUrl } from '../config.ts';
import type { ApiToken, Session, User } from '../domain/community.ts';
import { USERNAME_PATTERN, USERNAME_RULE } from '../domain/community.ts';
import type { Logger } from '../logger.ts';
import type { MailSender } from '../mail/sender.ts';
import type { Store } from '../store/store.ts';
import { UsernameTakenError } from '../store/users.ts';
import { ServiceError } from './errors.ts';
import { hashToken, randomToken } from './secrets.ts';

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
  ) {}

  async signup(input: { username: string; email: string; password: string }): Promise<User> {
    const parsed = SignupInput.safeParse(input);
    if (!parsed.success) throw new ServiceError(400, 'invalid_signup', parsed.error.issues.map((i) => i.message).join('; '));
    const { username, email, password } = parsed.data;
    const passwordHash = await hashPassword(password);
    try {
      return await this.store.users.create({ username, email, passwordHash });
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

  async logoutEverywhere(userId: number): Promise<number> {
    return this.store.sessions.deleteForUser(userId);
  }

  async createApiToken(userId: number, name: string): Promise<{ token: string; apiToken: ApiToken }> {
    const token = `pb_${randomToken()}`;
    const apiToken = await this.store.apiTokens.create({ userId, name: name.trim() || 'token', tokenHash: hashToken(token), prefix: token.slice(0, 8) });
    return { token, apiToken };
  }

  async tokenUser(token: string): Promise<User | null> {
    if (!token || token.length > 200) return null;
    return (await this.store.apiTokens.authenticate(hashToken(token)))?.user ?? null;
  }

  listApiTokens(userId: number): Promise<ApiToken[]> {
    return this.store.apiTokens.listForUser(userId);
  }

  async revokeApiToken(userId: number, id: number): Promise<void> {
    if (!(await this.store.apiTokens.revoke(userId, id))) throw new ServiceError(404, 'not_found', `token ${id} not found`);
  }

  /**
   * Mails a single-use link when the address belongs to an account. Resolves the same way either
   * way, so the answer tells nothing about which addresses are registered.
   */
  async requestPasswordReset(email: string): Promise<void> {
    const user = await this.store.users.byEmail(email.trim());
    if (!user || user.banned) return;
    const token = randomToken();
    const expiresAt = new Date(Date.now() + this.config.passwordResetTtlMinutes * 60_000).toISOString();
    await this.store.passwordResets.create({ tokenHash: hashToken(token), userId: user.id, expiresAt });
    const link = `${publicUrl(this.config)}/reset-password?token=${encodeURIComponent(token)}`;
    const minutes = this.config.passwordResetTtlMinutes;
    await this.mail
      .send({
        to: user.email,
        subject: 'Reset your Paperboy password',
        text: `Hello ${user.username},\n\nSomeone (hopefully you) asked to reset the password of your Paperboy account.\nOpen this link within ${minutes} minutes to choose a new one (it works once):\n\n${link}\n\nIf it was not you, ignore this message: your password stays as it is.\n`,
      })
      .catch((err) => this.logger.error({ err }, 'could not send the password-reset mail'));
  }

  resetTokenIsValid(token: string): Promise<boolean> {
    return this.store.passwordResets.isValid(hashToken(token));
  }

  /** Sets a new password through a reset link and ends every session of the account. */
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
    });
    const user = (await this.store.users.byId(userId))!;
    await this.store.loginFailures.clear(`user:${user.username.toLowerCase()}`);
    return user;
  }
}
