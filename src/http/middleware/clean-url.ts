import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ServiceError } from '../../services/errors.ts';

/**
 * No NUL byte in a path or query string, raw or percent-encoded. PostgreSQL refuses NUL in text
 * (a 500 wherever such a value reached a query) and no page, id or search needs one, so every
 * route answers a clear 400 before anything reads the value.
 */
export function cleanUrl(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = c.req.url;
    const target = url.slice(url.indexOf('/', url.indexOf('//') + 2));
    if (target.includes('\0') || /%00/i.test(target)) throw new ServiceError(400, 'nul_byte', 'the address contains a NUL byte (%00)');
    return next();
  };
}

/** Whether a parsed JSON value or form holds a NUL byte in any key or string. */
export function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => holdsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\0') || holdsNul(v, depth + 1));
}
