import { loadConfig, type Config } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import type { PaperLookup } from '../../src/services/submissions.ts';
import type { Store } from '../../src/store/store.ts';
import { SmtpSink } from './smtp.ts';

export interface TestApp {
  url: string;
  services: Services;
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
  return {
    url: server.url,
    services,
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

  /** Signs up through the JSON API (which also logs in). */
  async signup(username: string, password = 'correct horse battery', email = `${username.toLowerCase()}@example.org`): Promise<Reply> {
    const r = await this.post('/api/auth/signup', { username, email, password });
    if (r.status !== 201) throw new Error(`signup ${username} failed: ${r.status} ${r.text}`);
    return r;
  }
}

/** A client already logged in as `username` (the account is created when missing), without going through the log-in form. */
export async function loggedIn(app: TestApp, username: string): Promise<Client> {
  const { store, accounts } = app.services;
  const user = (await store.users.byUsername(username)) ?? (await store.users.create({ username, email: `${username}@example.org`, passwordHash: 'x' }));
  const { sessionToken, session } = await accounts.openSession(user.id);
  const c = new Client(app.url);
  c.cookies.set('pb_session', sessionToken);
  c.csrf = session.csrfToken;
  return c;
}
