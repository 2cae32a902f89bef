/**
 * A rule a service refused a request by: the HTTP layer turns it into
 * `{"error": {"code", "message"}}` with `status` (and `Retry-After` when `retryAfter` is set).
 */
export class ServiceError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 422 | 429 | 502 | 503,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
