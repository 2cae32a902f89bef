import { Hono, type Context } from 'hono';
import type { Config } from '../../config.ts';
import { ServiceError } from '../../services/errors.ts';
import type { AppEnv } from '../env.ts';
import { requireUser } from '../middleware/auth.ts';
import { writeLimits } from '../middleware/limits.ts';
import { readForm } from '../forms.ts';
import { ZoteroPage } from '../views/community/zotero-page.tsx';
import { sitePaths } from '../../domain/site-paths.ts';

type C = Context<AppEnv>;

/** `/settings/zotero`: connect a Zotero library, sync it now, disconnect it. Posts redirect back (post/redirect/get). */
export function zoteroPageRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  const page = async (c: C, extra: { message?: string; error?: string } = {}, status: 200 | 400 | 502 = 200) =>
    c.html(<ZoteroPage user={c.var.user!} csrfToken={c.var.csrfToken} status={await c.var.services.zotero.status(c.var.user!)} {...extra} />, status);
  const limits = writeLimits(config, 'zotero');

  app.get('/settings/zotero', requireUser(), (c) => {
    const done = c.req.query('done');
    const message = done === 'connected' ? 'Connected and synced.' : done === 'synced' ? 'Synced.' : done === 'disconnected' ? 'Disconnected; the collection stays yours.' : undefined;
    return page(c, { message });
  });
  app.post('/settings/zotero', requireUser(), ...limits, async (c) => {
    const f = await readForm(c);
    try {
      await c.var.services.zotero.connect(c.var.user!, (f.get('zoteroUser') ?? '').slice(0, 100), (f.get('apiKey') ?? '').slice(0, 200));
    } catch (err) {
      if (err instanceof ServiceError) return page(c, { error: err.message }, err.status === 502 ? 502 : 400);
      throw err;
    }
    return c.redirect(sitePaths.settingsZotero('connected'), 303);
  });
  app.post('/settings/zotero/sync', requireUser(), ...limits, async (c) => {
    await c.var.services.zotero.sync(c.var.user!.id);
    return c.redirect(sitePaths.settingsZotero('synced'), 303);
  });
  app.post('/settings/zotero/disconnect', requireUser(), async (c) => {
    await c.var.services.zotero.disconnect(c.var.user!);
    return c.redirect(sitePaths.settingsZotero('disconnected'), 303);
  });
  return app;
}
