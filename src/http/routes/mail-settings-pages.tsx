import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { requireUser } from '../middleware/auth.ts';
import { readForm } from '../forms.ts';
import { CATEGORY_PATTERN } from '../../domain/subscription.ts';
import { MailSettingsPage } from '../views/mail-settings-page.tsx';
import { flashRedirect } from '../middleware/page-view.ts';
import { sitePaths } from '../../domain/site-paths.ts';

/** Categories as typed in the settings form: separated by spaces or commas. */
export function parseCategories(raw: string): string[] | { error: string } {
  const list = [...new Set(raw.split(/[\s,]+/).filter(Boolean))];
  const bad = list.find((c) => !CATEGORY_PATTERN.test(c));
  if (bad !== undefined) return { error: `"${bad.slice(0, 40)}" is not an arXiv category (such as cs.LG) or archive (such as math)` };
  if (list.length > 50) return { error: 'at most 50 categories' };
  return list;
}

/** /settings/mail: the signed-in user's digest subscription (the community feature owns /settings). */
export function mailSettingsRoutes() {
  const app = new Hono<AppEnv>();

  const page = async (c: Context<AppEnv>, extra: { message?: string; error?: string } = {}, status: 200 | 400 = 200) => {
    const sub = await c.var.services.subscriptions.forUser(c.var.user!);
    return c.html(<MailSettingsPage user={c.var.user!} csrfToken={c.var.csrfToken} sub={sub} mailConfigured={c.var.services.mail.configured} {...extra} />, status);
  };

  app.get('/settings/mail', requireUser(), (c) => page(c));

  app.post('/settings/mail', requireUser(), async (c) => {
    const f = await readForm(c);
    const categories = parseCategories(f.get('categories') ?? '');
    if (!Array.isArray(categories)) return page(c, { error: categories.error }, 400);
    const frequency = f.get('frequency') === 'weekly' ? 'weekly' : 'daily';
    if (!c.var.user!.emailVerified) return page(c, { error: 'Confirm your address first: use the button in your settings, then follow the link in the mail.' }, 400);
    const r = await c.var.services.subscriptions.saveForUser(c.var.user!, { frequency, categories, personalPicks: f.get('personalPicks') === 'on' });
    const message =
      r.subscription.status === 'active'
        ? 'Saved.'
        : r.confirmationSent
          ? `A confirmation link is on its way to ${r.subscription.email}; the digest starts once you follow it.`
          : `Waiting for confirmation: follow the link in the mail sent to ${r.subscription.email}.`;
    return flashRedirect(c, sitePaths.settingsMail(), message);
  });

  app.post('/settings/mail/unsubscribe', requireUser(), async (c) => {
    await c.var.services.subscriptions.unsubscribeUser(c.var.user!);
    return flashRedirect(c, sitePaths.settingsMail(), 'Unsubscribed: no more digests.');
  });

  return app;
}
