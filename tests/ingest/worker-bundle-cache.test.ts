import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildSync } from 'esbuild';
import { cachedBundle } from '../../src/worker-script.ts';

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
