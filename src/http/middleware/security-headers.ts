import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

/** The CSP nonce of the response being rendered (the layout's inline script carries it). */
const nonces = new AsyncLocalStorage<{ nonce: string }>();

/** This response's nonce; an empty string outside a request (a view rendered on its own, in tests). */
export function cspNonce(): string {
  return nonces.getStore()?.nonce ?? '';
}

/**
 * Answers this request with a page rendered earlier (the anonymous page cache): its policy must
 * name the nonce that page carries. A 304 keeps the browser's copy, which carries it too.
 */
export function reuseCspNonce(nonce: string): void {
  const store = nonces.getStore();
  if (store) store.nonce = nonce;
}

/**
 * The Content-Security-Policy of HTML pages: scripts and styles only from this site or carrying
 * this response's nonce (the theme boot before first paint), so markup injected despite escaping
 * cannot run; no plugins, no `<base>`, forms post only here, and no framing (clickjacking).
 */
export function pagePolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Everything that is not a page (JSON, feeds, assets) runs nothing and embeds nothing. */
export const NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Headers every response carries: a CSP (with a fresh nonce for pages), `nosniff` (a JSON or text
 * answer is never run as script or HTML), no framing by other sites, and a referrer that stays on
 * this site (a reader's page, search or collection is nobody else's business).
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const holder = { nonce: randomBytes(16).toString('base64') };
    await nonces.run(holder, next);
    const nonce = holder.nonce;
    const type = c.res.headers.get('content-type') ?? '';
    c.res.headers.set('Content-Security-Policy', type.startsWith('text/html') ? pagePolicy(nonce) : NON_PAGE_POLICY);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('X-Frame-Options', 'DENY');
    c.res.headers.set('Referrer-Policy', 'same-origin');
  };
}
