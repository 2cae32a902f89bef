import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/**
 * The README's map of the code and docs/conventions.md name files (`src/services/search.ts`,
 * `tests/helpers/contract.ts`) so a newcomer can walk a request without opening anything else.
 * A file moved, renamed or deleted leaves the map lying; this fails instead, naming the line.
 *
 * A line that names a branch still to be merged carries `(lands with branch `name`)`: its paths
 * may be missing until then, and once they all exist the marker must go (the test says so), so
 * the map never keeps calling merged code pending.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCS = ['README.md', 'docs/conventions.md'];
/** Repository paths as the docs write them; a leading `/` or word character means a URL path (`/docs/api`), not a file. */
const PATH_RE = /(?<![\w/.-])((?:src|tests|bench|scripts|fixtures|docs)\/[\w./*{}-]*[\w*}])/g;
const PENDING_RE = /\(lands with branch `([\w-]+)`\)/;

interface Mention {
  doc: string;
  line: number;
  path: string;
  /** The branch the line says will bring the path, if any. */
  pending?: string;
}

function mentionedPaths(doc: string, text: string): Mention[] {
  const out: Mention[] = [];
  text.split('\n').forEach((l, i) => {
    const pending = PENDING_RE.exec(l)?.[1];
    for (const m of l.matchAll(PATH_RE)) out.push({ doc, line: i + 1, path: m[1].replace(/\.$/, ''), pending });
  });
  return out;
}

function allFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name.startsWith('.')) return [];
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? [r, ...allFiles(dir, r)] : [r];
  });
}

/** `tests/**\/*.test.ts`, `{a,b}` and `*` as the shell reads them. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      re += '(?:.*/)?';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '{') re += '(?:';
    else if (ch === '}') re += ')';
    else if (ch === ',') re += '|';
    else re += ch.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}/?$`);
}

const files = allFiles(ROOT);
const exists = (p: string) => (/[*{]/.test(p) ? files.some((f) => globToRegExp(p.replace(/\/$/, '')).test(f)) : fs.existsSync(path.join(ROOT, p)));

const mentions = DOCS.flatMap((doc) => mentionedPaths(doc, fs.readFileSync(path.join(ROOT, doc), 'utf8')));

test('the scan reads the map (a scan that finds nothing would pass)', () => {
  assert.ok(mentions.length > 60, `only ${mentions.length} paths found`);
  for (const p of ['src/services/search.ts', 'src/store/upvotes.ts', 'tests/helpers/contract.ts', 'src/store/visibility.ts']) {
    assert.ok(mentions.some((m) => m.path === p), `${p} is named`);
  }
  assert.ok(!mentions.some((m) => m.path.startsWith('docs/api')), 'the URL /docs/api is not read as a file');
});

test('every src/, tests/, bench/, scripts/ and docs/ path the README and docs/conventions.md name exists', () => {
  const missing = mentions.filter((m) => !m.pending && !exists(m.path));
  assert.deepEqual(
    missing.map((m) => `${m.doc}:${m.line}: ${m.path}`),
    [],
    'the docs name files that are not there: fix the map (or mark a line "(lands with branch `name`)" while its branch is unmerged)',
  );
});

test('a line marked as landing with a branch still names something missing (else the marker must go)', () => {
  const byLine = new Map<string, Mention[]>();
  for (const m of mentions.filter((x) => x.pending)) byLine.set(`${m.doc}:${m.line}`, [...(byLine.get(`${m.doc}:${m.line}`) ?? []), m]);
  const landed = [...byLine].filter(([, ms]) => ms.every((m) => exists(m.path))).map(([where, ms]) => `${where} (branch ${ms[0].pending})`);
  assert.deepEqual(landed, [], 'these branches have landed: drop the "(lands with branch …)" marker and fold the line into the map');
});

test('the check itself: a missing file, a glob that matches nothing and a URL path', () => {
  const ms = mentionedPaths('x.md', 'see `src/services/no-such-file.ts`, `tests/**/*.test.ts`, `tests/nowhere/*.test.ts` and /docs/api\n`src/jobs/x.ts` (lands with branch `later`)');
  assert.deepEqual(
    ms.map((m) => [m.path, m.pending ?? null]),
    [
      ['src/services/no-such-file.ts', null],
      ['tests/**/*.test.ts', null],
      ['tests/nowhere/*.test.ts', null],
      ['src/jobs/x.ts', 'later'],
    ],
  );
  assert.equal(exists('src/services/no-such-file.ts'), false);
  assert.equal(exists('tests/**/*.test.ts'), true);
  assert.equal(exists('tests/nowhere/*.test.ts'), false);
  assert.equal(exists('src/http/views/community/'), true);
});
