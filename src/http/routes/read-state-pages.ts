import { Hono } from 'hono';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { requireUser } from '../middleware/auth.ts';
import { writeLimits } from '../middleware/limits.ts';
import { sitePaths } from '../../domain/site-paths.ts';
import { flashRedirect } from '../middleware/page-view.ts';
import { safeNext } from '../views/community/forms.tsx';
import { ServiceError } from '../../services/errors.ts';

/**
 * Read state from a feed card's form: `POST /papers/seen` with `paperId`, `seen=1|0` and `next`
 * (CSRF-checked like every form; no JavaScript needed), then back to the page it came from.
 */
export function readStatePageRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  app.post('/papers/seen', requireUser(), ...writeLimits(config, 'seen'), async (c) => {
    const f = new URLSearchParams(await c.req.text());
    const seen = f.get('seen');
    if (seen !== '1' && seen !== '0') throw new ServiceError(400, 'invalid_request', 'Choose a paper and whether you have seen it.');
    await c.var.services.readState.set(c.var.user!.id, (f.get('paperId') ?? '').trim(), seen === '1');
    return flashRedirect(c, safeNext(f.get('next'), sitePaths.home()), seen === '1' ? 'Marked as seen.' : 'Marked as not seen.');
  });
  return app;
}
