import type { HttpServer } from './server.ts';
import { sitePaths } from '../domain/site-paths.ts';

/** A cookie no route reads: the page cache lets a request carrying any cookie through to the route. */
const BYPASS_CACHE = { cookie: 'paperboy-warm-up=1', 'accept-encoding': 'gzip' };
/** What a browser without a session sends: answered from the page cache, compressed. */
const READER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'accept-encoding': 'gzip, deflate, br' };

/**
 * What `serve` does before its port opens so that the first readers' requests are not the process's
 * first renders (issue 19, start-up under load). The first render of the home page in a fresh
 * process costs several times a warm one (compiling the templates and the request path, the first
 * statements, the first compression: 30–40 ms of CPU against 8–12 at load 16, round 23), and one
 * render did not take it all: the next two were still 20–30 ms. So the page is rendered
 * `renders - 1` times past the page cache (compressed, as browsers ask for it), then once more into
 * the page cache, where readers' requests for `/` find it (the cache's key is the path and the
 * Markdown-or-not variant, not the client's Accept string): the first readers during start-up are
 * answered from it for PAGE_CACHE_SECONDS instead of each waiting for a cold render. Then `hits`
 * requests as a reader's: the page-cache hit, compressed — what every feed request during start-up is
 * (the first one makes the page's gzip copy, which the cache keeps: readers' hits send it as it is).
 *
 * Every one goes through the HTTP server itself (`HttpServer.request`: node:http, the Node adapter's
 * request and response objects, the answer written to a connection), not only through the app: the
 * adapter's objects replace the global `Request` and `Response` when the server is made, so a
 * warm-up through `app.request` ran other classes than readers' requests do, and the first reader's
 * request after the port opened still ran the adapter's path, the hit's and the write's for the
 * first time (round 27). The cost, before the port opens: 14–24 ms more of the request thread's CPU
 * than the warm-up through the app (80–85 against 61–71 ms at load 12, one hit; each further hit 5–8 ms).
 */
export async function warmUpPages(server: Pick<HttpServer, 'request'>, renders = 3, hits = 1): Promise<{ status: number; renders: number; hits: number }> {
  let status = 0;
  for (let i = 0; i < renders + hits; i++) {
    const res = await server.request(sitePaths.home(), i < renders - 1 ? BYPASS_CACHE : i === renders - 1 ? {} : READER);
    status = res.status;
  }
  return { status, renders, hits };
}
