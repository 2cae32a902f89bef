import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { forEachStore } from '../helpers/contract.ts';
import { loggedIn, startTestApp, type TestApp } from '../helpers/community.ts';

/** A local "arXiv" that accepts connections and never answers (reads the request, writes nothing). */
async function startSilentServer() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/query`,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on: connections are refused at once. */
async function closedPort(): Promise<string> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/api/query`;
}

/**
 * Issue 16: submitting while arXiv does not answer. The site's own arXiv client (built from
 * ARXIV_API_URL, as in production) against a server that never answers and one that refuses
 * connections: the page answers within the deadline, in plain words, without a host or a stack.
 */
forEachStore('submitting while arXiv does not answer', (ctx) => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let slowApp: TestApp;
  let downApp: TestApp;
  before(async () => {
    silent = await startSilentServer();
    const env = { ARXIV_LOOKUP_TIMEOUT_MS: '1500', ARXIV_DELAY_MS: '0', RATE_LIMIT_SUBMIT_USER: '100/60', RATE_LIMIT_SUBMIT_IP: '100/60', SUBMISSION_DAILY_QUOTA: '50' };
    slowApp = await startTestApp(ctx.store, { ...env, ARXIV_API_URL: silent.url }, { arxiv: 'configured' });
    downApp = await startTestApp(ctx.store, { ...env, ARXIV_API_URL: await closedPort() }, { arxiv: 'configured' });
  });
  after(async () => {
    await slowApp.close();
    await downApp.close();
    await silent.close();
  });

  for (const which of ['slow (accepts, never answers)', 'unreachable (connection refused)'] as const) {
    test(`arXiv ${which}: the submit form answers by the deadline in plain words`, async () => {
      const app = which.startsWith('slow') ? slowApp : downApp;
      const u = await loggedIn(app, which.startsWith('slow') ? 'sal' : 'dan');
      await u.get('/submit');
      const started = Date.now();
      const page = await u.postForm('/submit', { arxivId: '2611.01234' });
      const took = Date.now() - started;
      // By the configured 1.5 s deadline, not the default 10 s one (nor never): the rest of the
      // margin is for a loaded 2-core machine, where the request's own work can take seconds.
      assert.ok(took < 1500 + 5000, `answered in ${took} ms`);
      assert.equal(page.status, 503);
      assert.match(page.text, /arXiv did not answer; try again in a few minutes\./);
      assert.doesNotMatch(page.text, /127\.0\.0\.1|ECONNREFUSED|fetch failed|abort|at [\w.]+ \(|\/api\/query/i, 'no host, cause or stack');
      assert.match(page.text, /value="2611.01234"/, 'the id stays in the form');
      assert.equal(await ctx.store.feed.entryFor('2611.01234'), null, 'nothing half-stored');

      const api = await u.post('/api/papers/submit', { arxivId: '2611.01235' });
      assert.equal(api.status, 503);
      assert.equal(api.json.error.code, 'arxiv_unavailable');
      assert.equal(api.json.error.message, 'arXiv did not answer; try again in a few minutes');
      assert.equal(api.headers.get('retry-after'), '120');
      if (which.startsWith('slow')) assert.ok(silent.connections() >= 1, 'the stand-in was really asked');
    });
  }
});

test('the look-up deadline keeps the submit page under 15 s and cannot be set beyond it', () => {
  assert.ok(loadConfig({}).arxivLookupTimeoutMs <= 14_000);
  assert.throws(() => loadConfig({ ARXIV_LOOKUP_TIMEOUT_MS: '60000' }), /ARXIV_LOOKUP_TIMEOUT_MS/);
});
