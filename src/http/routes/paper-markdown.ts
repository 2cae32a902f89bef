import { Hono, type Context, type Next } from 'hono';
import { paperMarkdown } from '../../domain/paper-markdown.ts';
import type { AppEnv } from '../env.ts';
import { paperIdFromPagePath } from '../params.ts';
import { siteBase } from '../site-url.ts';
import { wantsMarkdown } from '../accept.ts';

/** `/papers/{id}.md`, and `/papers/{id}` with `Accept: text/markdown`: the paper as Markdown (404 as the page is). */
export function paperMarkdownRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/papers/*', async (c: Context<AppEnv>, next: Next) => {
    const path = c.req.path;
    const explicit = path.endsWith('.md');
    const id = paperIdFromPagePath(explicit ? path.slice(0, -3) : path);
    if (!id) return next();
    if (!explicit && !wantsMarkdown(c.req.header('accept'))) {
      await next();
      // The page at this URL also has a Markdown form: caches must key on Accept.
      c.res.headers.append('Vary', 'Accept');
      return;
    }
    const [paper, enriched] = await Promise.all([c.var.services.papers.get(id), c.var.services.enrichment.detail(id)]);
    c.header('Vary', 'Accept');
    const extra = { enrichment: enriched.enrichment, artifacts: enriched.artifacts, hubUrl: c.var.services.config.hfHubUrl };
    return c.body(paperMarkdown(paper, siteBase(c), extra), 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
  });
  return app;
}
