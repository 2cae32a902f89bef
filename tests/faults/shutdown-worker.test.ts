import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sleep, waitFor, within } from '../helpers/wait.ts';
import { createTestStore, postgresIsReal, type StoreKind, type TestStore } from '../helpers/stores.ts';
import { startWorker, type ServeProcess } from '../helpers/serve-process.ts';
import { runCli } from '../helpers/cli.ts';
import { FIXTURE_IDS, PAGES, oaiFixture, startOaiServer } from '../helpers/oai-server.ts';
import { sendXml } from '../helpers/replay-server.ts';
import { SmtpSink } from '../helpers/smtp.ts';
import { activeSubscriber, feedDay, mailServices } from '../helpers/mail-fixtures.ts';
import { digestPeriod } from '../../src/domain/digest-period.ts';

/** Sends SIGTERM and returns the exit status and how long the process took to exit. */
async function terminate(p: ServeProcess): Promise<{ exit: number | string | null; took: number }> {
  const t0 = Date.now();
  p.child.kill('SIGTERM');
  const exit = await within(p.exited, 30_000, 'the worker exiting');
  return { exit, took: Date.now() - t0 };
}

const STORES: StoreKind[] = ['sqlite', 'postgres'];
for (const kind of STORES) {
  describe(`worker: SIGTERM in the middle of a harvest (${kind})`, { skip: kind === 'postgres' && !(await postgresIsReal()) && 'needs the local PostgreSQL server' }, () => {
    const SLOW_MS = 1500;
    let store: TestStore;
    let oai: Awaited<ReturnType<typeof startOaiServer>>;
    let worker: ServeProcess | undefined;
    before(async () => {
      store = await createTestStore(kind);
      // A slow arXiv: every page takes SLOW_MS, and is the fixture list whatever the harvest's dates.
      oai = await startOaiServer(async (_req, res, page) => {
        await sleep(SLOW_MS);
        sendXml(res, oaiFixture(PAGES[page]));
        return true;
      });
    });
    after(async () => {
      worker?.child.kill('SIGKILL');
      await worker?.exited;
      await oai.close();
      await store.close();
    });

    test('the page under way is stored, the run is marked interrupted, the lease released; the next harvest resumes after it', async () => {
      const TIMEOUT = 5000;
      const env = { PAPERBOY_DB: store.location!, ARXIV_OAI_URL: `${oai.url}/oai`, ARXIV_DELAY_MS: '0', HARVEST_SETS: 'cs' };
      worker = await startWorker({ ...env, HARVEST_SCHEDULE: '* * * * * *', SHUTDOWN_TIMEOUT_MS: String(TIMEOUT) });
      await waitFor(() => oai.requests.some((r) => r.url.searchParams.get('resumptionToken') === 'fixture|3'), 60_000, 'the worker asks for the second page');
      const { exit, took } = await terminate(worker);
      assert.equal(exit, 0, worker.log());
      assert.ok(took < TIMEOUT + 1000, `exited ${took} ms after SIGTERM (SHUTDOWN_TIMEOUT_MS ${TIMEOUT})`);
      assert.doesNotMatch(worker.log(), /shutdown deadline reached/, 'the page finished within the timeout: nothing had to be aborted');

      const run = await store.store.runs.last('harvest');
      assert.equal(run?.status, 'interrupted', JSON.stringify(run));
      assert.equal(run?.stats.pages, 2, 'the page being fetched at the signal was stored before the run stopped');
      assert.ok(run?.finishedAt);
      assert.equal(await store.store.leases.holder('harvest'), null, 'lease released at once, not left to expire');
      const state = await store.store.harvestState.get('arXiv:cs');
      assert.equal(state?.resumptionToken, 'fixture|6', 'the checkpoint is after the second page');
      assert.equal(oai.requests.filter((r) => r.url.searchParams.get('resumptionToken') === 'fixture|6').length, 0, 'no page asked for after the signal');

      // The next harvest continues after the last stored page and stores the rest once.
      const asked = oai.requests.length;
      const resumed = await runCli(['harvest'], { ...env, LOG_LEVEL: 'warn' });
      assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
      assert.deepEqual(oai.requests.slice(asked).map((r) => r.url.searchParams.get('resumptionToken')), ['fixture|6']);
      for (const id of FIXTURE_IDS) assert.ok(await store.store.papers.get(id), `${id} stored`);
      const runs = (await store.store.runs.recent(10)).filter((r) => r.kind === 'harvest').map((r) => r.status);
      assert.deepEqual(runs, ['succeeded', 'interrupted']);
    });
  });

  describe(`worker: SIGTERM in the middle of a digest send (${kind})`, { skip: kind === 'postgres' && !(await postgresIsReal()) && 'needs the local PostgreSQL server' }, () => {
    const PERIOD = digestPeriod('daily', '2025-06-04')!;
    const SUBSCRIBERS = 12;
    const emails = Array.from({ length: SUBSCRIBERS }, (_, i) => `reader${i}@example.test`);
    let store: TestStore;
    let smtp: SmtpSink;
    let worker: ServeProcess | undefined;
    const env = () => ({
      PAPERBOY_DB: store.location!,
      SMTP_URL: smtp.url,
      MAIL_RATE: '1000',
      PUBLIC_URL: 'http://paperboy.test',
      HARVEST_ENABLED: 'false',
      DIGEST_SCHEDULE: '* * * * * *',
    });
    before(async () => {
      store = await createTestStore(kind);
      await feedDay(store.store, PERIOD.date, [{ upvotes: 5 }, { upvotes: 2 }, {}]);
      for (const e of emails) await activeSubscriber(store.store, e);
      // The digests are built into the outbox; the worker's digest job sends what is due.
      const built = await mailServices(store.store).digests.build(PERIOD);
      assert.equal(built.created, SUBSCRIBERS);
    });
    after(async () => {
      worker?.child.kill('SIGKILL');
      await worker?.exited;
      await smtp?.close();
      await store.close();
    });

    test('a slow SMTP server: the mail under way is delivered and recorded, the run is interrupted, the lease released; the rest is sent once later', async () => {
      const TIMEOUT = 5000;
      smtp = await new SmtpSink({ delayMs: 600 }).start();
      worker = await startWorker({ ...env(), SHUTDOWN_TIMEOUT_MS: String(TIMEOUT) });
      await waitFor(() => smtp.received >= 3, 60_000, 'three mails on their way');
      const { exit, took } = await terminate(worker);
      assert.equal(exit, 0, worker.log());
      assert.ok(took < TIMEOUT + 1000, `exited ${took} ms after SIGTERM (SHUTDOWN_TIMEOUT_MS ${TIMEOUT})`);
      assert.doesNotMatch(worker.log(), /shutdown deadline reached/, 'the mail under way finished within the timeout');

      const delivered = smtp.accepted.length;
      assert.ok(delivered >= 3 && delivered < SUBSCRIBERS, `the mail under way was delivered, the others wait (${delivered})`);
      assert.equal(smtp.received, delivered, 'no mail was started after the signal');
      const counts = await store.store.outbox.countsByStatus(PERIOD.key);
      assert.equal(counts.sent, delivered, 'every delivered mail is recorded as sent, so none is sent again');
      assert.equal(counts.pending, SUBSCRIBERS - delivered, 'the rest is pending, not left claimed');
      const run = await store.store.runs.last('digest');
      assert.equal(run?.status, 'interrupted', JSON.stringify(run));
      assert.equal(run?.stats.sent, delivered);
      assert.equal(await store.store.leases.holder('digest'), null, 'lease released');

      // The next run sends the rest; every reader gets exactly one digest.
      worker = await startWorker({ ...env(), SHUTDOWN_TIMEOUT_MS: String(TIMEOUT) });
      await waitFor(() => smtp.accepted.length >= SUBSCRIBERS, 60_000, 'the rest sent');
      assert.equal((await terminate(worker)).exit, 0, worker.log());
      for (const e of emails) assert.equal(smtp.to(e).length, 1, e);
      assert.equal(new Set(smtp.accepted.map((m) => m.messageId)).size, SUBSCRIBERS);
      assert.deepEqual(await store.store.outbox.countsByStatus(PERIOD.key), { sent: SUBSCRIBERS });
      await smtp.close();
    });

    test('an SMTP server that never answers: the exchange is abandoned at the deadline, the mail is retried later, never counted as sent', async () => {
      const TIMEOUT = 2000;
      await store.connection.db.deleteFrom('mail_outbox').execute();
      await store.connection.db.deleteFrom('runs').execute();
      const rebuilt = await mailServices(store.store).digests.build(PERIOD);
      assert.equal(rebuilt.created, SUBSCRIBERS);
      smtp = await new SmtpSink({ verdict: (_m, n) => (n === 3 ? 'hang' : { accept: true }) }).start();
      worker = await startWorker({ ...env(), SHUTDOWN_TIMEOUT_MS: String(TIMEOUT) });
      await waitFor(() => smtp.received >= 3, 60_000, 'the third mail on its way');
      const { exit, took } = await terminate(worker);
      assert.equal(exit, 0, worker.log());
      // At the deadline, not when the hung exchange would end (never); 4 s to abort and exit on a loaded machine.
      assert.ok(took < TIMEOUT + 4000, `exited ${took} ms after SIGTERM (SHUTDOWN_TIMEOUT_MS ${TIMEOUT})`);
      assert.match(worker.log(), /shutdown deadline reached/);

      assert.equal(smtp.accepted.length, 2);
      const counts = await store.store.outbox.countsByStatus(PERIOD.key);
      assert.deepEqual(counts, { sent: 2, pending: SUBSCRIBERS - 2 }, 'the abandoned mail is pending again, not sent, not left claimed');
      const retried = await store.connection.db.selectFrom('mail_outbox').select(['attempts', 'last_error']).where('attempts', '>', 0).where('status', '=', 'pending').execute();
      assert.equal(retried.length, 1);
      assert.match(retried[0].last_error ?? '', /shutting down/);
      const run = await store.store.runs.last('digest');
      assert.equal(run?.status, 'interrupted', JSON.stringify(run));
      assert.equal(await store.store.leases.holder('digest'), null, 'lease released');
      await smtp.close();
    });
  });
}
