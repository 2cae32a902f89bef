import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { freePort, ServerProcesses } from '../../bench/load/server-processes.ts';

/**
 * bench/load's servers (run.ts, paper-cpu.ts, kinds.ts): a server whose port another process holds
 * exits with EADDRINUSE, and the bench must say so at once — round 20's run.ts polled the dead
 * port through its whole readiness wait instead.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('a bench server whose port is taken fails the wait at once, naming EADDRINUSE', async () => {
  // The holder closes what it accepts, so that the test's own fetches end.
  const holder = net.createServer((socket) => socket.destroy());
  const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as net.AddressInfo).port)));
  const servers = new ServerProcesses(ROOT);
  try {
    servers.start(`bare Hono on port ${port}`, ['bench/load/bare-server.ts', String(port)]);
    const started = Date.now();
    await assert.rejects(
      servers.waitFor(`http://127.0.0.1:${port}/bare`, (r) => r.status === 200, 60_000),
      (err: Error) => /bare Hono on port \d+ exited/.test(err.message) && /EADDRINUSE/.test(err.message),
    );
    assert.ok(Date.now() - started < 30_000, 'failed well before the readiness wait ran out');
    // The work under way fails too, not only the waits.
    await assert.rejects(servers.whileRunning(new Promise(() => {})), /EADDRINUSE/);
  } finally {
    servers.stopAll();
    holder.close();
  }
});

test('a bench server that starts is waited for, and stopping it is not a failure', async () => {
  const servers = new ServerProcesses(ROOT);
  const port = await freePort();
  const child = servers.start(`bare Hono on port ${port}`, ['bench/load/bare-server.ts', String(port)]);
  try {
    await servers.waitFor(`http://127.0.0.1:${port}/bare`, (r) => r.status === 200, 120_000);
    assert.equal(await servers.whileRunning(Promise.resolve(7)), 7);
  } finally {
    servers.stopAll();
  }
  await new Promise((r) => child.once('exit', r));
  assert.notEqual(await freePort(), port, 'a port is never handed out twice');
});
