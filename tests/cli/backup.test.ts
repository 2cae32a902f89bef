import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT, runCli } from '../helpers/cli.ts';
import { openStore } from '../../src/store/index.ts';
import { makePaper } from '../helpers/papers.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-backup-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function snapshot(db: string) {
  const opened = await openStore(db);
  try {
    const d = opened.connection.db;
    return {
      papers: await d.selectFrom('papers').selectAll().orderBy('id').execute(),
      feed: await d.selectFrom('feed_entries').selectAll().orderBy('paper_id').execute(),
      upvotes: await d.selectFrom('upvotes').selectAll().orderBy('paper_id').execute(),
      comments: await d.selectFrom('comments').selectAll().orderBy('id').execute(),
    };
  } finally {
    await opened.close();
  }
}

describe('paperboy backup and restore (SQLite)', () => {
  const live = path.join(dir, 'live.db');
  const backup = path.join(dir, 'backups', 'one.db');

  test('a backup taken while the store is being written restores every paper, vote and comment', async () => {
    const opened = await openStore(live);
    const { store } = opened;
    await store.papers.upsertMany(Array.from({ length: 300 }, () => makePaper()));
    const ids = (await store.papers.listNewest(300)).map((p) => p.id);
    await store.feed.addMany(ids.map((paperId) => ({ paperId, day: '2025-08-01' })));
    const now = new Date().toISOString();
    const user = await opened.connection.db.insertInto('users').values({ username: 'ada', email: 'ada@example.org', password_hash: 'x', created_at: now }).returning('id').executeTakeFirstOrThrow();
    await opened.connection.db.insertInto('upvotes').values(ids.slice(0, 50).map((paper_id) => ({ user_id: user.id, paper_id, created_at: now }))).execute();
    await opened.connection.db.insertInto('comments').values({ paper_id: ids[0], user_id: user.id, parent_id: null, body: 'Nice **result**', created_at: now }).execute();

    // A writer keeps writing while the backup runs in another process: the copy is one consistent snapshot.
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await store.transaction(async (tx) => tx.papers.upsertMany([makePaper(), makePaper()]));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const r = await runCli(['backup', backup, '--db', live]);
    writing = false;
    await writer;
    await opened.close();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /backed up \d+ papers/);

    const restored = path.join(dir, 'restored.db');
    const rr = await runCli(['restore', backup, '--db', restored]);
    assert.equal(rr.code, 0, rr.stderr);
    const a = await snapshot(backup);
    const b = await snapshot(restored);
    assert.ok(a.papers.length >= 300);
    assert.equal(a.papers.length % 2, 0, 'papers are written two per transaction: a consistent copy has an even number');
    assert.deepEqual(b, a);
    assert.equal(b.upvotes.length, 50);
    assert.equal(b.comments[0].body, 'Nice **result**');
  });

  test('restore over an existing store keeps the old one aside', async () => {
    const target = path.join(dir, 'target.db');
    const o = await openStore(target);
    await o.store.papers.upsertMany([makePaper({ title: 'Only in the old store' })]);
    await o.close();
    const r = await runCli(['restore', backup, '--db', target]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(`${target}.before-restore`));
    assert.deepEqual((await snapshot(target)).papers.length, (await snapshot(backup)).papers.length);
  });

  test('refuses to overwrite a backup, and refuses a file that is not a Paperboy store', async () => {
    const again = await runCli(['backup', backup, '--db', live]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists: choose a new file name/);
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'not a database at all'.repeat(100));
    const bad = await runCli(['restore', junk, '--db', path.join(dir, 'x.db')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a SQLite database|is damaged|not a Paperboy store/);
    assert.ok(!fs.existsSync(path.join(dir, 'x.db')), 'nothing was written');
    void ROOT;
  });
});
