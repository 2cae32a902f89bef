import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Hugging Face hub's listing API as the hub answers it:
 * `GET /api/models`, `/api/datasets`, `/api/spaces` with `filter=<tag>` (a repository carries the
 * tag `arxiv:<id>` when its card cites the paper) and `limit`, a JSON array of compact repository
 * objects (models: `_id`, `id`, `modelId`, `likes`, `downloads`, `private`, `pipeline_tag`,
 * `library_name`, `tags`, `createdAt`; datasets: `_id`, `id`, `author`, `sha`, `lastModified`,
 * `private`, `gated`, `disabled`, `downloads`, `likes`, `tags`, `createdAt`, `key`; Spaces: `_id`,
 * `id`, `author`, `likes`, `private`, `sdk`, `tags`, `createdAt`), paged by `Link: <…>; rel="next"`
 * with a `cursor`. Faults: `429` with `Retry-After` for the next N requests.
 */
export interface FakeHubRepo {
  id: string;
  likes?: number;
  downloads?: number;
  tags: string[];
  pipeline_tag?: string;
  sdk?: string;
  private?: boolean;
}

export interface HfApiServer {
  url: string;
  models: FakeHubRepo[];
  datasets: FakeHubRepo[];
  spaces: FakeHubRepo[];
  requests: string[];
  rateLimited: number;
  /** Origin written into the `Link` header's next URL (default this server): to test that other hosts are not followed. */
  linkOrigin?: string;
  close(): Promise<void>;
}

export async function startHfApiServer(data: Partial<Pick<HfApiServer, 'models' | 'datasets' | 'spaces'>> = {}): Promise<HfApiServer> {
  const state: Omit<HfApiServer, 'url' | 'close'> = { models: data.models ?? [], datasets: data.datasets ?? [], spaces: data.spaces ?? [], requests: [], rateLimited: 0 };
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    state.requests.push(url.pathname + url.search);
    const m = /^\/api\/(models|datasets|spaces)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-error-code': 'EntryNotFound' });
      return res.end(JSON.stringify({ error: 'Not Found' }));
    }
    if (state.rateLimited > 0) {
      state.rateLimited--;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '17' });
      return res.end(JSON.stringify({ error: 'You have exceeded our hourly quotas for action: api. We invite you to retry later.' }));
    }
    const kind = m[1] as 'models' | 'datasets' | 'spaces';
    const filter = url.searchParams.get('filter');
    const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 1000));
    const cursor = Number(url.searchParams.get('cursor') ?? 0);
    const all = state[kind].filter((r) => !filter || r.tags.includes(filter)).filter((r) => !r.private);
    const page = all.slice(cursor, cursor + limit);
    const author = (id: string) => (id.includes('/') ? id.split('/')[0] : undefined);
    const body = page.map((r, i) => {
      const common = { _id: `6${String(cursor + i).padStart(23, '0')}`, id: r.id, likes: r.likes ?? 0, private: false, tags: r.tags, createdAt: '2025-01-02T03:04:05.000Z' };
      if (kind === 'models') return { ...common, modelId: r.id, downloads: r.downloads ?? 0, pipeline_tag: r.pipeline_tag, library_name: 'transformers' };
      if (kind === 'datasets') return { ...common, author: author(r.id), sha: 'a'.repeat(40), lastModified: '2025-01-02T03:04:05.000Z', gated: false, disabled: false, downloads: r.downloads ?? 0, key: '' };
      return { ...common, author: author(r.id), sdk: r.sdk ?? 'gradio' };
    });
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (cursor + limit < all.length) {
      const next = new URL(`${state.linkOrigin ?? base}${url.pathname}`);
      for (const [k, v] of url.searchParams) if (k !== 'cursor') next.searchParams.set(k, v);
      next.searchParams.set('cursor', String(cursor + limit));
      headers.link = `<${next.href}>; rel="next"`;
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return Object.assign(state, { url: base, close: () => new Promise<void>((r) => server.close(() => r())) }) as HfApiServer;
}
