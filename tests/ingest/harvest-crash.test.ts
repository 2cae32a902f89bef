import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { startOaiServer } from '../helpers/oai-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function runCli(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; out: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out })));
  return { child, done };
}

forEachStore('harvest: killed with SIGKILL mid-way and started again', (ctx) => {
  let server: Awaited<ReturnType<typeof startOaiServer>>;
  let hang = true;
  let secondPageAsked: () => void = () => {};
  const asked = new Promise<void>((r) => (secondPageAsked = r));
  before(async () => {
    server = await startOaiServer((_req, _res, page) => {
      if (page === 'fixture|3' && hang) {
        // Never answer: the harvester waits here, after storing page 1, until it is killed.
        secondPageAsked();
        return true;
      }
      return false;
    });
  });
  after(() => server.close());

  test('the restarted harvest continues after the last stored page and stores every record exactly once', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite store cannot be shared with a child process');
    const env = { PAPERBOY_DB: ctx.opened.location, ARXIV_OAI_URL: `${server.url}/oai`, ARXIV_DELAY_MS: '0' };
    const args = ['harvest', '--from', '2025-11-17', '--set', 'cs'];

    const first = runCli(args, env);
    await Promise.race([asked, first.done.then((r) => Promise.reject(new Error(`harvest exited early: ${r.out}`)))]);
    // Page 1 and its checkpoint were committed before page 2 was asked for.
    assert.equal(await ctx.store.papers.count(), 3);
    assert.equal((await ctx.store.harvestState.get('arXiv:cs'))?.resumptionToken, 'fixture|3');
    first.child.kill('SIGKILL');
    assert.equal((await first.done).signal, 'SIGKILL');

    // The killed process still holds the harvest lease; a live holder keeps others out...
    const holder = (await ctx.store.leases.holder('harvest'))!;
    assert.match(holder, new RegExp(`:${first.child.pid}:`));
    await ctx.store.leases.release('harvest', holder);
    assert.ok(await ctx.store.leases.acquire('harvest', 'someone-else:1:x', 60_000));
    const busy = await runCli(args, env).done;
    assert.equal(busy.code, 1);
    assert.match(busy.out, /another harvest is running on this store \(someone-else:1:x\)/);
    await ctx.store.leases.release('harvest', 'someone-else:1:x');
    // ...while the lease of a process that is gone is taken over at once.
    assert.ok(await ctx.store.leases.acquire('harvest', holder, 60_000));

    hang = false;
    const before = server.requests.length;
    const second = await runCli(args, env).done;
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /harvest succeeded: 2 pages, 5 records/);

    const again = server.requests.slice(before);
    assert.equal(again[0].url.searchParams.get('resumptionToken'), 'fixture|3', 'resumed from the checkpoint');
    assert.equal(server.requests.filter((r) => r.url.searchParams.get('from')).length, 1, 'page 1 was fetched once in all');
    assert.equal(await ctx.store.papers.count(), 7);
    assert.equal(await ctx.store.feed.countItems('2025-11-01', '2025-11-30'), 5);
    const state = await ctx.store.harvestState.get('arXiv:cs');
    assert.equal(state?.resumptionToken, null);
    assert.equal(state?.records, 8, 'every record of the list counted once across both runs');
    const run = await ctx.store.runs.last('harvest', 'succeeded');
    assert.equal(run?.stats.records, 5);
    assert.equal(await ctx.store.leases.holder('harvest'), null, 'lease released at the end');

    const stats = await runCli(['stats'], env).done;
    assert.equal(stats.code, 0, stats.out);
    assert.match(stats.out, /harvest arXiv:cs\s+next harvest from 2025-11-22/);
    assert.match(stats.out, /harvest\s+\S+\s+succeeded .*records 5.*inserted 4/);
    const runs = (await ctx.store.runs.recent(5)).filter((r) => r.kind === 'harvest');
    assert.deepEqual(runs.map((r) => r.status), ['succeeded', 'failed']);
    assert.match(runs[1].error!, /^interrupted/);
  });
});
