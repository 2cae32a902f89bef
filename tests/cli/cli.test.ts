import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT, runCli } from '../helpers/cli.ts';
import { openStore } from '../../src/store/index.ts';
import { sql } from 'kysely';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-cli-'));
const db = path.join(dir, 'cli.db');
const fixture = (name: string) => path.join(ROOT, 'tests/fixtures/import', name);
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('paperboy CLI', () => {
  test('an unknown flag names the valid ones and exits 2', async () => {
    const r = await runCli(['import', '--bogus', 'x', '--db', db]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown option '--bogus'/);
    assert.match(r.stderr, /valid options for "import": .*--format <value>.*--source <value>/);
  });

  test('an unknown command lists the commands and exits 2', async () => {
    const r = await runCli(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
    assert.match(r.stderr, /serve/);
  });

  test('an unreachable PostgreSQL names host and cause and exits 2', async () => {
    const r = await runCli(['stats'], { PAPERBOY_DB: 'postgres://postgres@127.0.0.1:1/nowhere' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot connect to PostgreSQL at 127\.0\.0\.1:1\/nowhere: ECONNREFUSED/);
  });

  test('a bad setting is named', async () => {
    const r = await runCli(['stats', '--db', db], { PORT: 'eighty' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /PORT="eighty" is invalid/);
  });

  test('import reports every bad line, keeps the good ones, and exits 1', async () => {
    const r = await runCli(['import', fixture('broken.jsonl'), '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.jsonl:2: bad JSON/);
    assert.match(r.stderr, /broken\.jsonl:3: missing title/);
    assert.match(r.stderr, /broken\.jsonl:4: bad arXiv id/);
    assert.match(r.stdout, /read 6 \/ inserted 2 \/ updated 0 \/ unchanged 0 \/ failed 4/);
  });

  test('import of a directory, twice: the second run reports everything unchanged', async () => {
    const data = path.join(dir, 'corpus');
    fs.mkdirSync(data);
    fs.copyFileSync(fixture('listing.jsonl'), path.join(data, 'a.jsonl'));
    fs.copyFileSync(fixture('snapshot.jsonl'), path.join(data, 'b.jsonl'));
    const first = await runCli(['import', data, '--db', db]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /read 5 \/ inserted 4 \/ updated 0 \/ unchanged 1 \/ failed 0/);
    // Its phases, timed: the papers, then the full-text index of the four new ones (none the second time).
    assert.match(first.stdout, /\nphases: papers \d+\.\d s, full-text index \d+\.\d s \(4 papers\); total \d+\.\d s\n/);
    const second = await runCli(['import', data, '--db', db]);
    assert.match(second.stdout, /read 5 \/ inserted 0 \/ updated 0 \/ unchanged 5 \/ failed 0/);
    assert.match(second.stdout, /full-text index \d+\.\d s \(0 papers\)/);
  });

  test('import from stdin with a source name', async () => {
    const r = await runCli(['import', '-', '--source', 'lab', '--db', db], {}, { input: '{"id":"r9","title":"T","abstract":"A"}\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /inserted 1/);
  });

  test('stats shows papers, feed days and the last imports', async () => {
    const r = await runCli(['stats', '--json', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const stats = JSON.parse(r.stdout);
    assert.equal(stats.papers, 7);
    assert.equal(stats.feedDays, 2);
    assert.equal(stats.newestDay, '2025-07-03');
    assert.equal(stats.recentRuns[0].kind, 'import');
    assert.equal(stats.recentRuns[0].stats.inserted, 1);
  });

  test('refuses a database migrated by a newer Paperboy', async () => {
    const newer = path.join(dir, 'newer.db');
    const opened = await openStore(newer);
    await sql`insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01')`.execute(opened.connection.db);
    await opened.close();
    const r = await runCli(['migrate', '--db', newer]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /schema is newer than this version of Paperboy \(unknown migrations: 9999_from_the_future\)/);
  });

  test('migrate is idempotent', async () => {
    const r = await runCli(['migrate', '--db', db]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /schema is up to date/);
  });
});
