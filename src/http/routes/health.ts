import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

/** `/healthz`: the process is alive and answering. */
export function healthRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  return app;
}
