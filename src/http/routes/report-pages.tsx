import { Hono, type Context } from 'hono';
import type { Config } from '../../config.ts';
import type { ReportAction } from '../../domain/report.ts';
import { ServiceError } from '../../services/errors.ts';
import type { AppEnv } from '../env.ts';
import { requireAdmin, requireUser } from '../middleware/auth.ts';
import { writeLimits } from '../middleware/limits.ts';
import { safeNext } from '../views/community/forms.tsx';
import { readForm } from '../forms.ts';
import { isRowId } from '../params.ts';
import { ReportPage, ReportQueuePage } from '../views/community/report-pages.tsx';
import { sitePaths } from '../../domain/site-paths.ts';

type C = Context<AppEnv>;
const ACTIONS: readonly ReportAction[] = ['hide_paper', 'delete_comment', 'ban_author', 'dismiss'];

/** The report form, its target and the moderators' queue (`/admin/reports`). Forms work without JavaScript. */
export function reportPageRoutes(config: Config) {
  const app = new Hono<AppEnv>();

  /** What is being reported, and where the form goes back to. */
  const target = async (c: C, kind: string | undefined, rawId: string | undefined) => {
    const t = await c.var.services.reports.describeTarget(kind, rawId);
    return { ...t, back: t.target === 'comment' ? sitePaths.comment(t.paperId, t.id) : sitePaths.paper(t.paperId) };
  };

  app.get('/report', requireUser(), async (c) => {
    const t = await target(c, c.req.query('target'), c.req.query('id'));
    return c.html(<ReportPage user={c.var.user!} csrfToken={c.var.csrfToken} target={t.target} targetId={t.id} summary={t.summary} back={t.back} done={c.req.query('done') === '1'} />);
  });
  app.post('/report', requireUser(), ...writeLimits(config, 'report'), async (c) => {
    const f = await readForm(c);
    const t = await target(c, f.get('target') ?? undefined, f.get('id') ?? undefined);
    try {
      await c.var.services.reports.file(c.var.user!, { target: t.target, targetId: t.id, reason: (f.get('reason') ?? '') as never, note: f.get('note') });
    } catch (err) {
      if (!(err instanceof ServiceError) || err.status !== 400) throw err;
      return c.html(<ReportPage user={c.var.user!} csrfToken={c.var.csrfToken} target={t.target} targetId={t.id} summary={t.summary} back={t.back} error={err.message} />, 400);
    }
    return c.redirect(sitePaths.report(t, true), 303);
  });

  const queue = async (c: C, extra: { message?: string; error?: string } = {}, status: 200 | 400 | 404 | 409 = 200) =>
    c.html(<ReportQueuePage user={c.var.user!} csrfToken={c.var.csrfToken} reports={await c.var.services.reports.queue(c.var.user!)} {...extra} />, status);
  app.get('/admin/reports', requireAdmin(), (c) => queue(c, { message: c.req.query('done') ? 'Done.' : undefined }));
  app.post('/admin/reports/:rid{[0-9]{1,12}}/resolve', requireAdmin(), async (c) => {
    const f = await readForm(c);
    if (!isRowId(c.req.param('rid') ?? '')) return queue(c, { error: 'no such report' }, 404);
    const action = f.get('action') as ReportAction;
    if (!ACTIONS.includes(action)) return queue(c, { error: 'choose an action' }, 400);
    try {
      await c.var.services.reports.resolve(c.var.user!, Number(c.req.param('rid')), action, f.get('reason') || undefined);
    } catch (err) {
      if (err instanceof ServiceError && (err.status === 400 || err.status === 404 || err.status === 409)) return queue(c, { error: err.message }, err.status);
      throw err;
    }
    return c.redirect(safeNext(sitePaths.adminReports(true)), 303);
  });
  return app;
}
