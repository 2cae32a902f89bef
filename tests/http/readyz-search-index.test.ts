import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { createServices } from '../../src/services/index.ts';
import { openSearch } from '../../src/services/search.ts';
import { StoreKeywordEngine } from '../../src/search/store-keyword-engine.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadDemoIfEmpty } from '../../src/services/demo.ts';
import type { Store } from '../../src/store/store.ts';

/** A keyword engine whose in-memory warm-up finishes only when the test says so. */
class GatedEngine extends StoreKeywordEngine {
  constructor(
    store: Store,
    private readonly gate: Promise<void>,
  ) {
    super(store);
  }
  async warm(): Promise<void> {
    await this.gate;
  }
}

forEachStore('/readyz and the search index', (ctx) => {
  let server: RunningServer;
  let stop: () => Promise<void>;
  let open!: () => void;
  before(async () => {
    await loadDemoIfEmpty(ctx.store);
    const gate = new Promise<void>((r) => (open = r));
    const services = createServices({ config: loadConfig({}), logger: silentLogger, store: ctx.store });
    const { search, index: searchIndex } = openSearch(ctx.store, { engine: new GatedEngine(ctx.store, gate), embedder: async () => null });
    server = await startServer(createApp({ ...services, search, searchIndex }), { host: '127.0.0.1', port: 0, logger: silentLogger });
    stop = searchIndex.keepInStep(60_000);
  });
  after(async () => {
    await stop?.();
    await server?.close();
  });

  test('503 "building" while the index loads, then 200 once it is in memory; search answers throughout', async () => {
    const building = await fetch(`${server.url}/readyz`);
    assert.equal(building.status, 503);
    assert.deepEqual(await building.json(), { status: 'not_ready', checks: { store: 'ok', migrations: 'ok', searchIndex: 'building' } });
    // A process that is not ready still answers a request a load balancer sends it anyway.
    const res = await fetch(`${server.url}/api/papers/search?q=attention`);
    assert.equal(res.status, 200);

    open();
    let ready: Response | undefined;
    // Polled up to 30 s (not 100 × 50 ms: at load 20 loading the index can take longer).
    for (const end = Date.now() + 30_000; Date.now() < end; ) {
      ready = await fetch(`${server.url}/readyz`);
      if (ready.status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(ready!.status, 200);
    assert.deepEqual(await ready!.json(), { status: 'ready', checks: { store: 'ok', migrations: 'ok', searchIndex: 'ok' } });
  });
});
