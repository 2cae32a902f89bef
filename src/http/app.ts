import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { PatternRouter } from 'hono/router/pattern-router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import type { AppEnv } from './env.ts';
import type { Services } from '../services/index.ts';
import { ApiError, jsonError } from './errors.ts';
import { requestLog } from './middleware/request-log.ts';
import { requestMetrics } from './middleware/metrics.ts';
import { healthRoutes } from './routes/health.ts';
import { paperApiRoutes } from './routes/papers-api.ts';
import { pageRoutes } from './routes/pages.tsx';
import { ServiceError } from '../services/errors.ts';
import { authenticate } from './middleware/auth.ts';
import { csrfProtection } from './middleware/csrf.ts';
import { authApiRoutes } from './routes/auth-api.ts';
import { upvoteApiRoutes } from './routes/upvotes-api.ts';
import { commentApiRoutes } from './routes/comments-api.ts';
import { submissionApiRoutes } from './routes/submissions-api.ts';
import { collectionApiRoutes } from './routes/collections-api.ts';
import { adminApiRoutes } from './routes/admin-api.ts';
import { communityPageRoutes } from './routes/community-pages.tsx';
import { discoveryApiRoutes } from './routes/discovery-api.ts';
import { discoveryPageRoutes } from './routes/discovery-pages.tsx';
import { errorPage } from './views/community/error-page.tsx';

const isApi = (path: string) => path.startsWith('/api/') || path === '/api';

/** The whole site as one Hono app: middleware, then each resource's routes. */
export function createApp(services: Services) {
  // Paper ids may hold a slash (`hep-th/9901001`), so PAPER_ID's pattern spans segments. The
  // RegExpRouter gives up on some route sets and Hono's default fallback, the TrieRouter, never
  // matches such a pattern (every paper route would 404). The PatternRouter does, so it is the
  // fallback here (the same fix as on the api branch).
  const app = new Hono<AppEnv>({ router: new SmartRouter({ routers: [new RegExpRouter(), new PatternRouter()] }) });
  app.use('*', requestLog(services));
  app.use('*', requestMetrics());
  app.use('*', authenticate());
  app.use('*', csrfProtection());

  app.route('/', healthRoutes());
  app.route('/', authApiRoutes(services.config));
  app.route('/', submissionApiRoutes(services.config));
  app.route('/', upvoteApiRoutes(services.config));
  app.route('/', commentApiRoutes(services.config));
  app.route('/', collectionApiRoutes());
  app.route('/', adminApiRoutes());
  // Before the paper routes: /api/papers/for-you and /papers/for-you are not paper ids.
  app.route('/', discoveryApiRoutes(services.config));
  app.route('/', discoveryPageRoutes(services.config));
  app.route('/', paperApiRoutes());
  app.route('/', pageRoutes());
  app.route('/', communityPageRoutes(services.config));

  app.notFound((c) => {
    if (isApi(c.req.path)) return jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
    return c.html('<!doctype html><title>Not found · Paperboy</title><h1>Page not found</h1><p><a href="/">Back to the daily papers</a></p>', 404);
  });

  app.onError((err, c) => {
    if (err instanceof ServiceError) {
      const headers: Record<string, string> = err.retryAfter ? { 'Retry-After': String(err.retryAfter) } : {};
      if (isApi(c.req.path)) return jsonError(c, err.status, err.code, err.message, headers);
      for (const [k, v] of Object.entries(headers)) c.header(k, v);
      return c.html(errorPage(err.status, err.message), err.status);
    }
    if (err instanceof ApiError && !isApi(c.req.path) && err.status < 500) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.html(errorPage(err.status, err.message), err.status);
    }
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
