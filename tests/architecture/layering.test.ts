import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/**
 * The layering docs/conventions.md promises, checked on every import in src/:
 * http, cli and jobs (the edges) → services → store; src/domain pure; only src/store touches SQL.
 * Each rule names the files that break it, so a new back door fails here, not in review.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');

interface Import {
  /** The importing file, relative to the repository (`src/http/app.ts`). */
  file: string;
  /** What it imports: a repository path for relative imports (`src/store/store.ts`), else the package name. */
  target: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(e.name) ? [full] : [];
  });
}

/** Every static and dynamic import and re-export of every file under src/. */
function allImports(): Import[] {
  const out: Import[] = [];
  for (const full of sourceFiles(SRC)) {
    const text = fs.readFileSync(full, 'utf8');
    const file = path.relative(ROOT, full);
    const patterns = [/^\s*(import|export)\s+(type\s+)?[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gm, /^\s*import\s+['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
    for (const [i, re] of patterns.entries()) {
      for (const m of text.matchAll(re)) {
        const spec = i === 0 ? m[3] : m[1];
        const typeOnly = i === 0 && Boolean(m[2]);
        const target = spec.startsWith('.') ? path.relative(ROOT, path.resolve(path.dirname(full), spec)) : spec;
        out.push({ file, target, typeOnly });
      }
    }
  }
  return out;
}

const imports = allImports();
const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);
const list = (bad: Import[]) => bad.map((i) => `${i.file} → ${i.target}`).join('\n  ');

test('the import scan sees the code (a scan that finds nothing would pass every rule)', () => {
  assert.ok(imports.length > 500, `only ${imports.length} imports found`);
  assert.ok(imports.some((i) => i.file === 'src/services/index.ts' && i.target === 'src/store/store.ts'), 'services import the store');
  assert.ok(imports.some((i) => i.file === 'src/http/app.ts' && under(i.target, 'src/services')), 'http imports services');
});

test('http, cli and jobs reach data only through services: no import of src/store, Kysely or a database driver', () => {
  const DATA = /^(kysely|pg|better-sqlite3|@electric-sql\/pglite)(\/|$)/;
  const bad = imports.filter((i) => ['src/http', 'src/cli', 'src/jobs'].some((d) => under(i.file, d)) && (under(i.target, 'src/store') || DATA.test(i.target)));
  assert.deepEqual(bad, [], `these edge files import the store (use a service method):\n  ${list(bad)}`);
});

test('only src/store touches SQL: no other module imports Kysely or a database driver', () => {
  const DRIVER = /^(kysely|pg|better-sqlite3|@electric-sql\/pglite)(\/|$)/;
  const bad = imports.filter((i) => !under(i.file, 'src/store') && DRIVER.test(i.target));
  assert.deepEqual(bad, [], `these modules use SQL outside src/store:\n  ${list(bad)}`);
});

test('src/domain is pure: it imports only src/domain and libraries without I/O', () => {
  const IO = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|dns|child_process|worker_threads|cluster|readline)$|^(kysely|pg|better-sqlite3|nodemailer|pino|undici|croner|hono)(\/|$)/;
  const bad = imports.filter((i) => under(i.file, 'src/domain') && (IO.test(i.target) || (i.target.startsWith('src/') && !under(i.target, 'src/domain'))));
  assert.deepEqual(bad, [], `src/domain must stay pure:\n  ${list(bad)}`);
});

test('nothing below the edges imports src/http (services, store, domain, search, ingest, mail, discovery, jobs)', () => {
  // `paperboy serve` mounts the app and the CLI prints API shapes with the presenters: the CLI is
  // an edge beside http. Everything else sits below and must not know about HTTP.
  const bad = imports.filter((i) => under(i.target, 'src/http') && !under(i.file, 'src/http') && !under(i.file, 'src/cli'));
  assert.deepEqual(bad, [], `these modules import from src/http (move what they need below it):\n  ${list(bad)}`);
});

test('a route file never imports a sibling route file (shared code lives beside the routes, not in them)', () => {
  const bad = imports.filter((i) => path.dirname(i.file) === 'src/http/routes' && path.dirname(i.target) === 'src/http/routes');
  assert.deepEqual(bad, [], `route files importing route files:\n  ${list(bad)}`);
});

test('Services does not hand out the store', () => {
  const text = fs.readFileSync(path.join(SRC, 'services/index.ts'), 'utf8');
  const iface = /export interface Services \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
  assert.ok(iface.length > 100, 'found the Services interface');
  assert.doesNotMatch(iface, /^\s*store\??:/m, 'Services exposes the store');
});

test('Store keeps its Kysely handle private, and nothing outside src/store reaches a store database', () => {
  const store = fs.readFileSync(path.join(SRC, 'store/store.ts'), 'utf8');
  const ctor = /constructor\(([\s\S]*?)\)\s*\{/.exec(store)?.[1] ?? '';
  assert.match(ctor, /Kysely<Database>/, 'found the constructor that takes the database');
  assert.match(ctor, /\bprivate readonly db: Kysely<Database>/, 'Store.db is private: repositories are the way to the data');
  assert.doesNotMatch(store, /^\s*(readonly |public )?(get )?db\b[(:]/m, 'no public db property or getter');
  // A handle through the connection (openStore's `connection.db`) or a transaction's store is the same back door.
  const bad = sourceFiles(SRC)
    .filter((f) => !under(path.relative(ROOT, f), 'src/store'))
    .flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/\b(store|tx|trx|connection|opened)\.db\b/g)].map((m) => `${path.relative(ROOT, f)}: ${m[0]}`));
  assert.deepEqual(bad, [], `these files reach the store's database (use a repository method):\n  ${bad.join('\n  ')}`);
});
