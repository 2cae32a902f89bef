import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/**
 * One rule of what readers may see (src/store/visibility.ts, docs/conventions.md): a repository
 * that filters on `hidden` or `deleted` itself is how ten read paths once forgot `deleted`. Reads
 * use `visiblePaper()`; the moderation writes that set the flags, the mappers that read them and the
 * migrations that made them are the only other places the columns are named in a filter.
 */
const STORE = path.resolve(import.meta.dirname, '../../src/store');
/** A filter on a paper's flags written out: `.where('hidden', '=', 0)`, `p.deleted = 0`, `hidden = 1`. */
const INLINE = /(\.where\(\s*'(\w+\.)?(hidden|deleted)'\s*,)|(\b(\w+\.)?(hidden|deleted)\s*=\s*[01]\b)/;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'migrations' ? [] : files(path.join(dir, e.name))) : /\.ts$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

test('no repository filters papers on hidden or deleted but through visiblePaper()', () => {
  const bad: string[] = [];
  for (const f of files(STORE)) {
    // visibility.ts holds the rule; comments.ts filters comments, whose `deleted` is their own.
    if (f.endsWith('visibility.ts') || f.endsWith('comments.ts')) continue;
    fs.readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // Comments may describe the rule; comment rows (`c.deleted`) have a flag of their own.
        if (/^\s*(\/\/|\*)/.test(line) || /\bc\.deleted\b|'c\.deleted'/.test(line)) return;
        if (INLINE.test(line)) bad.push(`${path.relative(STORE, f)}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(bad, [], 'filter with visiblePaper() from src/store/visibility.ts');
});

test('the pattern finds the filters it is meant to', () => {
  for (const s of [".where('hidden', '=', 0)", ".where('p.deleted', '=', 0)", 'sql`(p.hidden = 0 and p.deleted = 0)`', 'hidden = 0']) assert.ok(INLINE.test(s), s);
  for (const s of ['visiblePaper()', "hidden: Boolean(r.hidden)", '.set({ hidden: 1 })']) assert.ok(!INLINE.test(s), s);
});
