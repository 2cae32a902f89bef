import type { ZoteroItem } from '../domain/zotero-item.ts';

/** A refusal or failure of the Zotero web API, in words a reader can act on. */
export class ZoteroError extends Error {
  override name = 'ZoteroError';
  constructor(
    readonly status: number,
    message: string,
    /** Seconds Zotero asked us to wait (429 / 503 `Retry-After`, or `Backoff`). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export type ZoteroChanges = { notModified: true; version: number } | { notModified: false; version: number; items: ZoteroItem[]; deleted: string[] };

const PAGE = 100;

/**
 * The Zotero web API (v3) as a sync needs it: the items changed since a library version
 * (`?since=`, `If-Modified-Since-Version` → 304 when nothing changed), paged by the `Link` header,
 * and the keys deleted since then (`/deleted?since=`). Notes and attachments are not asked for.
 */
export class ZoteroClient {
  constructor(private readonly opts: { baseUrl: string; timeoutMs?: number; maxPages?: number; signal?: AbortSignal }) {}

  async changes(zoteroUser: string, apiKey: string, since: number): Promise<ZoteroChanges> {
    const base = this.opts.baseUrl.replace(/\/+$/, '');
    const origin = new URL(base).origin;
    let url: string | null = `${base}/users/${encodeURIComponent(zoteroUser)}/items?since=${since}&format=json&limit=${PAGE}&itemType=${encodeURIComponent('-attachment || note')}`;
    const items: ZoteroItem[] = [];
    let version: number | null = null;
    for (let page = 0; url; page++) {
      if (page >= (this.opts.maxPages ?? 500)) throw new ZoteroError(502, 'the Zotero library has more pages than one sync reads; it continues next time');
      const res = await this.get(url, apiKey, page === 0 && since > 0 ? since : undefined);
      if (res.status === 304) return { notModified: true, version: since };
      const v = Number(res.headers.get('last-modified-version'));
      if (!Number.isFinite(v)) throw new ZoteroError(502, 'Zotero answered without a Last-Modified-Version');
      // The library changed while we paged: the pages do not describe one version; the next sync starts again.
      if (version !== null && v !== version) throw new ZoteroError(409, 'the Zotero library changed during the sync; it will be read again', 1);
      version = v;
      const body = await json(res);
      if (!Array.isArray(body)) throw new ZoteroError(502, 'Zotero answered with something that is not a list of items');
      for (const it of body) if (it && typeof it.key === 'string' && it.data && typeof it.data === 'object') items.push(it as ZoteroItem);
      const next = nextLink(res.headers.get('link'));
      // Follow only links to the configured API (a Link header is not a licence to send the key
      // anywhere); one elsewhere fails the sync, so the library version does not move past pages unread.
      if (next && new URL(next).origin !== origin) throw new ZoteroError(502, 'Zotero sent a next-page link to another host; the sync stopped and will be tried again');
      url = next;
    }
    let deleted: string[] = [];
    if (since > 0) {
      const res = await this.get(`${base}/users/${encodeURIComponent(zoteroUser)}/deleted?since=${since}`, apiKey);
      const body = (await json(res)) as { items?: unknown };
      deleted = Array.isArray(body?.items) ? body.items.filter((k): k is string => typeof k === 'string') : [];
    }
    return { notModified: false, version: version ?? since, items, deleted };
  }

  private async get(url: string, apiKey: string, ifModifiedSince?: number): Promise<Response> {
    const headers: Record<string, string> = { 'Zotero-API-Version': '3', 'Zotero-API-Key': apiKey, accept: 'application/json' };
    if (ifModifiedSince !== undefined) headers['If-Modified-Since-Version'] = String(ifModifiedSince);
    const signals = [AbortSignal.timeout(this.opts.timeoutMs ?? 15_000), ...(this.opts.signal ? [this.opts.signal] : [])];
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.any(signals), redirect: 'error' });
    } catch (err) {
      throw new ZoteroError(503, `Zotero could not be reached (${(err as Error).name === 'TimeoutError' ? 'no answer in time' : 'network error'}); it will be tried again`);
    }
    if (res.status === 200 || res.status === 304) return res;
    await res.body?.cancel();
    const wait = Number(res.headers.get('retry-after') ?? res.headers.get('backoff')) || undefined;
    if (res.status === 403) throw new ZoteroError(403, 'Zotero refused the API key (403): check the key, and that it may read this library');
    if (res.status === 404) throw new ZoteroError(404, 'Zotero has no such user library (404): check the user id (a number, shown at zotero.org/settings/keys)');
    if (res.status === 429) throw new ZoteroError(429, 'Zotero asked us to slow down (429); the sync will be tried again later', wait);
    throw new ZoteroError(res.status >= 500 ? 503 : 502, `Zotero answered ${res.status}; the sync will be tried again later`, wait);
  }
}

async function json(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ZoteroError(502, 'Zotero answered with something that is not JSON');
  }
}

/** The `rel="next"` target of a `Link` header. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (m) return m[1];
  }
  return null;
}
