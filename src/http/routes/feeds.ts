import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { isRowId } from '../params.ts';
import type { FeedDocument } from '../../domain/feed-document.ts';
import { badRequest, errorHeaders, jsonError, notFound } from '../errors.ts';
import { ServiceError } from '../../services/errors.ts';
import { renderAtom } from '../feeds/atom.ts';
import { renderRss } from '../feeds/rss.ts';
import { rfc822 } from '../feeds/xml.ts';
import { siteLinks } from '../site-url.ts';

import type { FeedFormat } from '../feeds/catalog.ts';


const CONTENT_TYPE: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
};

const CATEGORY = /^[a-z][a-z-]{0,19}(\.[A-Za-z][A-Za-z-]{0,19})?$/;

/** `cs.LG.atom` → [`cs.LG`, `atom`]; a file without a known feed extension is not a feed. */
function splitFormat(file: string): [string, FeedFormat] {
  const m = /^(.+)\.(rss|atom)$/.exec(file);
  if (!m) throw notFound(`feed ${file} (feeds end in .rss or .atom)`);
  return [m[1], m[2] as FeedFormat];
}

/** The document as RSS or Atom, with `Last-Modified` from its newest item (ETag and 304s come from `conditionalGet`). */
function answer(c: Context<AppEnv>, doc: FeedDocument, format: FeedFormat) {
  const body = format === 'rss' ? renderRss(doc) : renderAtom(doc);
  if (doc.updated) c.header('Last-Modified', rfc822(doc.updated));
  c.header('Content-Type', CONTENT_TYPE[format]);
  return c.body(body, 200);
}

export function feedRoutes() {
  const app = new Hono<AppEnv>();
  // Feed readers and scripts fetch these, not people: errors stay JSON whatever the site's pages do.
  app.onError((err, c) => {
    if (err instanceof ServiceError) return jsonError(c, err.status, err.code, err.message, errorHeaders(err));
    (c.get('log') ?? c.var.services.logger).error({ err }, 'feed failed');
    return jsonError(c, 500, 'internal', 'internal error; it has been logged');
  });

  app.get('/feeds/category/:file', async (c) => {
    const [category, format] = splitFormat(c.req.param('file'));
    if (!CATEGORY.test(category)) throw badRequest(`"${category}" is not a category name (e.g. cs.LG, hep-th)`, 'bad_category');
    return answer(c, await c.var.services.feeds.category(siteLinks(c), category), format);
  });

  app.get('/feeds/collection/:file', async (c) => {
    const [raw, format] = splitFormat(c.req.param('file'));
    if (!isRowId(raw)) throw badRequest(`"${raw}" is not a collection number`, 'bad_collection_id');
    const doc = await c.var.services.feeds.collection(siteLinks(c), Number(raw));
    if (!doc) throw notFound(`public collection ${raw}`);
    return answer(c, doc, format);
  });

  app.get('/feeds/:file', async (c) => {
    const [name, format] = splitFormat(c.req.param('file'));
    const feeds = c.var.services.feeds;
    const site = siteLinks(c);
    if (name === 'daily') return answer(c, await feeds.daily(site), format);
    if (name === 'trending') return answer(c, await feeds.trending(site), format);
    if (name === 'search') {
      const q = (c.req.query('q') ?? '').trim();
      if (!q) throw badRequest('q is required: the search query', 'invalid_request');
      if (q.length > 200) throw badRequest('q is longer than 200 characters', 'invalid_request');
      return answer(c, await feeds.search(site, q), format);
    }
    throw notFound(`feed ${name}`);
  });

  return app;
}
