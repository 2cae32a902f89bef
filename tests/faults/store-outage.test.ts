import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestStore, postgresIsReal, type TestStore } from '../helpers/stores.ts';
import { startServe, type ServeProcess } from '../helpers/serve-process.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
interface Answer { status: number; code?: string; ms: number; cached?: boolean }

/**
 * How long a client waits for an answer before it records none (status 0). No pass or fail depends on
 * a time: this only keeps a request that is never answered from hanging the test. The server is
 * given a pool wait of 10 minutes (STORE_POOL_WAIT_MS), so a request that waited for the pool's
 * timeout instead of the connect timeout (1 s) is never answered while the store is down.
 */
const PATIENCE_MS = 15_000;

/** Keeps `concurrency` clients requesting `paths` in turn for `ms`; returns every answer. */
async function load(base: string, paths: string[], ms: number, concurrency = 6): Promise<Answer[]> {
  const answers: Answer[] = [];
  const end = Date.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = w; Date.now() < end; i++) {
        const t0 = Date.now();
        let res: Response;
        let body: string;
        try {
          res = await fetch(base + paths[i % paths.length], { signal: AbortSignal.timeout(PATIENCE_MS) });
          body = await res.text();
        } catch (err) {
          if ((err as Error).name !== 'TimeoutError') throw err;
          answers.push({ status: 0, code: 'no answer', ms: Date.now() - t0 });
          continue;
        }
        let code: string | undefined;
        if (res.status >= 500 && res.headers.get('content-type')?.includes('json')) code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
        answers.push({ status: res.status, code, ms: Date.now() - t0, cached: res.headers.get('x-page-cache') === 'hit' });
      }
    }),
  );
  return answers;
}

/** `[["200", count, slowest ms], ["503:store_unavailable", …]]` */
function summary(answers: Answer[]): string {
  const groups = new Map<string, number[]>();
  for (const a of answers) {
    const k = `${a.status}${a.code ? ':' + a.code : ''}`;
    groups.set(k, [...(groups.get(k) ?? []), a.ms]);
  }
  return JSON.stringify([...groups].map(([k, ms]) => [k, ms.length, Math.max(...ms)]));
}

// PostgreSQL goes away under load (through a proxy we cut: the machine's server is shared) and
// comes back: a real `paperboy serve` answers 503 store_unavailable at once and recovers by itself.
describe('PostgreSQL unavailable under load', { skip: !(await postgresIsReal()) && 'needs the local PostgreSQL server' }, () => {
  let store: TestStore;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let serve: ServeProcess;
  const paths = ['/api/papers/search?q=quantization', '/readyz', '/'];

  before(async () => {
    store = await createTestStore('postgres');
    const url = new URL(store.location!);
    proxy = await startTcpProxy(Number(url.port || 5432), url.hostname);
    url.port = String(proxy.port);
    // Six clients for seconds on end from one address: the API's per-IP limit is not what this measures.
    // A pool wait far beyond the connect timeout: a down store must fail a request by the connect
    // timeout, whatever the pool's wait (a busy pool may queue long).
    serve = await startServe({ PAPERBOY_DB: url.toString(), STORE_CONNECT_TIMEOUT_MS: '1000', STORE_POOL_WAIT_MS: '600000', API_RATE_LIMIT_IP: '1000000' });
    // "Healthy" means ready: on a loaded machine the search index may still be building (503 building).
    const readyBy = Date.now() + 60_000;
    while ((await fetch(`${serve.url}/readyz`)).status !== 200) {
      if (Date.now() > readyBy) throw new Error('serve did not become ready within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  after(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    await proxy?.close();
    await store?.close();
  });

  for (const how of ['reset', 'blackhole'] as const) {
    test(`${how}: 503 store_unavailable within the connect timeout, then recovery`, async () => {
      const before = await load(serve.url, paths, 1500);
      assert.ok(before.every((a) => a.status === 200), `healthy: ${summary(before)}`);

      proxy.down(how);
      const during = await load(serve.url, paths, 3000);
      assert.ok(during.length > 0);
      // Fail fast: every request made while the store was down was answered before it came back (the
      // proxy is put up only after the last one), by the connect timeout (1 s; a search may wait
      // twice), not the pool's 10-minute wait. Times are printed, not bounded: the machine may be loaded.
      assert.ok(during.every((a) => a.status !== 0), `a request was not answered within ${PATIENCE_MS / 1000} s while the store was down: ${summary(during)}`);
      // An anonymous page rendered before the outage may still be served from the page cache (its
      // time to live is seconds): that is a 200 marked as a hit, never a page rendered now.
      assert.ok(during.every((a) => a.status === 503 || (a.status === 200 && a.cached)), `down: ${summary(during)}`);
      assert.ok(during.some((a) => a.status === 503 && a.code === undefined), `the page or /readyz answers 503 too: ${summary(during)}`);
      // The API says store_unavailable; /readyz has its own body (not_ready) and the page is HTML.
      assert.ok(during.some((a) => a.code === 'store_unavailable'), summary(during));
      assert.ok(during.every((a) => a.code === 'store_unavailable' || a.code === undefined), summary(during));

      proxy.up();
      let recovered = -1;
      const t0 = Date.now();
      while (Date.now() - t0 < 10_000) {
        const res = await fetch(serve.url + paths[0]);
        await res.text();
        if (res.status === 200) {
          recovered = Date.now() - t0;
          break;
        }
        await sleep(100);
      }
      assert.ok(recovered >= 0, 'recovered within 10 s');
      const afterwards = await load(serve.url, paths, 1500);
      assert.ok(afterwards.every((a) => a.status === 200), `after: ${summary(afterwards)}`);
      console.log(`# ${how}: before ${summary(before)}; during ${summary(during)}; recovered after ${recovered} ms; after ${summary(afterwards)}`);
    });
  }
});
