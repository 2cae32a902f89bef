import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { buildSync, transformSync } from 'esbuild';
import { Hono } from 'hono';
import { sitePaths } from '../domain/site-paths.ts';
import type { AppEnv } from './env.ts';

/**
 * The site's static assets, built once per process: the stylesheet (minified) and the client
 * scripts (src/http/client/*.ts, bundled by esbuild). Each is served under a content-hashed name,
 * so it can be cached for a year; a new build gets a new URL.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

interface Asset {
  url: string;
  body: string;
  type: string;
}

let built: { css: Asset; js: Asset } | undefined;

/** A client script and what it imports, as one minified file. */
function bundle(entry: string): string {
  return buildSync({ entryPoints: [path.join(here, entry)], bundle: true, minify: true, format: 'iife', target: 'es2020', write: false, logLevel: 'silent' }).outputFiles[0].text;
}

let community: string | undefined;

/** /community.js: the upvote enhancement alone (src/http/client/community.ts). */
export function communityScript(): string {
  return (community ??= bundle('client/community.ts'));
}

const hashOf = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 12);

function build(): { css: Asset; js: Asset } {
  const cssSource = fs.readFileSync(path.join(here, 'assets/site.css'), 'utf8');
  const css = transformSync(cssSource, { loader: 'css', minify: true }).code;
  const js = bundle('client/main.ts');
  return {
    css: { url: sitePaths.asset(`site.${hashOf(css)}.css`), body: css, type: 'text/css; charset=utf-8' },
    js: { url: sitePaths.asset(`site.${hashOf(js)}.js`), body: js, type: 'text/javascript; charset=utf-8' },
  };
}

export function assets(): { css: Asset; js: Asset } {
  return (built ??= build());
}

/** The site icon: an SVG for browsers that take one, and the ICO that browsers and feed readers ask for by name. */
const icons = (() => {
  let loaded: { svg: Buffer; ico: Buffer } | undefined;
  return () => (loaded ??= { svg: fs.readFileSync(path.join(here, 'assets/favicon.svg')), ico: fs.readFileSync(path.join(here, 'assets/favicon.ico')) });
})();

export function assetRoutes() {
  const app = new Hono<AppEnv>();
  const day = 'public, max-age=86400';
  app.get('/favicon.ico', (c) => c.body(new Uint8Array(icons().ico), 200, { 'content-type': 'image/x-icon', 'cache-control': day }));
  app.get('/favicon.svg', (c) => c.body(new Uint8Array(icons().svg), 200, { 'content-type': 'image/svg+xml', 'cache-control': day }));
  app.get('/assets/:file', (c) => {
    const file = c.req.param('file');
    const asset = Object.values(assets()).find((a) => a.url === sitePaths.asset(file));
    if (!asset) return c.text('asset not found (it may have been replaced by a newer build)', 404, { 'cache-control': 'no-store' });
    return c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable' });
  });
  return app;
}
