import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { PatternRouter } from 'hono/router/pattern-router';
import type { AppEnv } from './env.ts';
import type { Services } from '../services/index.ts';
import { errorHeaders, jsonError } from './errors.ts';
import { requestLog } from './middleware/request-log.ts';
import { requestMetrics } from './middleware/metrics.ts';
import { healthRoutes, metricsRoutes } from './routes/health.ts';
import { paperApiRoutes } from './routes/papers-api.ts';
import { searchApiRoutes } from './routes/search-api.ts';
import { pageRoutes } from './routes/pages.tsx';
import { paperMarkdownRoutes } from './routes/paper-markdown.ts';
import { subscriptionApiRoutes } from './routes/subscriptions-api.ts';
import { signedLinkRoutes, subscriptionPageRoutes } from './routes/subscription-pages.tsx';
import { mailSettingsRoutes } from './routes/mail-settings-pages.tsx';
import { assetRoutes } from './assets.ts';
import { NotFoundPage, ServerErrorPage } from './views/error-page.tsx';
import { compress } from './middleware/compress.ts';
import { ServiceError } from '../services/errors.ts';
import { isStoreBusy, isStoreFull, isStoreUnavailable } from '../services/store-errors.ts';
import { storeErrors } from '../metrics.ts';
import { authenticate } from './middleware/auth.ts';
import { readStatePageRoutes } from './routes/read-state-pages.ts';
import { readStateApiRoutes } from './routes/read-state-api.ts';
import { notificationApiRoutes } from './routes/notifications-api.ts';
import { notificationPageRoutes, notificationSignedLinkRoutes } from './routes/notification-pages.tsx';
import { csrfProtection } from './middleware/csrf.ts';
import { pageView } from './middleware/page-view.ts';
import { authApiRoutes } from './routes/auth-api.ts';
import { upvoteApiRoutes } from './routes/upvotes-api.ts';
import { commentApiRoutes } from './routes/comments-api.ts';
import { submissionApiRoutes } from './routes/submissions-api.ts';
import { collectionApiRoutes } from './routes/collections-api.ts';
import { adminApiRoutes } from './routes/admin-api.ts';
import { communityPageRoutes } from './routes/community-pages.tsx';
import { libraryImportBodyLimit, libraryPageRoutes } from './routes/library-pages.tsx';
import { zoteroPageRoutes } from './routes/zotero-pages.tsx';
import { reportPageRoutes } from './routes/report-pages.tsx';
import { reportApiRoutes } from './routes/reports-api.ts';
import { authorshipApiRoutes } from './routes/authorship-api.ts';
import { authorshipPageRoutes } from './routes/authorship-pages.tsx';
import { discoveryApiRoutes } from './routes/discovery-api.ts';
import { discoveryPageRoutes } from './routes/discovery-pages.tsx';
import { errorPage } from './views/community/error-page.tsx';
import { dailyPapersApiRoutes } from './routes/daily-papers-api.ts';
import { feedRoutes } from './routes/feeds.ts';
import { apiDocsRoutes } from './routes/api-docs.tsx';
import { readCors } from './middleware/read-cors.ts';
import { apiRateLimits } from './middleware/api-limits.ts';
import { bodyCap } from './middleware/body-cap.ts';
import { cleanUrl } from './middleware/clean-url.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { conditionalGet } from './middleware/conditional-get.ts';
import { pageCache } from './middleware/page-cache.ts';
import { PageCache } from './page-cache.ts';
import { sitePaths } from '../domain/site-paths.ts';
import { thumbnailRoutes } from './routes/thumbnails.ts';

const isApi = (path: string) => path.startsWith('/api/') || path === '/api';

