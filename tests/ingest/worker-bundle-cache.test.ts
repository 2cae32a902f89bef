import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildSync } from 'esbuild';
import { cachedBundle, privateDir, workerScriptFile } from '../../src/worker-script.ts';

/**
 * A worker's bundle is kept across processes (`cachedBundle`, src/worker-script.ts): what a cache
 * hit returns must be what esbuild would build now, so a changed input is never run stale.
 */
const fresh = (entry: string) =>
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'error', absWorkingDir: process.cwd() }).outputFiles[0].text;

function project() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-bundle-cache-'));
  const entry = path.join(dir, 'entry.ts');
  const dep = path.join(dir, 'dep.ts');
  fs.writeFileSync(entry, "import { word } from './dep.ts';\nconsole.log(word);\n");
  fs.writeFileSync(dep, "export const word: string = 'first';\n");
  // Written well before the build: a file changed while it is bundled is not cached.
  const past = new Date(Date.now() - 60_000);
  for (const f of [entry, dep]) fs.utimesSync(f, past, past);
  return { dir, entry, dep, cache: path.join(dir, 'cache'), past };
}

test('a cached bundle is the one esbuild builds, and is read back from the cache', () => {
  const p = project();
  try {
    const first = cachedBundle(p.entry, [], p.cache);
    assert.equal(first, fresh(p.entry));
    const files = fs.readdirSync(p.cache);
    assert.equal(files.length, 1, 'one cache file');
    // A hit returns the cached code itself: marked, it comes back marked.
    const file = path.join(p.cache, files[0]);
    const record = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(record.inputs.map(([f]: [string]) => f).sort(), [p.dep, p.entry].sort(), 'every input recorded');
    fs.writeFileSync(file, JSON.stringify({ ...record, code: `${record.code}// from the cache\n` }));
    assert.equal(cachedBundle(p.entry, [], p.cache), `${first}// from the cache\n`);
  } finally {
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
});

test('an input changed since the bundle was cached is bundled again', () => {
  const p = project();
  try {
    assert.match(cachedBundle(p.entry, [], p.cache), /first/);
    fs.writeFileSync(p.dep, "export const word: string = 'second';\n");
    fs.utimesSync(p.dep, p.past, p.past); // the same time stamp: only the bytes tell
    const again = cachedBundle(p.entry, [], p.cache);
    assert.match(again, /second/);
    assert.equal(again, fresh(p.entry));
    fs.rmSync(p.dep);
    assert.throws(() => cachedBundle(p.entry, [], p.cache), /dep\.ts/, 'a missing input is not served from the cache');
  } finally {
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
});

test('an unreadable cache file is rebuilt over', () => {
  const p = project();
  try {
    cachedBundle(p.entry, [], p.cache);
    const file = path.join(p.cache, fs.readdirSync(p.cache)[0]);
    fs.writeFileSync(file, '{"inputs": [');
    assert.equal(cachedBundle(p.entry, [], p.cache), fresh(p.entry));
    assert.doesNotThrow(() => JSON.parse(fs.readFileSync(file, 'utf8')), 'written again whole');
  } finally {
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
});

/**
 * The cache and the child scripts live in the shared temporary directory, and code is run from
 * them: a directory another local user made first, or can write into, must never be used.
 */
test('only a directory of this user\'s own that no one else can write holds run code', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-private-'));
  try {
    const dir = privateDir(root);
    assert.ok(dir !== null && dir.startsWith(root), 'made on first use');
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(privateDir(root), dir, 'used again while it stays private');
    fs.chmodSync(dir, 0o777);
    assert.equal(privateDir(root), null, 'writable by others: not used');
    fs.chmodSync(dir, 0o775);
    assert.equal(privateDir(root), null, 'writable by the group: not used');
    fs.rmSync(dir, { recursive: true });
    const elsewhere = fs.mkdtempSync(path.join(root, 'target-'));
    fs.symlinkSync(elsewhere, dir);
    assert.equal(privateDir(root), null, 'a link (to a directory someone else chose) is not used');
    fs.rmSync(dir);
    fs.mkdirSync(dir, { mode: 0o700 });
    try {
      fs.chownSync(dir, 65534, 65534);
    } catch {
      t.diagnostic('not root: cannot give the directory to another user, ownership not checked here');
      return;
    }
    assert.equal(privateDir(root), null, 'owned by another user: not used');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a bundle planted in a cache directory others can write is not run', () => {
  const p = project();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-tmp-'));
  const saved = process.env.TMPDIR;
  try {
    process.env.TMPDIR = root; // os.tmpdir(): where the default cache directory is
    const dir = privateDir(root)!;
    // A first run fills the cache; the record is then rewritten as someone else would.
    const first = cachedBundle(p.entry);
    const cacheDir = path.join(dir, 'bundles');
    const file = path.join(cacheDir, fs.readdirSync(cacheDir)[0]);
    const record = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...record, code: 'planted()' }));
    assert.equal(cachedBundle(p.entry), 'planted()', 'the cache is read while the directory is private');
    fs.chmodSync(dir, 0o777);
    assert.equal(cachedBundle(p.entry), first, 'a directory others can write is not read: bundled afresh');
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
});

test('a child\'s script is never written to, or run from, a directory others can write', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-tmp-'));
  const saved = process.env.TMPDIR;
  try {
    process.env.TMPDIR = root;
    const shared = privateDir(root)!;
    fs.chmodSync(shared, 0o777);
    const file = workerScriptFile(new URL('../../src/ingest/pdf/render-worker.ts', import.meta.url), ['pdfjs-dist', '@napi-rs/canvas']);
    assert.ok(!file.startsWith(shared + path.sep), `not in the directory others can write: ${file}`);
    const dir = fs.lstatSync(path.dirname(file));
    assert.ok(dir.isDirectory() && (dir.mode & 0o077) === 0, 'a directory of this process\'s own');
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    fs.rmSync(root, { recursive: true, force: true });
  }
});
