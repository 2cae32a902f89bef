import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ts from 'typescript';
import { createTestStore, type TestStore } from '../helpers/stores.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';

/**
 * Paths of the site are built in one place, src/domain/site-paths.ts (docs/conventions.md): a view,
 * route, feed, mail template or service that writes `"/orgs/" + slug` or `href="/settings"` itself
 * is how the category feeds once linked to a 404. This reads every string and template piece of
 * src/ with the TypeScript parser (comments are not strings, so they are free to name paths) and
 * fails on one that starts with the first segment of a route the app serves, e.g. `/papers/…`,
 * `${siteUrl}/login`. What is not a built path is told apart by where it stands: a route's own
 * declaration (`app.get('/orgs', …)`, a spec's `path:`), a pattern (`*`, `{…}`), a comparison or
 * `startsWith` test, and src/http/middleware, which matches request paths and builds none.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');
const SITE_PATHS = 'src/domain/site-paths.ts';
/**
 * The code that links to the site. src/search, src/ingest, src/discovery and src/store build no
 * links; their `/api/…` strings are paths of outside services (Ollama, the Hugging Face hub, Zotero).
 */
const SCANNED = ['src/http', 'src/services', 'src/mail', 'src/domain', 'src/jobs', 'src/cli'];
/** Where request paths are matched (prefix lists, API detection), never linked to. */
const MATCHING_ONLY = ['src/http/middleware/'];
/** Route declarations: `app.get(path, …)`, `pages.post(path, …)`, `app.use(path, …)`, `app.route(path, …)`. */
const DECLARE = new Set(['get', 'post', 'put', 'patch', 'delete', 'all', 'on', 'use', 'route', 'basePath']);
/** One string read rather than built, with why. Keep this short: a new entry needs a reason a reviewer accepts. */
const ALLOWED: Array<{ file: string; text: string; why: string }> = [
  { file: 'src/http/params.ts', text: '/papers/', why: 'reads a paper id out of the request path (the prefix is stripped, not linked to)' },
  { file: 'src/http/app.ts', text: '/openapi.json', why: 'a middleware pattern (`app.use`), listed beside `/api/*` and `/feeds/*`' },
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(e.name) ? [full] : [];
  });
}

/** The first path segment the app routes: `papers` of `/papers/*`, `favicon.ico`, `api`. */
const firstSegment = (p: string) => /^\/([^/?#:{*]*)/.exec(p)?.[1] ?? '';

interface Hit {
  file: string;
  line: number;
  text: string;
}

/** Is this literal where a path is declared or matched rather than built? */
function declaredOrMatched(node: ts.Node): boolean {
  let n: ts.Node = node;
  // A template piece belongs to its whole template expression.
  if (ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) n = n.parent.kind === ts.SyntaxKind.TemplateSpan ? n.parent.parent : n.parent;
  const p = n.parent;
  if (!p) return false;
  if (ts.isCallExpression(p) && p.arguments[0] === n && ts.isPropertyAccessExpression(p.expression)) {
    const name = p.expression.name.text;
    if (DECLARE.has(name) || name === 'startsWith' || name === 'endsWith' || name === 'includes') return true;
  }
  if (ts.isBinaryExpression(p) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(p.operatorToken.kind)) return true;
  if (ts.isPropertyAssignment(p) && p.initializer === n && ts.isIdentifier(p.name) && p.name.text === 'path') return true;
  return false;
}

function scan(segments: Set<string>): Hit[] {
  const hits: Hit[] = [];
  for (const full of SCANNED.flatMap((d) => sourceFiles(path.join(ROOT, d)))) {
    const file = path.relative(ROOT, full);
    if (file === SITE_PATHS || MATCHING_ONLY.some((d) => file.startsWith(d))) continue;
    const text = fs.readFileSync(full, 'utf8');
    const sf = ts.createSourceFile(full, text, ts.ScriptTarget.Latest, true, full.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const visit = (node: ts.Node) => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
        const s = node.text;
        const seg = firstSegment(s);
        const isPath = s.startsWith('/') && !/[*{]/.test(s.split(/[?#\s]/)[0]) && (segments.has(seg) || (s === '/' && ts.isJsxAttribute(node.parent)));
        if (isPath && !declaredOrMatched(node) && !ALLOWED.some((a) => a.file === file && a.text === s)) {
          hits.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: s.length > 60 ? `${s.slice(0, 60)}…` : s });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return hits;
}

let opened: TestStore;
let segments: Set<string>;
before(async () => {
  opened = await createTestStore('sqlite');
  const config = loadConfig({ PAPERBOY_DB: ':memory:', LOG_LEVEL: 'silent' });
  const services = createServices({ config, logger: silentLogger, store: opened.store });
  const app = createApp(services);
  segments = new Set(app.routes.map((r) => firstSegment(r.path)).filter((s) => s !== ''));
  await services.close();
});
after(() => opened?.close());

test('the scan knows the routes and sees built paths (a scan that finds nothing would pass)', () => {
  for (const s of ['papers', 'orgs', 'notifications', 'settings', 'admin', 'claim', 'thumbs', 'feeds', 'api']) assert.ok(segments.has(s), `the app routes /${s}`);
  // The module every path goes through is itself full of them.
  const probe = fs.readFileSync(path.join(ROOT, SITE_PATHS), 'utf8');
  assert.ok(/`\/orgs\//.test(probe) && /'\/notifications'/.test(probe), 'site-paths.ts builds the paths the scan looks for');
});

test('no file but src/domain/site-paths.ts builds a path of the site inline', () => {
  const hits = scan(segments);
  assert.deepEqual(
    hits.map((h) => `${h.file}:${h.line} ${h.text}`),
    [],
    'build these through sitePaths (src/domain/site-paths.ts); add a kind there, and a case to tests/site/site-paths.test.ts, if none fits',
  );
});

test('the scan fails on an inline path, in a string, a template, a JSX attribute and after a host', () => {
  const dir = fs.mkdtempSync(path.join(SRC, 'http', 'views', '.inline-probe-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'probe.tsx'),
      [
        "export const a = '/settings/orgs';",
        'export const b = (slug: string) => `/orgs/${slug}`;',
        'export const c = <a href="/notifications">x</a>;',
        'export const d = (site: string) => `${site}/login?next=x`;',
        "export const e = <a href=\"/\">home</a>;",
        "// a comment may say /orgs/{slug} freely",
        "export const f = (p: string) => p.startsWith('/api/') || p === '/papers/trending';",
      ].join('\n'),
    );
    const found = scan(segments).filter((h) => h.file.includes('.inline-probe-'));
    assert.deepEqual(
      found.map((h) => h.text),
      ['/settings/orgs', '/orgs/', '/notifications', '/login?next=x', '/'],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
