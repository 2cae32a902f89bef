import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probePostgres, postgresIsReal, reachabilityCache, storeLabel } from './stores.ts';
import { startTcpProxy } from './tcp-proxy.ts';

test('a refused PostgreSQL connection is re-checked, not cached for the whole run', async () => {
  let up = false;
  let probes = 0;
  const reachable = reachabilityCache(50, async () => {
    probes++;
    return up ? { ok: true } : { ok: false, error: new Error('ECONNREFUSED') };
  }, false);
  assert.equal(await reachable('pg://x'), false);
  assert.equal(await reachable('pg://x'), false, 'believed for a moment');
  assert.equal(probes, 1);
  up = true;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(await reachable('pg://x'), true, 'checked again once the refusal is old');
  up = false;
  assert.equal(await reachable('pg://x'), true, 'a success is remembered');
  assert.equal(probes, 2);
});

test('the probe retries: a server that comes up between attempts counts as reachable', { skip: !(await postgresIsReal()) && 'needs the local PostgreSQL server' }, async () => {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const proxy = await startTcpProxy(Number(url.port || 5432), url.hostname);
  try {
    url.host = `127.0.0.1:${proxy.port}`;
    proxy.down('reset');
    assert.equal((await probePostgres(url.toString(), 1)).ok, false);
    setTimeout(() => proxy.up(), 100);
    assert.equal((await probePostgres(url.toString(), 3)).ok, true);
  } finally {
    await proxy.close();
  }
});

test('PGlite runs are labelled as such in test names', () => {
  assert.equal(storeLabel('postgres', 'pglite'), 'postgres:pglite');
  assert.equal(storeLabel('postgres', 'server'), 'postgres');
  assert.equal(storeLabel('sqlite', 'pglite'), 'sqlite');
});
