import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

const READ_METHODS = 'GET, HEAD, OPTIONS';
const EXPOSED = 'ETag, Last-Modified, Link, Retry-After, RateLimit-Limit, RateLimit-Remaining, X-Request-Id';

/**
 * CORS for the public read routes: any origin may GET and HEAD (no cookies: `Allow-Credentials`
 * is never sent, so a page elsewhere cannot act as a signed-in user). A preflight answers for
 * reads only, which keeps cross-origin writes out.
 */
export function readCors(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'OPTIONS') {
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': READ_METHODS,
        'Access-Control-Allow-Headers': 'Authorization, If-None-Match, If-Modified-Since, Accept',
        'Access-Control-Max-Age': '86400',
        Allow: READ_METHODS,
      });
    }
    await next();
    if (method === 'GET' || method === 'HEAD') {
      c.res.headers.set('Access-Control-Allow-Origin', '*');
      c.res.headers.set('Access-Control-Expose-Headers', EXPOSED);
    }
  };
}
