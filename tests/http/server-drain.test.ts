import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Hono } from 'hono';
import { startServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';
import type { App } from '../../src/http/app.ts';

/**
 * A client in a thread of its own, so that it can connect and send while this thread — the
 * server's — is blocked: it connects (the kernel completes the handshake and queues the
 * connection, which the blocked server has not accepted), sends one request, flags `sent`, and
 * reports what came back or how the connection failed.
 */
const CLIENT = `
const net = require('node:net');
const { workerData, parentPort } = require('node:worker_threads');
const flag = new Int32Array(workerData.flag);
const socket = net.connect(workerData.port, '127.0.0.1');
let answer = '';
socket.on('connect', () => {
  socket.write('GET /x HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n', () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});
socket.on('data', (d) => { answer += d; if (/\\r\\n\\r\\nanswered$/.test(answer)) socket.end(); });
socket.on('error', (err) => parentPort.postMessage({ error: err.code ?? err.message, answer }));
socket.on('close', () => parentPort.postMessage({ answer }));
`;

function appAnswering(): App {
  const app = new Hono();
  app.get('/x', (c) => c.text('answered'));
  return app as unknown as App;
}

test('a connection the kernel queued before the drain began is accepted and answered, not reset', async () => {
  const server = await startServer(appAnswering(), { host: '127.0.0.1', port: 0, logger: silentLogger });
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const client = new Worker(CLIENT, { eval: true, workerData: { port: server.port, flag: flag.buffer } });
  const reported = new Promise<{ error?: string; answer: string }>((resolve) => client.once('message', resolve));
  // This thread does not run its event loop until the request is sent: the connection waits in the
  // listening socket's queue, as one does when SIGTERM reaches a busy server.
  assert.equal(Atomics.wait(flag, 0, 0, 10_000), 'ok', 'the client connected and sent its request');
  const drained = server.drain(AbortSignal.timeout(5000));
  const result = await reported;
  await drained;
  await client.terminate();
  assert.equal(result.error, undefined, `the queued connection failed: ${JSON.stringify(result)}`);
  assert.match(result.answer, /^HTTP\/1\.1 200 /);
  assert.match(result.answer, /\r\nconnection: close\r\n/i, 'the answer closes the connection: the server is going away');
  assert.match(result.answer, /answered$/);
});

/**
 * A keep-alive client in a thread of its own: one request answered, then — when `go` is set — a
 * second on the same connection; it flags `sent` and reports both answers or the failure.
 */
const KEEP_ALIVE_CLIENT = `
const net = require('node:net');
const { workerData, parentPort } = require('node:worker_threads');
const flags = new Int32Array(workerData.flags);
const socket = net.connect(workerData.port, '127.0.0.1');
const request = 'GET /x HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n';
let answer = '';
socket.on('connect', () => socket.write(request));
socket.on('data', (d) => {
  answer += d;
  const answers = answer.split('answered').length - 1;
  if (answers === 1 && flags[1] === 0) {
    parentPort.postMessage({ first: answer });
    Atomics.wait(flags, 0, 0);
    socket.write(request, () => { Atomics.store(flags, 1, 1); Atomics.notify(flags, 1); });
  }
  if (answers === 2) socket.end();
});
socket.on('error', (err) => parentPort.postMessage({ error: err.code ?? err.message, answer }));
socket.on('close', () => parentPort.postMessage({ answer }));
`;

test('a request sent on an idle keep-alive connection just before the drain closes idle ones is answered', async () => {
  const server = await startServer(appAnswering(), { host: '127.0.0.1', port: 0, logger: silentLogger });
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const client = new Worker(KEEP_ALIVE_CLIENT, { eval: true, workerData: { port: server.port, flags: flags.buffer } });
  const messages: Array<{ first?: string; error?: string; answer?: string }> = [];
  let firstAnswered!: () => void;
  const first = new Promise<void>((r) => (firstAnswered = r));
  const reported = new Promise<{ error?: string; answer?: string }>((resolve) =>
    client.on('message', (m) => {
      messages.push(m);
      if (m.first) firstAnswered();
      else resolve(m);
    }),
  );
  await first;
  // The connection is idle now. The drain waits LINGER_MS (100 ms) of quiet before closing idle
  // connections; shortly before that, this thread stops its loop in the check phase — after a poll —
  // while the client sends its second request, and resumes once that timer is due. The bytes have
  // arrived but no poll has read them when the drain's timer runs.
  const start = Date.now();
  const drained = server.drain(AbortSignal.timeout(5000));
  setTimeout(() => setImmediate(() => {
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    assert.equal(Atomics.wait(flags, 1, 0, 10_000), 'ok', 'the client sent its second request');
    while (Date.now() - start < 130) { /* the drain's quiet period passes while the bytes wait unread */ }
  }), 60);
  const result = await reported;
  await drained;
  await client.terminate();
  assert.equal(result.error, undefined, `the kept-alive connection failed: ${JSON.stringify(result)}`);
  assert.equal(result.answer!.split('answered').length - 1, 2, 'both requests answered');
  assert.match(result.answer!, /\r\nconnection: close\r\n[^]*answered$/i, 'the second answer closes the connection');
});
