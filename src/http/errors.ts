import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ServiceError } from '../services/errors.ts';

/*
 * The one error type at the edge is `ServiceError` (src/services/errors.ts): services, middleware
 * and routes throw it, and the app answers `{"error": {"code", "message"}}` (or an error page) with
 * its status. These helpers make the common ones.
 */

export const notFound = (what: string) => new ServiceError(404, 'not_found', `${what} not found`);
export const badRequest = (message: string, code = 'bad_request') => new ServiceError(400, code, message);

export function jsonError(c: Context, status: ContentfulStatusCode, code: string, message: string, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json({ error: { code, message } }, status);
}

/** `Retry-After` for an error that carries one. */
export function errorHeaders(err: ServiceError): Record<string, string> {
  return { ...err.headers, ...(err.retryAfter ? { 'Retry-After': String(err.retryAfter) } : {}) };
}
