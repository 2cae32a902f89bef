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
import { dailyPapersApiRoutes } from './routes/daily-papers-api.ts';
import { feedRoutes } from './routes/feeds.ts';
import { apiDocsRoutes } from './routes/api-docs.tsx';
import { readCors } from './middleware/read-cors.ts';
import { apiBodyLimit, apiRateLimits } from './middleware/api-limits.ts';
import { conditionalGet } from './middleware/conditional-get.ts';

const isApi = (path: string) => path.startsWith('/api/') || path === '/api';

/** The whole site as one Hono app: middleware, then each resource's routes. */
export function createApp(services: Services) {
  // PatternRouter: Hono's default (RegExp/Trie) routers stop matching `/api/papers/{id}` (whose id
  // may contain a slash) as soon as a static sibling such as `/api/papers/search` exists.
  const app = new Hono<AppEnv>({ router: new PatternRouter() });
  app.use('*', requestLog(services));
  app.use('*', requestMetrics());
  // The public surface — the JSON API, the feeds and their description — is readable from any
  // origin, rate limited per IP and per token, and cacheable with validators.
  // Oversized bodies are refused first: that costs nothing and touches no store.
  app.use('/api/*', apiBodyLimit(services.config));
  for (const path of ['/api/*', '/feeds/*', '/openapi.json']) {
    app.use(path, readCors(), ...apiRateLimits(services.config), conditionalGet());
  }

  app.route('/', healthRoutes());
  app.route('/', searchApiRoutes());
  app.route('/', paperApiRoutes());
  app.route('/', dailyPapersApiRoutes());
  app.route('/', feedRoutes());
  app.route('/', apiDocsRoutes());
  app.route('/', pageRoutes());

  app.notFound((c) => {
    if (isApi(c.req.path)) return jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
    return c.html('<!doctype html><title>Not found · Paperboy</title><h1>Page not found</h1><p><a href="/">Back to the daily papers</a></p>', 404);
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return jsonError(c, err.status, err.code, err.message, err.headers);
    if (err instanceof HTTPException) {
      const status = err.status;
      if (isApi(c.req.path) || status < 500) return jsonError(c, status, status === 413 ? 'payload_too_large' : 'http_error', err.message || 'request failed');
    }
    (c.get('log') ?? services.logger).error({ err }, 'unhandled error');
    if (isApi(c.req.path)) return jsonError(c, 500, 'internal', 'internal error; it has been logged');
    return c.html('<!doctype html><title>Error · Paperboy</title><h1>Something went wrong</h1><p>The error has been logged. <a href="/">Back to the daily papers</a></p>', 500);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
