import type { MiddlewareHandler } from 'hono';
import type { RateSpec } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { rateLimit } from './rate-limit.ts';

/** A write limit counted per client IP (`name-ip:ip:…`). */
export function perIp(name: string, spec: RateSpec): MiddlewareHandler<AppEnv> {
  return rateLimit({ name: `${name}-ip`, limit: spec.limit, windowSeconds: spec.windowSeconds });
}

/** A write limit counted per signed-in account; requests without an account are not counted here. */
export function perUser(name: string, spec: RateSpec): MiddlewareHandler<AppEnv> {
  return rateLimit({ name: `${name}-user`, limit: spec.limit, windowSeconds: spec.windowSeconds, key: (c) => (c.var.user ? `user:${c.var.user.id}` : null) });
}
