import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/utils/compress';
import type { AppEnv } from '../env.ts';

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);

/** Bodies smaller than this go out as they are (the header costs more than it saves). */
export const THRESHOLD = 1024;

/** The content codings this site sends. */
export type Encoding = 'gzip' | 'deflate';
/**
 * zlib's level: a 35 kB search answer took 0.59 ms at 1, 0.90 ms at 4 and 1.13 ms at 6 (the
 * default) and came out 10.7, 10.0 and 9.8 kB; 4 keeps nearly all of the saving.
 */
const LEVEL = 4;

/** The encoding to use: gzip before deflate, by the client's q-values; undefined for none. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const wildcard = q.get('*');
  const of = (enc: string) => q.get(enc) ?? wildcard ?? 0;
  const g = of('gzip');
  const d = of('deflate');
  if (g > 0 && g >= d) return 'gzip';
  return d > 0 ? 'deflate' : undefined;
}

/** Compresses a whole body at this site's level, on libuv's thread pool. */
export function compressBody(body: Uint8Array, encoding: Encoding): Promise<Buffer> {
  return (encoding === 'gzip' ? gzip : deflate)(body, { level: LEVEL });
}

/** Whether an answer with these headers may be compressed: a text type, and no `no-transform`. */
export function compressible(headers: Headers): boolean {
  const type = headers.get('Content-Type');
  if (!type || !COMPRESSIBLE_CONTENT_TYPE_REGEX.test(type)) return false;
  return !/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(headers.get('Cache-Control') ?? '');
}

/** Adds `Accept-Encoding` to `Vary` unless it is there (or `Vary: *`). */
export function varyOnAcceptEncoding(headers: Headers): void {
  const vary = headers.get('Vary');
  if (vary !== '*' && !/(?:^|,)\s*accept-encoding\s*(?:,|$)/i.test(vary ?? '')) headers.set('Vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
}

/**
 * Compresses text answers (HTML, JSON, feeds) for clients that accept gzip or deflate. Every
 * answer of this site is built whole before it is sent, so the body is compressed whole, on
 * libuv's thread pool: hono/compress piped each body through a `CompressionStream` on the request
 * thread, about twice the CPU of zlib at its default level (a search answer: 2.1 ms against 1.1).
 * Answers from the page cache come here already encoded (`Content-Encoding` set, or identity for a
 * client that accepts none): the cache keeps each page's compressed copies (`PageCache.encoded`).
 */
export function compress(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (c.req.method === 'HEAD' || res.status === 206 || res.status === 204 || res.status === 304 || !res.body) return;
    if (res.headers.has('Content-Encoding') || res.headers.has('Transfer-Encoding')) return;
    if (!compressible(res.headers)) return;
    varyOnAcceptEncoding(res.headers);
    const encoding = chooseEncoding(c.req.header('Accept-Encoding'));
    if (!encoding) return;
    const length = res.headers.get('Content-Length');
    if (length !== null && Number(length) < THRESHOLD) return;
    const body = Buffer.from(await res.arrayBuffer());
    const headers = new Headers(res.headers);
    let out: Buffer = body;
    if (body.length >= THRESHOLD) {
      out = await compressBody(body, encoding);
      headers.set('Content-Encoding', encoding);
      const etag = headers.get('ETag');
      if (etag && !etag.startsWith('W/')) headers.set('ETag', `W/${etag}`);
    }
    headers.set('Content-Length', String(out.length));
    c.res = undefined as never;
    c.res = new Response(new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, out.length), { status: res.status, statusText: res.statusText, headers });
  };
}
