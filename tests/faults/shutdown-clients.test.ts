import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { sleep } from '../helpers/wait.ts';
import { ArxivApiClient, ArxivApiError } from '../../src/ingest/arxiv-api.ts';
import { OaiClient } from '../../src/ingest/oai/client.ts';
import { HttpEmbedder, EmbedderError } from '../../src/search/http-embedder.ts';
import { MailSendError, SmtpSender } from '../../src/mail/sender.ts';
import { ZoteroClient, ZoteroError } from '../../src/ingest/zotero.ts';
import { ShutdownError } from '../../src/shutdown.ts';
import { startReplayServer, sendXml } from '../helpers/replay-server.ts';
import { SmtpSink } from '../helpers/smtp.ts';

// Every outbound client stops at the process's shutdown deadline (one AbortSignal given at
// construction), whether it is waiting for an answer or sleeping before a retry.

/** Aborts `controller` once `ready()` holds, and returns how long `work` took to settle after that. */
async function abortedAfter(controller: AbortController, ready: () => boolean, work: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const settled = work.then(
    () => ({ error: undefined }),
    (error: unknown) => ({ error }),
  );
  for (let i = 0; i < 1000 && !ready(); i++) await sleep(10);
  assert.ok(ready(), 'the client reached the server');
  await sleep(100);
  const t0 = Date.now();
  controller.abort(new ShutdownError());
  const out = await Promise.race([settled, sleep(10_000).then(() => assert.fail('still waiting 10 s after the abort'))]);
  return { ms: Date.now() - t0, error: out.error };
}

const BOUND_MS = 1500; // a loaded machine; without the abort these wait for minutes

describe('outbound clients abort at the shutdown deadline', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers) await c();
  });

  test('arXiv API: a request arXiv never answers', async () => {
    const silent = await startReplayServer(() => new Promise<void>(() => {}));
    closers.push(silent.close);
    const controller = new AbortController();
    const client = new ArxivApiClient({ baseUrl: `${silent.url}/api/query`, minIntervalMs: 0, signal: controller.signal });
    const { ms, error } = await abortedAfter(controller, () => silent.requests.length > 0, client.fetchByIds(['2501.00001']));
    assert.ok(error instanceof ArxivApiError, String(error));
    assert.match((error as Error).message, /stopped \(the server is shutting down\)/);
    assert.ok(ms < BOUND_MS, `${ms} ms`);
  });

  test('arXiv API: the backoff before a retry wakes on the abort', async () => {
    const failing = await startReplayServer((_req, res) => sendXml(res, 'unavailable', 500));
    closers.push(failing.close);
    const controller = new AbortController();
    // A 5 s politeness interval: the first retry would wait 10 s.
    const client = new ArxivApiClient({ baseUrl: `${failing.url}/api/query`, minIntervalMs: 5000, signal: controller.signal });
    const { ms, error } = await abortedAfter(controller, () => failing.requests.length > 0, client.fetchByIds(['2501.00001']));
    assert.ok(error instanceof ArxivApiError, String(error));
    assert.ok(ms < BOUND_MS, `${ms} ms`);
    assert.equal(failing.requests.length, 1, 'no retry after the abort');
  });

  test("OAI-PMH: a 503's Retry-After wait wakes on the process's signal", async () => {
    const busy = await startReplayServer((_req, res) => sendXml(res, 'busy', 503, { 'retry-after': '120' }));
    closers.push(busy.close);
    const controller = new AbortController();
    const client = new OaiClient({ baseUrl: `${busy.url}/oai`, delayMs: 0, signal: controller.signal });
    const { ms, error } = await abortedAfter(controller, () => busy.requests.length > 0, client.get(`${busy.url}/oai?verb=ListRecords`));
    assert.ok(error instanceof ShutdownError, String(error));
    assert.ok(ms < BOUND_MS, `${ms} ms`);
  });

  test('embeddings server: a request it never answers', async () => {
    let calls = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      // The dimension probe is answered; every later request hangs.
      if (++calls === 1) req.on('end', () => res.end(JSON.stringify({ data: [{ embedding: [1, 0, 0], index: 0 }] })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))));
    const controller = new AbortController();
    const embedder = await HttpEmbedder.connect({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, model: 'm', signal: controller.signal });
    const { ms, error } = await abortedAfter(controller, () => calls > 1, embedder.embed(['a query']));
    assert.ok(error instanceof EmbedderError, String(error));
    assert.match((error as Error).message, /the server is shutting down/);
    assert.ok(ms < BOUND_MS, `${ms} ms`);
  });

  test('Zotero: a library read Zotero never answers', async () => {
    const silent = await startReplayServer(() => new Promise<void>(() => {}));
    closers.push(silent.close);
    const controller = new AbortController();
    // Its own timeout (15 s by default) would end it too, far later than the deadline.
    const client = new ZoteroClient({ baseUrl: silent.url, signal: controller.signal });
    const { ms, error } = await abortedAfter(controller, () => silent.requests.length > 0, client.changes('123', 'key', 0));
    assert.ok(error instanceof ZoteroError, String(error));
    assert.ok(ms < BOUND_MS, `${ms} ms`);
  });

  test('SMTP: an exchange the server never answers is abandoned as a temporary, connection-level failure', async () => {
    const smtp = await new SmtpSink({ verdict: () => 'hang' }).start();
    closers.push(() => smtp.close());
    const controller = new AbortController();
    const sender = new SmtpSender(smtp.url, 'Paperboy <paperboy@localhost>', controller.signal);
    closers.push(() => sender.close());
    const { ms, error } = await abortedAfter(controller, () => smtp.received > 0, sender.send({ to: 'reader@example.test', subject: 's', text: 't' }));
    assert.ok(error instanceof MailSendError, String(error));
    assert.equal(error.permanent, false, 'the outbox tries it again later');
    assert.equal(error.connectionLevel, true, 'the sender stops its batch');
    assert.match(error.message, /shutting down/);
    assert.ok(ms < BOUND_MS, `${ms} ms`);
  });
});
