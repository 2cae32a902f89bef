import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { httpDuration, httpRequests } from '../../metrics.ts';

/** Counts each request and its latency under the matched route pattern (not the raw path: bounded labels). */
export function requestMetrics(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const route = c.req.routePath && c.req.routePath !== '*' && c.req.routePath !== '/*' ? c.req.routePath : c.res.status === 404 ? 'unmatched' : c.req.routePath;
      const method = c.req.method;
      httpRequests.inc({ route, method, status: String(c.res.status) });
      httpDuration.observe({ route, method }, (performance.now() - start) / 1000);
    }
  };
}
