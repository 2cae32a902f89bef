import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { ServiceError } from '../../services/errors.ts';

const isApi = (path: string) => path.startsWith('/api/') || path === '/api';

/**
 * One cap on request bodies for every route, site forms included: `MAX_BODY_BYTES`, and the
 * tighter `API_MAX_BODY_BYTES` under /api. A declared `Content-Length` beyond it is refused before
 * any byte is read; a chunked body is counted while it streams and refused as soon as it passes the
 * cap, so nothing larger than the cap is ever held in memory (a 200 MB form was buffered whole).
 * The answer is a 413 (JSON under /api, a page elsewhere) and the connection is closed, so a client
 * still sending learns at once.
 */
export function bodyCap(config: Config): MiddlewareHandler<AppEnv> {
  const limiter = (max: number) => bodyLimit({ maxSize: max, onError: () => refuse(max) });
  const site = limiter(config.maxBodyBytes);
  const api = limiter(Math.min(config.apiMaxBodyBytes, config.maxBodyBytes));
  // The library import takes files up to LIBRARY_IMPORT_MAX_BYTES and answers beyond that with
  // its own page (libraryImportBodyLimit); this cap sits just above, for the multipart framing.
  const libraryImport = limiter(Math.max(config.maxBodyBytes, config.libraryImportMaxBytes + 16 * 1024));
  return (c, next) => (isApi(c.req.path) ? api(c, next) : LIBRARY_IMPORT.test(c.req.path) ? libraryImport(c, next) : site(c, next));
}

const LIBRARY_IMPORT = /^\/collections\/\d{1,12}\/import$/;

function refuse(max: number): never {
  throw new ServiceError(413, 'payload_too_large', `the request body is larger than ${max} bytes`, undefined, { connection: 'close' });
}
