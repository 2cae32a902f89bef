import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { reindexCommand } from '../../src/cli/commands/reindex.ts';

/**
 * `paperboy reindex` on a SQLite file checkpoints the write-ahead log from a thread of its own, as
 * `serve` does: its connection's automatic checkpoint is off, so the embedding phase's commits
 * (≈ 5 MB a 2,000-paper batch) no longer copy the log into the database file and wait for its
 * fsyncs on the thread that stores the next batch (BENCHMARKS "Round 26 (branch
 * `reindex-margin-3`)"). Told by the pragmas the command's own connection is given: the process's
 * better-sqlite3 is the one the store opens, so its calls are seen here.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-reindex-checkpoint-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a reindex turns its connection’s automatic checkpoint off and checkpoints from a thread; the store closes whole', async () => {
  const file = path.join(dir, 'store.db');
  const calls: { file: string; pragma: string }[] = [];
  const original = SQLite.prototype.pragma;
  SQLite.prototype.pragma = function (this: SQLite.Database, source: string, options?: SQLite.PragmaOptions) {
    calls.push({ file: this.name, pragma: source.replace(/\s+/g, ' ').trim() });
    return original.call(this, source, options);
  } as typeof original;
  const log = console.log;
  console.log = () => undefined;
  let code: number;
  try {
    // --keyword-only on an empty store: the same open of the store as the full reindex, in a moment.
    code = await reindexCommand.run({ values: { db: file, 'keyword-only': true, foreground: true, quiet: true }, positionals: [] } as never);
  } finally {
    console.log = log;
    SQLite.prototype.pragma = original;
  }
  assert.equal(code, 0);
  const ours = calls.filter((c) => c.file === file).map((c) => c.pragma);
  assert.ok(ours.includes('wal_autocheckpoint = 0'), `the command's connection checkpoints nothing itself (pragmas: ${ours.join('; ')})`);
  // The last connection to close copied what was left of the log into the file and removed it.
  assert.equal(fs.existsSync(`${file}-wal`), false, 'no log left behind');
  const db = new SQLite(file, { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
});
