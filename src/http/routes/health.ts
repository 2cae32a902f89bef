import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { registry, storePool } from '../../metrics.ts';

/**
 * `/healthz`: the process is alive. `/readyz`: it can serve — the store answers and its schema is
 * the one this code expects, and (in `serve`) the search index is loaded. A load balancer routes only to ready processes. `/metrics`: Prometheus.
 */
export function healthRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const { ready, checks } = await c.var.services.health.readiness(c.var.services.search.indexReady);
    c.header('Cache-Control', 'no-store');
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const pool = c.var.services.poolStats?.();
    if (pool) for (const [state, n] of Object.entries(pool)) storePool.set({ state }, n);
    c.header('Content-Type', registry.contentType);
    c.header('Cache-Control', 'no-store');
    return c.body(await registry.metrics());
  });
  return app;
}
