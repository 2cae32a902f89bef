import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AppEnv } from '../env.ts';
import { jsonError } from '../errors.ts';

export interface RateLimitRule {
  /** Names the counter, e.g. `comment`; limits with different names count separately. */
  name: string;
  limit: number;
  windowSeconds: number;
  /** What to count by; defaults to the client IP. Return null to skip limiting this request. */
  key?: (c: Context<AppEnv>) => string | null;
}

/** The client address: the socket peer (a reverse proxy in front should be trusted explicitly, not here). */
export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Answers 429 with `Retry-After` once a key exceeds its limit in the current window (`rateLimits` of one rule). */
export function rateLimit(rule: RateLimitRule): MiddlewareHandler<AppEnv> {
  return rateLimits([rule]);
}

/**
 * Several limits counted together (one statement on PostgreSQL, where each was a round trip and a
 * commit): an upvote's per-address and per-account limits. Every applicable counter counts the
 * request; the first rule over its limit answers 429. The headers describe the rule with the
 * fewest requests left.
 */
export function rateLimits(rules: readonly RateLimitRule[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const applied = rules.flatMap((rule) => {
      const key = rule.key ? rule.key(c) : `ip:${clientIp(c)}`;
      return key === null ? [] : [{ rule, key: `${rule.name}:${key}` }];
    });
    if (!applied.length) return next();
    const decisions = await c.var.services.rateLimits.hitMany(applied.map((a) => ({ key: a.key, limit: a.rule.limit, windowSeconds: a.rule.windowSeconds })));
    const left = decisions.map((d, i) => applied[i].rule.limit - d.count);
    const tightest = left.indexOf(Math.min(...left));
    c.header('RateLimit-Limit', String(applied[tightest].rule.limit));
    c.header('RateLimit-Remaining', String(Math.max(0, left[tightest])));
    const refused = decisions.find((d) => !d.allowed);
    if (refused) {
      return jsonError(c, 429, 'rate_limited', `too many requests; try again in ${refused.retryAfter} s`, {
        'Retry-After': String(refused.retryAfter),
      });
    }
    return next();
  };
}
