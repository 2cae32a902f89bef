import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { createHash, timingSafeEqual } from 'node:crypto';
import { registry, storePool } from '../../metrics.ts';

/**
 * `/healthz`: the process is alive. `/readyz`: it can serve — the store answers and its schema is
 * the one this code expects, and (in `serve`) the search index is loaded. A load balancer routes only to ready processes. `/metrics`: Prometheus
 * (with `METRICS_TOKEN`).
 */
function sameSecret(given: string, expected: string): boolean {
  // Hashes first: equal lengths for timingSafeEqual, and no early exit on the first wrong byte.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function healthRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const { ready, checks } = await c.var.services.health.readiness(c.var.services.searchIndex.indexReady);
    c.header('Cache-Control', 'no-store');
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
  return app;
}

/**
 * `/metrics` (Prometheus), off unless METRICS_TOKEN is set, then only with `Authorization: Bearer
 * <token>`: request counts by route, pool and job state are for the operator, not for every
 * visitor. Mounted before sessions and API tokens (its bearer token is not an API token).
 */
export function metricsRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) => {
    const token = c.var.services.config.metricsToken;
    if (!token) return c.json({ error: { code: 'not_found', message: 'metrics are off (set METRICS_TOKEN)' } }, 404);
    if (!sameSecret(c.req.header('authorization') ?? '', `Bearer ${token}`)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      return c.json({ error: { code: 'unauthorized', message: 'send Authorization: Bearer <METRICS_TOKEN>' } }, 401);
    }
    const pool = c.var.services.poolStats?.();
    if (pool) for (const [state, n] of Object.entries(pool)) storePool.set({ state }, n);
    c.header('Content-Type', registry.contentType);
    c.header('Cache-Control', 'no-store');
    return c.body(await registry.metrics());
  });
  return app;
}
