import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestStore, postgresIsReal, type TestStore } from '../helpers/stores.ts';
import { startServe, type ServeProcess } from '../helpers/serve-process.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, MAILBOXES, emlMailbox } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';

// A server is killed (SIGKILL: no shutdown, no flush) while users upvote and comment; after a
// restart every write it acknowledged with a 2xx is there, and the upvote counters are exact.
describe('kill -9 during upvote and comment writes (PostgreSQL)', { skip: !(await postgresIsReal()) && 'needs the local PostgreSQL server' }, () => {
  let store: TestStore;
  let serve: ServeProcess | undefined;
  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-kill-mail-'));
  const env = () => ({
    PAPERBOY_DB: store.location!,
    PAPERBOY_DEMO: 'false',
    // Sign-up links are read from the .eml files the server writes.
    MAIL_DIR: mailDir,
    RATE_LIMIT_SIGNUP_IP: '1000/60',
    // The writers make hundreds of API requests from one address in seconds; the read budget must not end the test.
    API_RATE_LIMIT_IP: '1000000',
    RATE_LIMIT_UPVOTE_USER: '100000/60',
    RATE_LIMIT_UPVOTE_IP: '100000/60',
    RATE_LIMIT_COMMENT_USER: '100000/60',
    RATE_LIMIT_COMMENT_IP: '100000/60',
  });
  const papers = Array.from({ length: 40 }, () => makePaper({ publishedAt: '2025-08-01' }));

  before(async () => {
    store = await createTestStore('postgres');
    await store.store.papers.upsertMany(papers);
  });
  after(async () => {
    serve?.child.kill('SIGKILL');
    await serve?.exited;
    await store?.close();
  });

  test('every acknowledged vote and comment survives; sessions too', async () => {
    serve = await startServe(env());
    MAILBOXES.set(serve.url, emlMailbox(mailDir));
    const users = await Promise.all(
      ['kim', 'lee', 'ana', 'bob'].map(async (name) => {
        const c = new Client(serve!.url);
        await c.signup(name);
        return { name, c };
      }),
    );
    const ackedVotes: Array<{ user: string; paper: string; up: boolean; seq: number }> = [];
    const ackedComments: Array<{ id: number; paper: string; body: string }> = [];
    let seq = 0;
    let stop = false;
    let failedAfterKill = 0;
    const writer = async (u: (typeof users)[number], k: number) => {
      for (let i = k; !stop; i++) {
        const paper = papers[(i * 7 + k) % papers.length].id;
        try {
          if (i % 3 === 2) {
            const body = `${u.name} comment ${i} on ${paper}`;
            const r = await u.c.post(`/api/papers/${paper}/comments`, { body });
            if (r.status === 201) ackedComments.push({ id: r.json.id, paper, body });
            else assert.fail(`comment answered ${r.status} ${r.text}`);
          } else {
            // Mostly upvotes, sometimes taken back: the last acknowledged state per (user, paper) must hold.
            const up = i % 5 !== 4;
            const mySeq = ++seq;
            const r = await u.c.request(up ? 'POST' : 'DELETE', `/api/papers/${paper}/upvote`);
            if (r.status === 200) ackedVotes.push({ user: u.name, paper, up, seq: mySeq });
            else assert.fail(`upvote answered ${r.status} ${r.text}`);
          }
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          failedAfterKill++; // the connection died with the server: not acknowledged
          return;
        }
      }
    };
    // One writer per user: a user's writes are sequential, so "last acknowledged" is well defined.
    const writing = Promise.all(users.map((u, k) => writer(u, k)));
    await new Promise((r) => setTimeout(r, 2500));
    serve.child.kill('SIGKILL');
    assert.equal(await serve.exited, 'SIGKILL');
    stop = true;
    await writing;
    assert.ok(ackedVotes.length > 10 && ackedComments.length > 5, `enough writes before the kill: ${ackedVotes.length} votes, ${ackedComments.length} comments`);

    serve = await startServe(env());
    // The same browsers (cookies, CSRF token) against the new process.
    const moved = users.map((u) => {
      const c = new Client(serve!.url);
      for (const [k, v] of u.c.cookies) c.cookies.set(k, v);
      c.csrf = u.c.csrf;
      return c;
    });
    const db = store.connection.db;
    // Votes: the last acknowledged state of each (user, paper) is what is stored.
    const last = new Map<string, boolean>();
    for (const v of ackedVotes.sort((a, b) => a.seq - b.seq)) last.set(`${v.user}|${v.paper}`, v.up);
    const rows = await db.selectFrom('upvotes').innerJoin('users', 'users.id', 'upvotes.user_id').select(['users.username', 'upvotes.paper_id']).execute();
    const stored = new Set(rows.map((r) => `${r.username}|${r.paper_id}`));
    for (const [key, up] of last) assert.equal(stored.has(key), up, `vote ${key} should be ${up ? 'there' : 'gone'}`);
    // Counters: papers.upvotes equals the rows (the counter and the row change in one transaction).
    const drift = await sql<{ id: string }>`select p.id from papers p where p.upvotes <> (select count(*) from upvotes u where u.paper_id = p.id)`.execute(db);
    assert.deepEqual(drift.rows, []);
    // Comments: every acknowledged one, with its text, served by the restarted process.
    const byPaper = new Map<string, Set<number>>();
    for (const p of new Set(ackedComments.map((c) => c.paper))) {
      const r = await moved[0].get(`/api/papers/${p}/comments`);
      assert.equal(r.status, 200, r.text);
      byPaper.set(p, new Set((r.json.comments as Array<{ id: number }>).map((c) => c.id)));
    }
    for (const c of ackedComments) assert.ok(byPaper.get(c.paper)?.has(c.id), `comment ${c.id} lost`);
    // Sessions live in the store: the same cookie works on the new process.
    const again = await moved[1].post(`/api/papers/${papers[0].id}/upvote`);
    assert.equal(again.status, 200, again.text);
    console.log(`# acknowledged before the kill: ${ackedVotes.length} vote changes, ${ackedComments.length} comments; ${failedAfterKill} requests cut by the kill; all present after restart`);
  });
});
