import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An item as the Zotero web API stores it (what `format=json` returns, minus links and meta we do not read). */
export interface FakeZoteroItem {
  key: string;
  data: Record<string, unknown> & { itemType: string };
}

/**
 * A local stand-in for the Zotero web API v3, answering as api.zotero.org does for the calls a
 * sync makes: `GET /users/{id}/items` (`since`, `start`/`limit` paging with `Link` and
 * `Total-Results`, `itemType=-attachment || note`, `Last-Modified-Version`, 304 on
 * `If-Modified-Since-Version`), `GET /users/{id}/deleted?since=`, 403 "Forbidden" for a key
 * without access, and 429 with `Retry-After` when told to.
 */
export class FakeZotero {
  readonly requests: Array<{ path: string; headers: http.IncomingHttpHeaders; status: number }> = [];
  version = 1;
  private readonly items = new Map<string, { item: FakeZoteroItem; version: number }>();
  private readonly deleted = new Map<string, number>();
  private server?: http.Server;
  url = '';
  /** Answer the next N requests with 429 and this Retry-After. */
  throttle = { remaining: 0, retryAfter: 30 };
  /** Where `rel="next"` links point (a hostile or broken server could point them anywhere); this server by default. */
  nextOrigin?: string;

  constructor(
    readonly userId: string,
    public apiKey: string,
  ) {}

  /** One library write (as a Zotero client's sync would make): items added or changed, keys deleted. */
  write(change: { put?: FakeZoteroItem[]; remove?: string[] }): void {
    this.version++;
    for (const it of change.put ?? []) this.items.set(it.key, { item: it, version: this.version });
    for (const k of change.remove ?? []) {
      this.items.delete(k);
      this.deleted.set(k, this.version);
    }
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()) ?? r());
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', this.url);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ path: u.pathname + u.search, headers: req.headers, status });
      res.writeHead(status, { 'Zotero-API-Version': '3', ...(typeof body === 'string' ? { 'Content-Type': 'text/plain' } : { 'Content-Type': 'application/json' }), ...headers });
      res.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (this.throttle.remaining > 0) {
      this.throttle.remaining--;
      return send(429, 'Too Many Requests', { 'Retry-After': String(this.throttle.retryAfter) });
    }
    const m = /^\/users\/(\d+)\/(items|deleted)$/.exec(u.pathname);
    if (!m) return send(404, 'Not found');
    const key = req.headers['zotero-api-key'] ?? (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (key !== this.apiKey || m[1] !== this.userId) return send(403, 'Forbidden');
    const since = Number(u.searchParams.get('since') ?? 0);
    const versionHeader = { 'Last-Modified-Version': String(this.version) };
    if (m[2] === 'deleted') {
      const items = [...this.deleted].filter(([, v]) => v > since).map(([k]) => k);
      return send(200, { collections: [], searches: [], items, tags: [], settings: [] }, versionHeader);
    }
    const ims = req.headers['if-modified-since-version'];
    if (ims !== undefined && this.version <= Number(ims)) return send(304, undefined, versionHeader);
    const excluded = (u.searchParams.get('itemType') ?? '').startsWith('-')
      ? u.searchParams.get('itemType')!.slice(1).split('||').map((t) => t.trim())
      : [];
    const all = [...this.items.values()].filter((e) => e.version > since && !excluded.includes(e.item.data.itemType));
    const start = Number(u.searchParams.get('start') ?? 0);
    const limit = Math.min(100, Number(u.searchParams.get('limit') ?? 25));
    const page = all.slice(start, start + limit).map((e) => ({ key: e.item.key, version: e.version, library: { type: 'user', id: Number(this.userId) }, data: { key: e.item.key, version: e.version, ...e.item.data } }));
    const link = (s: number) => {
      const l = new URL(u);
      if (this.nextOrigin) {
        const o = new URL(this.nextOrigin);
        l.protocol = o.protocol;
        l.host = o.host;
      }
      l.searchParams.set('start', String(s));
      return l.toString();
    };
    const links = [start + limit < all.length ? `<${link(start + limit)}>; rel="next"` : '', all.length ? `<${link(Math.floor((all.length - 1) / limit) * limit)}>; rel="last"` : '', `<https://www.zotero.org/users/${this.userId}/items>; rel="alternate"`].filter(Boolean);
    return send(200, page, { ...versionHeader, 'Total-Results': String(all.length), Link: links.join(', ') });
  }
}
