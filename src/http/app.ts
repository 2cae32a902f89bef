import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { PatternRouter } from 'hono/router/pattern-router';
import type { AppEnv } from './env.ts';
import type { Services } from '../services/index.ts';
import { ApiError, jsonError } from './errors.ts';
import { requestLog } from './middleware/request-log.ts';
import { requestMetrics } from './middleware/metrics.ts';
import { healthRoutes } from './routes/health.ts';
import { paperApiRoutes } from './routes/papers-api.ts';
import { searchApiRoutes } from './routes/search-api.ts';
import { pageRoutes } from './routes/pages.tsx';
import { assetRoutes } from './assets.ts';
import { NotFoundPage, ServerErrorPage } from './views/error-page.tsx';
import { compress } from 'hono/compress';

const isApi = (path: string) => path.startsWith('/api/') || path === '/api';

/** The whole site as one Hono app: middleware, then each resource's routes. */
export function createApp(services: Services) {
  // PatternRouter: Hono's default (RegExp/Trie) routers stop matching `/api/papers/{id}` (whose id
  // may contain a slash) as soon as a static sibling such as `/api/papers/search` exists.
  const app = new Hono<AppEnv>({ router: new PatternRouter() });
  app.use('*', requestLog(services));
  app.use('*', requestMetrics());
  app.use('*', compress());

  app.route('/', healthRoutes());
  app.route('/', searchApiRoutes());
  app.route('/', paperApiRoutes());
  app.route('/', pageRoutes());
  app.route('/', assetRoutes());

  app.notFound((c) => {
    if (isApi(c.req.path)) return jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
    return c.html(NotFoundPage({ path: c.req.path }), 404);
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return jsonError(c, err.status, err.code, err.message, err.headers);
    if (err instanceof HTTPException) {
      const status = err.status;
      if (isApi(c.req.path) || status < 500) return jsonError(c, status, status === 413 ? 'payload_too_large' : 'http_error', err.message || 'request failed');
    }
    (c.get('log') ?? services.logger).error({ err }, 'unhandled error');
    if (isApi(c.req.path)) return jsonError(c, 500, 'internal', 'internal error; it has been logged');
    return c.html(ServerErrorPage({ requestId: c.get('requestId') }), 500);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
