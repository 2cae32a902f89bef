import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

/** A weak validator from the body's bytes: equal bodies, equal tags, across processes and restarts. */
export function weakEtag(body: ArrayBuffer | Uint8Array | string): string {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body instanceof Uint8Array ? body : new Uint8Array(body);
  return `W/"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
}

/** Weak comparison (RFC 9110 §13.1.2): `W/` is ignored; `*` matches any current representation. */
export function etagMatches(header: string, etag: string): boolean {
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare;
  });
}

function notModifiedSince(header: string, lastModified: string): boolean {
  const since = Date.parse(header);
  const modified = Date.parse(lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && Math.floor(modified / 1000) <= Math.floor(since / 1000);
}

/**
 * Conditional GET for reads: every 200 answer to GET/HEAD gets a weak `ETag` (a hash of the body,
 * unless the handler set one) and a `Cache-Control` (public with `API_CACHE_SECONDS`, or private
 * when the request carried credentials, unless the handler set one); a matching `If-None-Match`
 * — or, without it, an `If-Modified-Since` not older than the handler's `Last-Modified` — gets
 * a bodiless 304 with the same validators.
 */
export function conditionalGet(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const method = c.req.method;
    if ((method !== 'GET' && method !== 'HEAD') || c.res.status !== 200) return;
    let res = c.res;
    const credentialed = Boolean(c.req.header('authorization') || c.req.header('cookie'));
    if (!res.headers.has('Cache-Control')) {
      res.headers.set('Cache-Control', credentialed ? 'private, no-cache' : `public, max-age=${c.var.services.config.apiCacheSeconds}`);
    }
    res.headers.append('Vary', 'Authorization, Cookie');
    let etag = res.headers.get('ETag');
    if (!etag) {
      // The body is read once and the answer rebuilt around its bytes: `clone()` teed the body's
      // stream, and @hono/node-server then piped the other branch to the socket chunk by chunk,
      // where a body of bytes is written in one call (a search answer spent more CPU here than in
      // its SQL).
      const bytes = new Uint8Array(await res.arrayBuffer());
      etag = weakEtag(bytes);
      const headers = new Headers(res.headers);
      headers.set('ETag', etag);
      c.res = undefined as never;
      c.res = res = new Response(bytes, { status: res.status, statusText: res.statusText, headers });
    }
    const ifNoneMatch = c.req.header('if-none-match');
    const ifModifiedSince = c.req.header('if-modified-since');
    const lastModified = res.headers.get('Last-Modified');
    const fresh = ifNoneMatch !== undefined ? etagMatches(ifNoneMatch, etag) : ifModifiedSince !== undefined && lastModified !== null && notModifiedSince(ifModifiedSince, lastModified);
    if (!fresh) return;
    const headers = new Headers();
    for (const name of ['ETag', 'Last-Modified', 'Cache-Control', 'Vary', 'Link', 'X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining']) {
      const v = res.headers.get(name);
      if (v !== null) headers.set(name, v);
    }
    c.res = undefined as never;
    c.res = new Response(null, { status: 304, headers });
  };
}