/** The whole site as one Hono app: middleware, then each resource's routes. */
export function createApp(services: Services) {
  // PatternRouter: Hono's default (RegExp/Trie) routers stop matching `/api/papers/{id}` (whose id
  // may contain a slash) as soon as a static sibling such as `/api/papers/search` exists.
  const app = new Hono<AppEnv>({ router: new PatternRouter() });
  app.use('*', requestLog(services));
  app.use('*', requestMetrics());
  app.use('*', securityHeaders());
  // Oversized bodies and NUL bytes in addresses are refused first, on every route: that costs
  // nothing and touches no store.
  app.use('*', bodyCap(services.config));
  app.use('*', cleanUrl());
  // The public surface — the JSON API, the feeds and their description — is readable from any
  // origin, rate limited per IP and per token, and cacheable with validators.
  for (const path of ['/api/*', '/feeds/*', '/openapi.json']) {
    app.use(path, readCors(), ...apiRateLimits(services.config), conditionalGet());
  }
  // Signed mail links authorise themselves; they come before sessions and CSRF (see signedLinkRoutes).
  app.route('/', signedLinkRoutes());
  app.route('/', notificationSignedLinkRoutes());
  app.route('/', metricsRoutes());
  app.route('/', thumbnailRoutes(services.config));
  app.use('/collections/:cid/import', libraryImportBodyLimit(services.config));
  app.use('*', authenticate());
  app.use('*', csrfProtection());
  app.use('*', pageView());
  app.use('*', compress());
  if (services.config.pageCacheSeconds > 0) {
    const cache = new PageCache({ ttlMs: services.config.pageCacheSeconds * 1000, maxBytes: services.config.pageCacheMb * 1024 * 1024 });
    // Votes, enrichments, harvests and imports in this process show at once too, not after the time to live.
    services.changes.subscribe((change) => (change.kind === 'vote' ? cache.voted({ ...change, paperPath: sitePaths.paper(change.paperId) }) : cache.changed()));
    app.use('*', pageCache(cache));
  }

  // Each resource's routes, all at the root, matched in this order: where two could answer one
  // address, the one listed first does.
  const { config } = services;
  const routes: Array<Hono<AppEnv>> = [
    healthRoutes(),
    authApiRoutes(config),
    searchApiRoutes(),
    submissionApiRoutes(config),
    upvoteApiRoutes(config),
    readStateApiRoutes(config),
    notificationApiRoutes(config),
    commentApiRoutes(config),
    collectionApiRoutes(config),
    adminApiRoutes(),
    reportApiRoutes(config),
    authorshipApiRoutes(config),
    // Before the paper routes: /api/papers/for-you and /papers/for-you are not paper ids.
    discoveryApiRoutes(config),
    discoveryPageRoutes(config),
    readStatePageRoutes(config),
    notificationPageRoutes(config),
    paperApiRoutes(),
    dailyPapersApiRoutes(),
    feedRoutes(),
    apiDocsRoutes(),
    subscriptionApiRoutes(),
    subscriptionPageRoutes(),
    mailSettingsRoutes(),
    // Before the general pages: their `/papers/*` paper route would answer `/papers/{id}/discussion` with a 404.
    // Before the community pages: their `/collections/:cid` would answer `/collections/12.bib` with a 404.
    libraryPageRoutes(config),
    zoteroPageRoutes(config),
    reportPageRoutes(config),
    authorshipPageRoutes(config),
    communityPageRoutes(config),
    paperMarkdownRoutes(),
    pageRoutes(),
    assetRoutes(),
  ];
  for (const r of routes) app.route('/', r);

  app.notFound((c) => {
    if (isApi(c.req.path)) return jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
    return c.html(NotFoundPage({ path: c.req.path }), 404);
  });

  app.onError((err, c) => {
    if (err instanceof ServiceError) {
      const headers = errorHeaders(err);
      if (isApi(c.req.path)) return jsonError(c, err.status, err.code, err.message, headers);
      for (const [k, v] of Object.entries(headers)) c.header(k, v);
      return c.html(errorPage(err.status, err.message), err.status);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      if (isApi(c.req.path) || status < 500) return jsonError(c, status, status === 413 ? 'payload_too_large' : 'http_error', err.message || 'request failed');
    }
    if (isStoreUnavailable(err) || isStoreFull(err)) {
      // Not a bug here: the database is down (or full). Answer at once so that a load balancer
      // retries elsewhere; the pool reconnects by itself when the store is back.
      // Busy (SQLite): another process held the write lock for the whole wait; nothing was written.
      const full = isStoreFull(err);
      const busy = !full && isStoreBusy(err);
      const code = full ? 'store_full' : busy ? 'store_busy' : 'store_unavailable';
      const message = full
        ? 'the database is out of space; nothing was changed'
        : busy
          ? 'the database is busy with another process’s write; nothing was changed, send it again in a few seconds'
          : 'the database is unreachable; try again shortly';
      storeErrors.inc({ kind: code });
      (c.get('log') ?? services.logger).warn({ err: (err as Error).message, code }, 'store error');
      c.header('Retry-After', busy ? '2' : '5');
      if (isApi(c.req.path)) return jsonError(c, 503, code, message);
      return c.html(errorPage(503, message), 503);
    }
    (c.get('log') ?? services.logger).error({ err }, 'unhandled error');
    if (isApi(c.req.path)) return jsonError(c, 500, 'internal', 'internal error; it has been logged');
    return c.html(ServerErrorPage({ requestId: c.get('requestId') }), 500);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
