import type { App } from './app.ts';
import { sitePaths } from '../domain/site-paths.ts';

/** A cookie no route reads: the page cache lets a request carrying any cookie through to the route. */
const BYPASS_CACHE = { cookie: 'paperboy-warm-up=1', 'accept-encoding': 'gzip' };

/**
 * What `serve` does before its port opens so that the first readers' requests are not the process's
 * first renders (issue 19, start-up under load). The first render of the home page in a fresh
 * process costs several times a warm one (compiling the templates and the request path, the first
 * statements, the first compression: 30–40 ms of CPU against 8–12 at load 16, round 23), and one
 * render did not take it all: the next two were still 20–30 ms. So the page is rendered
 * `renders - 1` times past the page cache (compressed, as browsers ask for it), then once more into
 * the page cache, where readers' requests for `/` find it (the cache's key is the path and the
 * Markdown-or-not variant, not the client's Accept string): the first readers during start-up are
 * answered from it for PAGE_CACHE_SECONDS instead of each waiting for a cold render.
 */
export async function warmUpPages(app: App, renders = 3): Promise<{ status: number; renders: number }> {
  let status = 0;
  for (let i = 0; i < renders; i++) {
    const res = await Promise.resolve(app.request(sitePaths.home(), { headers: i < renders - 1 ? BYPASS_CACHE : {} }));
    await res.arrayBuffer();
    status = res.status;
  }
  return { status, renders };
}
