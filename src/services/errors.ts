/**
 * A rule a service refused a request by: the HTTP layer turns it into
 * `{"error": {"code", "message"}}` with `status` (and `Retry-After` when `retryAfter` is set).
 */
export class ServiceError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502 | 503,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
    /** Extra response headers the edge sends with the error (e.g. `Connection: close` after a 413). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** The one answer for "no paper readers may see by this id": unknown, hidden and withdrawn look the same. */
export function paperNotFound(id: string): ServiceError {
  return new ServiceError(404, 'not_found', `paper ${id.slice(0, 100)} not found`);
}
