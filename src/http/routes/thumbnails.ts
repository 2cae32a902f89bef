import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { THUMBNAIL_HASH_RE } from '../../services/enrichment/service.ts';
import { etagMatches } from '../middleware/conditional-get.ts';
import { anonymousLimit } from '../middleware/limits.ts';
import type { Config } from '../../config.ts';

const YEAR = 'public, max-age=31536000, immutable';

/**
 * `/thumbs/{hash}.webp` (or `.png`): first-page thumbnails made by the enrichment's PDF step;
 * `/thumbs/{hash}.jpg` is the same image as a JPEG, which the e-mail digest links (desktop Outlook
 * shows no WebP). The
 * name is the hash of the bytes, so the answer never changes: cached for a year, and a browser
 * that revalidates anyway gets a 304 without the store being asked. Mounted before sessions: a
 * feed page lazy-loads fifty of them and none needs to know who is looking. Limited per IP
 * (`RATE_LIMIT_THUMBS_IP`, generous for reading and scrolling feeds; 429 with Retry-After beyond),
 * revalidations and unknown hashes included, so nobody can make the store serve images without end.
 */
export function thumbnailRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  app.get('/thumbs/:file', anonymousLimit(config, 'thumbs'), async (c) => {
    const m = /^([0-9a-f]{32})\.(webp|png|jpg)$/.exec(c.req.param('file'));
    if (!m || !THUMBNAIL_HASH_RE.test(m[1])) return c.text('no such thumbnail', 404, { 'cache-control': 'no-store' });
    const etag = m[2] === 'jpg' ? `"${m[1]}-jpg"` : `"${m[1]}"`;
    const inm = c.req.header('if-none-match');
    if (inm && etagMatches(inm, etag)) return c.body(null, 304, { etag, 'cache-control': YEAR });
    if (m[2] === 'jpg') {
      const jpeg = await c.var.services.enrichment.thumbnailJpeg(m[1]);
      if (!jpeg) return c.text('no such thumbnail', 404, { 'cache-control': 'no-store' });
      return c.body(new Uint8Array(jpeg), 200, { 'content-type': 'image/jpeg', 'content-length': String(jpeg.byteLength), etag, 'cache-control': YEAR });
    }
    const thumb = await c.var.services.enrichment.thumbnail(m[1]);
    const ext = thumb?.mime === 'image/png' ? 'png' : 'webp';
    if (!thumb || ext !== m[2]) return c.text('no such thumbnail', 404, { 'cache-control': 'no-store' });
    return c.body(new Uint8Array(thumb.data), 200, { 'content-type': thumb.mime, 'content-length': String(thumb.data.byteLength), etag, 'cache-control': YEAR });
  });
  return app;
}
