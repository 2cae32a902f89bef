import { loadConfig, type Config } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import type { PaperLookup } from '../../src/services/submissions.ts';
import type { Store } from '../../src/store/store.ts';
import fs from 'node:fs';
import path from 'node:path';
import { SmtpSink, parseMail } from './smtp.ts';

/** The texts of the mails a test server sent to an address, oldest first. */
export type Mailbox = (address: string) => string[];

/** Where each test server's mail can be read, by its base URL (`startTestApp` registers its SMTP sink). */
export const MAILBOXES = new Map<string, Mailbox>();

/** The mailbox of a server without SMTP: the `.eml` files it writes under MAIL_DIR. */
export function emlMailbox(dir: string): Mailbox {
  return (address) => {
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.eml') && f.includes(address.replace(/[^a-zA-Z0-9@._-]/g, '_')))
      .sort()
      .map((f) => parseMail(fs.readFileSync(path.join(dir, f), 'latin1').replace(/\r?\n/g, '\r\n')).text);
  };
}

/** Waits for a mail to `address` that `pick` finds something in (a link's token, say). */
export async function waitForMail<T>(mailbox: Mailbox, address: string, pick: (text: string) => T | null | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const text of mailbox(address).reverse()) {
      const found = pick(text);
      if (found != null) return found;
    }
    if (Date.now() > deadline) throw new Error(`no such mail to ${address} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The token of the newest sign-up / address link in a mail's text. */
export const confirmToken = (text: string) => /\/confirm-account\?token=([A-Za-z0-9_%-]+)/.exec(text)?.[1];

export interface TestApp {
  url: string;
  services: Services;
  /** The store under the app, for setting up and checking rows (the app itself reaches it only through services). */
  store: Store;
  /** The SMTP server (in this process) the app's mail goes to. */
  smtp: SmtpSink;
  close(): Promise<void>;
}

/**
 * The real app on a random port over `store`, with settings overridden as a deployment would.
 * `arxiv: 'configured'` keeps the arXiv client the app builds itself (from `ARXIV_API_URL`).
 */
export async function startTestApp(store: Store, env: Record<string, string> = {}, deps: { arxiv?: PaperLookup | 'configured' } = {}): Promise<TestApp> {
  const smtp = await new SmtpSink().start();
  const config: Config = loadConfig({ PAPERBOY_DB: ':memory:', LOG_LEVEL: 'silent', SMTP_URL: smtp.url, ...env });
  const services = createServices({ config, logger: silentLogger, store, arxiv: deps.arxiv === 'configured' ? undefined : (deps.arxiv ?? { fetchByIds: async () => [] }) });
  const server: RunningServer = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: silentLogger });
  MAILBOXES.set(server.url, (address) => smtp.to(address).map((m) => m.text));
  return {
    url: server.url,
    services,
    store,
    smtp,
    close: async () => {
      await server.close(1000);
      await services.close();
      await smtp.close();
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/**
 * A browser-like HTTP client: keeps cookies, remembers the CSRF token it is given (log-in response
 * or a page's `_csrf` field) and sends it on writes unless told not to.
 */
export class Client {
  readonly cookies = new Map<string, string>();
  csrf: string | null = null;
  bearer: string | null = null;

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, opts: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string>; csrf?: boolean } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    let body: string | undefined;
    const withCsrf = opts.csrf !== false && this.csrf && method !== 'GET';
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
      if (withCsrf) headers['x-csrf-token'] = this.csrf!;
    } else if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams({ ...(withCsrf ? { _csrf: this.csrf! } : {}), ...opts.form }).toString();
    } else if (withCsrf) headers['x-csrf-token'] = this.csrf!;
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a.trim()));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let json: any = undefined;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) json = JSON.parse(text);
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (m) this.csrf = m[1];
    if (json && typeof json.csrfToken === 'string') this.csrf = json.csrfToken;
    return { status: res.status, headers: res.headers, text, json };
  }

  get(path: string, opts: { headers?: Record<string, string> } = {}) {
    return this.request('GET', path, opts);
  }
  post(path: string, json?: unknown, opts: { headers?: Record<string, string>; csrf?: boolean } = {}) {
    return this.request('POST', path, { ...opts, json });
  }
  postForm(path: string, form: Record<string, string>, opts: { headers?: Record<string, string>; csrf?: boolean } = {}) {
    return this.request('POST', path, { ...opts, form });
  }
  delete(path: string, opts: { csrf?: boolean } = {}) {
    return this.request('DELETE', path, opts);
  }

  /**
   * Signs up through the JSON API the way a person does: asks for the account, reads the link
   * from the mail the server sent (its mailbox in MAILBOXES) and follows it, which logs in.
   */
  async signup(username: string, password = 'correct horse battery', email = `${username.toLowerCase()}@example.org`): Promise<Reply> {
    const mailbox = MAILBOXES.get(this.base);
    if (!mailbox) throw new Error(`no mailbox registered for ${this.base}`);
    const seen = new Set(mailbox(email).map(confirmToken));
    const r = await this.post('/api/auth/signup', { username, email, password });
    if (r.status !== 202) throw new Error(`signup ${username} failed: ${r.status} ${r.text}`);
    const token = await waitForMail(mailbox, email, (text) => {
      const t = confirmToken(text);
      return t && !seen.has(t) ? decodeURIComponent(t) : null;
    });
    const confirmed = await this.post('/api/auth/confirm', { token });
    if (confirmed.status !== 200) throw new Error(`confirming ${username} failed: ${confirmed.status} ${confirmed.text}`);
    return confirmed;
  }
}

/** A client already logged in as `username` (the account is created when missing), without going through the log-in form. */
export async function loggedIn(app: TestApp, username: string): Promise<Client> {
  const { store } = app;
  const { accounts } = app.services;
  const user = (await store.users.byUsername(username)) ?? (await store.users.create({ username, email: `${username}@example.org`, passwordHash: 'x', emailVerified: true }));
  const { sessionToken, session } = await accounts.openSession(user.id);
  const c = new Client(app.url);
  c.cookies.set('pb_session', sessionToken);
  c.csrf = session.csrfToken;
  return c;
}
