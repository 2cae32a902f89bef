import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sleep, waitFor, within } from '../helpers/wait.ts';
import { createTestStore, postgresIsReal, type StoreKind, type TestStore } from '../helpers/stores.ts';
import { startServe, type ServeProcess } from '../helpers/serve-process.ts';
import { startReplayServer } from '../helpers/replay-server.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, MAILBOXES, emlMailbox } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { BURST_LIMITS, assertVotesStored, type AckedVote } from '../helpers/write-burst.ts';

/** The code of a failed fetch (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ...). */
function failureCode(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

/** `paperboy serve` whose sign-up mails (confirm links) the test's clients read from `.eml` files. */
async function serveWithMailbox(env: Record<string, string>): Promise<ServeProcess> {
  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-shutdown-mail-'));
  const serve = await startServe({ MAIL_DIR: mailDir, ...env });
  MAILBOXES.set(serve.url, emlMailbox(mailDir));
  void serve.exited.then(() => fs.rmSync(mailDir, { recursive: true, force: true }));
  return serve;
}

/** An arXiv that accepts connections and reads requests but never answers. */
async function silentArxiv() {
  return startReplayServer(() => new Promise<void>(() => {}));
}

describe('serve: SIGTERM while a submission waits on an arXiv that never answers', () => {
  let store: TestStore;
  let arxiv: Awaited<ReturnType<typeof silentArxiv>>;
  let serve: ServeProcess | undefined;
  before(async () => {
    store = await createTestStore('sqlite');
    arxiv = await silentArxiv();
  });
  after(async () => {
    serve?.child.kill('SIGKILL');
    await serve?.exited;
    await arxiv.close();
    await store.close();
  });

  test('the visitor gets a clear answer at the deadline and the process exits within SHUTDOWN_TIMEOUT_MS + 1 s', async () => {
    const TIMEOUT = 3000;
    serve = await serveWithMailbox({ PAPERBOY_DB: store.location!, PAPERBOY_DEMO: 'false', ARXIV_API_URL: `${arxiv.url}/api/query`, SHUTDOWN_TIMEOUT_MS: String(TIMEOUT) });
    const visitor = new Client(serve.url);
    await visitor.signup('waiter');
    const submitting = visitor.post('/api/papers/submit', { arxivId: '2512.00001' }).then(
      (r) => ({ status: r.status, json: r.json }),
      (err) => ({ status: 0, code: failureCode(err) }),
    );
    await waitFor(() => arxiv.requests.length > 0, 20_000, 'the submission asks arXiv');
    const t0 = Date.now();
    serve.child.kill('SIGTERM');
    const exit = await within(serve.exited, 30_000, 'serve exiting');
    const took = Date.now() - t0;
    const answer = await within(submitting, 5000, "the visitor's answer");
    assert.equal(exit, 0, serve.log());
    // At the deadline, not at the lookup's own 10 s timeout (nor never); the 4 s after the deadline
    // are for aborting, closing and exiting on a loaded 2-core machine.
    assert.ok(took < TIMEOUT + 4000, `exited ${took} ms after SIGTERM (SHUTDOWN_TIMEOUT_MS ${TIMEOUT})`);
    // A clear answer (503 arxiv_unavailable in plain words, to try again: a balancer retries
    // elsewhere), or at worst a closed connection; never a hang, a stack or a host name.
    if (answer.status !== 0) {
      assert.equal(answer.status, 503, JSON.stringify(answer));
      assert.equal((answer as { json: { error: { code: string } } }).json.error.code, 'arxiv_unavailable');
      assert.match((answer as { json: { error: { message: string } } }).json.error.message, /^arXiv did not answer; try again/);
    }
    assert.match(serve.log(), /"msg":"shutdown deadline reached: aborting outbound calls/);
    assert.match(serve.log(), /"msg":"stopped"/);
    // Nothing was stored for the abandoned submission.
    assert.equal(await store.store.papers.get('2512.00001'), null);
  });

  test('a second SIGTERM or SIGINT exits at once, with a log line', async () => {
    serve = await serveWithMailbox({ PAPERBOY_DB: store.location!, PAPERBOY_DEMO: 'false', ARXIV_API_URL: `${arxiv.url}/api/query`, SHUTDOWN_TIMEOUT_MS: '60000' });
    const visitor = new Client(serve.url);
    await visitor.signup('impatient');
    const before = arxiv.requests.length;
    const submitting = visitor.post('/api/papers/submit', { arxivId: '2512.00002' }).catch(() => null);
    await waitFor(() => arxiv.requests.length > before, 20_000, 'the submission asks arXiv');
    serve.child.kill('SIGTERM');
    await waitFor(() => /"msg":"shutting down/.test(serve!.log()), 10_000, 'the shutdown begins');
    const t0 = Date.now();
    serve.child.kill('SIGINT');
    const exit = await within(serve.exited, 30_000, 'serve exiting after the second signal');
    const took = Date.now() - t0;
    await submitting;
    assert.equal(exit, 130, serve.log()); // 128 + SIGINT, as a shell reports Ctrl-C
    // Far below the 60 s shutdown timeout; the rest is room for a loaded machine.
    assert.ok(took < 10_000, `exited ${took} ms after the second signal, not after the 60 s shutdown timeout`);
    assert.match(serve.log(), /"signal":"SIGINT".*"msg":"second signal: exiting now/);
    assert.doesNotMatch(serve.log(), /"msg":"stopped"/);
  });
});

const STORES: StoreKind[] = ['sqlite', 'postgres'];
for (const kind of STORES) {
  describe(`serve: SIGTERM during a burst of reads and writes (${kind})`, { skip: kind === 'postgres' && !(await postgresIsReal()) && 'needs the local PostgreSQL server' }, () => {
    let store: TestStore;
    let serve: ServeProcess | undefined;
    const papers = Array.from({ length: 30 }, () => makePaper({ publishedAt: '2025-08-01' }));
    before(async () => {
      store = await createTestStore(kind);
      await store.store.papers.upsertMany(papers);
    });
    after(async () => {
      serve?.child.kill('SIGKILL');
      await serve?.exited;
      await store?.close();
    });

    test('every request sent before the signal gets a normal answer, and every acknowledged write is stored', async () => {
      const TIMEOUT = 5000;
      serve = await serveWithMailbox({
        PAPERBOY_DB: store.location!,
        PAPERBOY_DEMO: 'false',
        SHUTDOWN_TIMEOUT_MS: String(TIMEOUT),
        ...BURST_LIMITS,
      });
      const users = await Promise.all(
        ['kim', 'lee', 'ana', 'bob'].map(async (name) => {
          const c = new Client(serve!.url);
          await c.signup(name);
          return { name, c };
        }),
      );
      interface Outcome { what: string; startedAt: number; endedAt: number; status?: number; code?: string; failure?: string }
      const outcomes: Outcome[] = [];
      const ackedVotes: AckedVote[] = [];
      const ackedComments: Array<{ id: number; paper: string; body: string }> = [];
      let seq = 0;
      let killedAt = Infinity;
      const call = async (what: string, fn: () => Promise<{ status: number; json?: any }>): Promise<Outcome> => {
        const o: Outcome = { what, startedAt: Date.now(), endedAt: 0 };
        try {
          const r = await fn();
          o.status = r.status;
          o.code = r.json?.error?.code;
        } catch (err) {
          o.failure = failureCode(err);
        }
        o.endedAt = Date.now();
        outcomes.push(o);
        return o;
      };
      // A writer per user (its writes are sequential, so "last acknowledged" is well defined) and a reader per user.
      const writer = async (u: (typeof users)[number], k: number) => {
        for (let i = k; ; i++) {
          const paper = papers[(i * 7 + k) % papers.length].id;
          if (i % 3 === 2) {
            const body = `${u.name} comment ${i} on ${paper}`;
            let id = 0;
            const o = await call('comment', async () => {
              const r = await u.c.post(`/api/papers/${paper}/comments`, { body });
              id = r.json?.id;
              return r;
            });
            if (o.failure) return;
            if (o.status === 201) ackedComments.push({ id, paper, body });
          } else {
            const up = i % 5 !== 4;
            const mySeq = ++seq;
            const o = await call('upvote', () => u.c.request(up ? 'POST' : 'DELETE', `/api/papers/${paper}/upvote`));
            if (o.failure) return;
            if (o.status === 200) ackedVotes.push({ user: u.name, paper, up, seq: mySeq });
          }
        }
      };
      const reader = async (u: (typeof users)[number], k: number) => {
        for (let i = k; ; i++) {
          const paper = papers[(i * 11 + k) % papers.length].id;
          const o = await call('read', () => (i % 2 ? u.c.get(`/api/papers/${paper}/comments`) : u.c.get(`/papers/${paper}`)));
          if (o.failure) return;
        }
      };
      const traffic = Promise.all(users.flatMap((u, k) => [writer(u, k), reader(u, k)]));
      // Enough traffic that writes are stored before the signal, however loaded the machine.
      await waitFor(() => ackedVotes.length >= 12 && ackedComments.length >= 6, 60_000, 'a dozen votes and half a dozen comments acknowledged');
      const t0 = Date.now();
      killedAt = t0;
      serve.child.kill('SIGTERM');
      const exit = await within(serve.exited, 30_000, 'serve exiting');
      const took = Date.now() - t0;
      await within(traffic, 30_000, 'the clients finishing');

      assert.equal(exit, 0, serve.log());
      assert.ok(took < TIMEOUT + 1000, `exited ${took} ms after SIGTERM`);
      const expected: Record<string, number[]> = { comment: [201], upvote: [200], read: [200] };
      const abnormal = outcomes.filter((o) => o.status !== undefined && !expected[o.what].includes(o.status));
      assert.deepEqual(abnormal, [], 'only normal answers (no 5xx, no store_unavailable)');
      const cutBefore = outcomes.filter((o) => o.failure && o.startedAt < killedAt);
      assert.deepEqual(cutBefore, [], 'no request sent before the signal was refused or cut off');
      const drained = outcomes.filter((o) => o.status !== undefined && o.startedAt < killedAt && o.endedAt >= killedAt);
      assert.ok(drained.length > 0, 'some requests were in flight when the signal came, and were answered');
      assert.doesNotMatch(serve.log(), /store_unavailable|already been destroyed|"level":50/);

      // Everything acknowledged is stored: the last acknowledged state of each vote, every comment, exact counters.
      const db = store.connection.db;
      await assertVotesStored(db, ackedVotes);
      const comments = await db.selectFrom('comments').select(['id', 'body']).execute();
      const byId = new Map(comments.map((c) => [Number(c.id), c.body]));
      for (const c of ackedComments) assert.equal(byId.get(c.id), c.body, `comment ${c.id} stored`);
      const refused = outcomes.filter((o) => o.failure).map((o) => o.failure);
      console.log(`# ${kind}: ${outcomes.length} requests, ${drained.length} answered during the drain, ${refused.length} refused after the signal (${[...new Set(refused)].join(', ')}); exit ${took} ms after SIGTERM`);
    });
  });
}
