import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import type { PageCache } from '../page-cache.ts';
import { pageCacheRequests } from '../../metrics.ts';
import { cspNonce, reuseCspNonce } from './security-headers.ts';
import { etagMatches } from './conditional-get.ts';
import { acceptVariant } from '../accept.ts';
import { chooseEncoding, compressible, THRESHOLD, varyOnAcceptEncoding } from './compress.ts';

/** Pages every anonymous reader gets alike: feeds, trending, papers, authors, profiles, organisations, public collections. */
const CACHED_PREFIXES = ['/papers/', '/authors/', '/users/', '/orgs', '/collections/'];
/**
 * JSON answers every anonymous client gets alike, kept as they are: the search API (the same query
 * asked again within seconds — a popular word, a shared link, a client paging back — costs a
 * ranking, a store read and highlighting each time). Their `Cache-Control` stays the API's.
 */
const CACHED_API = new Set(['/api/papers/search']);
/** Under those prefixes, pages that are a reader's own (a redirect to log in for anonymous readers, never a 200). */
const NEVER = new Set(['/papers/for-you']);
const SAFE = new Set(['GET', 'HEAD']);
/** Headers of the first answer that belong to that one request, not to the page. */
const PER_REQUEST = new Set(['set-cookie', 'x-request-id', 'date', 'content-length', 'ratelimit-limit', 'ratelimit-remaining']);
/** Of those, what the middleware before this one set for this request: a hit carries them too. */
const RATE_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining'];

/**
 * A vote (the API's or the upvote form's; the form's flash message is its voter's own):
 * `UpvoteService` tells the cache what it changed (`ContentChanges`), so that only the pages
 * depending on it go stale; a vote that changed nothing tells nothing.
 */
const VOTE_PATH = /^(?:\/api)?\/papers\/.+\/upvote$/;

function cacheable(path: string): boolean {
  if (NEVER.has(path)) return false;
  return path === '/' || CACHED_PREFIXES.some((p) => path.startsWith(p)) || CACHED_API.has(path);
}

/**
 * Serves anonymous page reads from the `PageCache` and revalidates them with ETags. A request with
 * any cookie or credentials bypasses it (a session, a flash message, an anonymous CSRF cookie all
 * change the page), and so does an answer that sets a cookie, says `no-store` or is not a 200. Any successful
 * write through this app but a vote marks the cache changed (votes: see `VOTE_PATH`); a page is kept with
 * what its route said it depends on (`pageDependsOn`); answers are served as `Cache-Control: no-cache`
 * so browsers ask again and get a 304 while the page is the same; `X-Page-Cache` says hit or miss.
 *
 * A page goes out in the encoding the client accepts (`chooseEncoding`), from the compressed copy
 * the cache keeps with it (`PageCache.encoded`): `compress()`, before this middleware, leaves an
 * answer with a `Content-Encoding` as it is. Its weak ETag is the same in every encoding, so a 304
 * answers either; `Vary: Accept-Encoding` tells shared caches the coding depends on the header.
 */
export function pageCache(cache: PageCache): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method;
    if (!SAFE.has(method)) {
      await next();
      if (c.res.status < 400 && !VOTE_PATH.test(c.req.path)) cache.changed();
      return;
    }
    const url = new URL(c.req.url);
    if (!cacheable(url.pathname) || c.req.header('cookie') || c.req.header('authorization')) {
      pageCacheRequests.inc({ result: 'bypass' });
      return next();
    }
    // The paper route answers Markdown to `Accept: text/markdown`: that variant is part of the key —
    // not the header itself, which differs by client (`*/*`, a browser's list) for the same page.
    const key = `${url.pathname}${url.search}\n${acceptVariant(c.req.header('accept'))}`;
    const cached = cache.get(key);
    pageCacheRequests.inc({ result: cached ? 'hit' : 'miss' });
    let page = cached;
    if (!page) {
      const renderedFrom = Date.now();
      await next();
      const res = c.res;
      if (res.status !== 200 || res.headers.has('set-cookie') || /no-store/i.test(res.headers.get('cache-control') ?? '')) return;
      const headers: [string, string][] = [];
      res.headers.forEach((v, k) => {
        if (!PER_REQUEST.has(k.toLowerCase())) headers.push([k, v]);
      });
      page = cache.set(key, { status: res.status, headers, body: await res.clone().arrayBuffer(), nonce: cspNonce(), deps: c.get('pageDeps'), ttlMs: c.get('pageTtlMs') }, renderedFrom);
      if (!page) return;
    }
    // The rate limits counted this request before it got here: its own counts go out, hit or miss
    // (on a hit `c.res` holds the headers set so far).
    const rate = RATE_HEADERS.flatMap((name) => {
      const v = c.res.headers.get(name);
      return v === null ? [] : [[name, v] as const];
    });
    const headers = new Headers(page.headers);
    headers.set('ETag', page.etag);
    if (!CACHED_API.has(url.pathname)) headers.set('Cache-Control', 'no-cache');
    for (const [name, v] of rate) headers.set(name, v);
    headers.append('Vary', 'Cookie');
    headers.set('X-Page-Cache', cached ? 'hit' : 'miss');
    if (c.var.requestId) headers.set('X-Request-Id', c.var.requestId);
    reuseCspNonce(page.nonce);
    const encodable = compressible(headers);
    if (encodable) varyOnAcceptEncoding(headers);
    const inm = c.req.header('if-none-match');
    if (inm && etagMatches(inm, page.etag)) {
      c.res = undefined as never;
      c.res = new Response(null, { status: 304, headers });
      return;
    }
    let body: Uint8Array = new Uint8Array(page.body);
    const encoding = encodable && page.body.byteLength >= THRESHOLD ? chooseEncoding(c.req.header('accept-encoding')) : undefined;
    if (encoding) {
      // A HEAD gets the headers its GET would: the encoded copy's length (made now if need be).
      body = await cache.encoded(page, encoding);
      headers.set('Content-Encoding', encoding);
    }
    headers.set('Content-Length', String(body.byteLength));
    c.res = undefined as never;
    c.res = new Response(method === 'HEAD' ? null : new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength), { status: page.status, headers });
  };
}
