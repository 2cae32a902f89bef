import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for GitHub's REST API `GET /repos/{owner}/{repo}` that answers as github.com
 * does: the repository JSON with a weak `ETag`, `304 Not Modified` for a matching `If-None-Match`
 * (which, as on GitHub, does not use up the rate limit), the `x-ratelimit-*` headers, a primary
 * limit (`403` with `x-ratelimit-remaining: 0` once the window is used up), secondary limits (`403`
 * or `429` with `Retry-After`), and `404 {"message": "Not Found"}`. Names are case-insensitive, and
 * a renamed repository answers under its new `full_name`.
 */
export interface FakeRepo {
  full_name: string;
  stargazers_count: number;
  description?: string | null;
}

export interface GithubServer {
  url: string;
  repos: Map<string, FakeRepo>;
  requests: { path: string; ifNoneMatch?: string; authorization?: string; status: number }[];
  /** Requests left in the current window (primary limit). */
  remaining: number;
  limit: number;
  /** Unix seconds when the window resets. */
  resetAt: number;
  /** The next N requests get a secondary limit: `403` or `429` with `Retry-After: seconds`. */
  secondary: Array<{ status: 403 | 429; retryAfter: number | null }>;
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
};

export async function startGithubServer(repos: Record<string, FakeRepo> = {}, opts: { limit?: number } = {}): Promise<GithubServer> {
  const limit = opts.limit ?? 60;
  const state: Omit<GithubServer, 'url' | 'close'> = {
    repos: new Map(Object.entries(repos).map(([k, v]) => [k.toLowerCase(), v])),
    requests: [],
    remaining: limit,
    limit,
    resetAt: Math.floor(Date.now() / 1000) + 3600,
    secondary: [],
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const record = (status: number) => state.requests.push({ path: url.pathname, ifNoneMatch: req.headers['if-none-match'] as string | undefined, authorization: req.headers.authorization, status });
    const rate = () => ({
      'x-ratelimit-limit': String(state.limit),
      'x-ratelimit-remaining': String(Math.max(0, state.remaining)),
      'x-ratelimit-reset': String(state.resetAt),
      'x-ratelimit-used': String(state.limit - Math.max(0, state.remaining)),
      'x-ratelimit-resource': 'core',
    });
    const m = /^\/repos\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) {
      record(404);
      return json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    }
    const sec = state.secondary.shift();
    if (sec) {
      record(sec.status);
      return json(res, sec.status, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits', status: String(sec.status) }, sec.retryAfter === null ? {} : { 'retry-after': String(sec.retryAfter) });
    }
    if (state.remaining <= 0) {
      record(403);
      return json(res, 403, { message: 'API rate limit exceeded for 127.0.0.1. (But here\'s the good news: Authenticated requests get a higher rate limit.)', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' }, rate());
    }
    const key = `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`.toLowerCase();
    const repo = state.repos.get(key);
    if (!repo) {
      state.remaining--;
      record(404);
      return json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository', status: '404' }, rate());
    }
    const [owner, name] = repo.full_name.split('/');
    const body = {
      id: 1,
      node_id: 'R_kgDO',
      name,
      full_name: repo.full_name,
      private: false,
      owner: { login: owner, type: 'User' },
      html_url: `https://github.com/${repo.full_name}`,
      description: repo.description ?? null,
      fork: false,
      stargazers_count: repo.stargazers_count,
      watchers_count: repo.stargazers_count,
      forks_count: 3,
      default_branch: 'main',
    };
    const etag = `W/"${createHash('sha256').update(JSON.stringify(body)).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) {
      // Conditional requests answered 304 do not count against the primary limit.
      record(304);
      res.writeHead(304, { etag, ...rate() });
      return res.end();
    }
    state.remaining--;
    record(200);
    json(res, 200, body, { etag, 'cache-control': 'public, max-age=60, s-maxage=60', ...rate() });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }) as GithubServer;
}
