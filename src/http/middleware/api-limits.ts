import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { clientIp, rateLimit } from './rate-limit.ts';

/** The token a request carries, as a hash (counters never hold the secret itself). */
function tokenKey(c: Context<AppEnv>): string | null {
  const auth = c.req.header('authorization');
  return auth ? `tok:${createHash('sha256').update(auth).digest('hex').slice(0, 32)}` : null;
}

/**
 * The API's and feeds' rate limits. Anonymous requests count per IP (`API_RATE_LIMIT_IP`).
 * Requests with a token count per token (`API_RATE_LIMIT_TOKEN`) and, with the same budget, per
 * IP — so a client cannot escape its IP's limit by inventing a new token for every request.
 */
export function apiRateLimits(config: Config): MiddlewareHandler<AppEnv>[] {
  const windowSeconds = config.apiRateWindowSeconds;
  return [
    rateLimit({ name: 'api-ip', limit: config.apiRateLimitIp, windowSeconds, key: (c) => (tokenKey(c) ? null : `ip:${clientIp(c)}`) }),
    rateLimit({ name: 'api-token-ip', limit: config.apiRateLimitToken, windowSeconds, key: (c) => (tokenKey(c) ? `ip:${clientIp(c)}` : null) }),
    rateLimit({ name: 'api-token', limit: config.apiRateLimitToken, windowSeconds, key: tokenKey }),
  ];
}

