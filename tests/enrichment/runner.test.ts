import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { silentLogger } from '../../src/logger.ts';
import { EnrichmentRunner, stepLevels, type RunnerOptions } from '../../src/services/enrichment/runner.ts';
import type { EnrichmentStep, StepOutcome } from '../../src/services/enrichment/step.ts';
import type { Paper } from '../../src/domain/paper.ts';
import { backoffMs } from '../../src/domain/enrichment.ts';

const HOUR = 3_600_000;
const opts = (over: Partial<RunnerOptions> = {}): RunnerOptions => ({
  hostDelayMs: 0,
  maxHostWaitMs: 1000,
  backoff: { baseMs: 60_000, capMs: 4 * 60_000, maxAttempts: 4 },
  stepTimeoutMs: 5000,
  batchSize: 100,
  ...over,
});

/** A step whose outcome per paper a test decides; it logs every call with its time. */
function scripted(name: string, answer: (p: Paper, call: number) => StepOutcome | Promise<StepOutcome>, extra: Partial<EnrichmentStep> = {}) {
  const calls: Array<{ id: string; at: number }> = [];
  const step: EnrichmentStep = {
    name,
    version: 1,
    ...extra,
    async run(paper) {
      calls.push({ id: paper.id, at: Date.now() });
      return answer(paper, calls.length);
    },
  };
  return { step, calls };
}

test('steps are ordered by their dependencies; a cycle or an unknown dependency is refused', () => {
  const s = (name: string, after?: string[]): EnrichmentStep => ({ name, version: 1, after, run: async () => ({ status: 'done' }) });
  assert.deepEqual(stepLevels([s('code', ['pdf']), s('pdf'), s('stars', ['code'])]).map((l) => l.map((x) => x.name)), [['pdf'], ['code'], ['stars']]);
  assert.throws(() => stepLevels([s('a', ['b']), s('b', ['a'])]), /cycle/);
  assert.throws(() => stepLevels([s('a', ['nope'])]), /not registered/);
});

test('back-off doubles from its base up to its cap', () => {
  assert.deepEqual([1, 2, 3, 4, 10].map((n) => backoffMs(n, { baseMs: 1000, capMs: 5000 })), [1000, 2000, 4000, 5000, 5000]);
});

forEachStore('enrichment runner', (ctx) => {
  const ids = ['2503.00001', '2503.00002', '2503.00003'];
  before(async () => {
    await ctx.store.papers.upsertMany([
      ...ids.map((id, i) => makePaper({ id, publishedAt: `2025-03-0${i + 1}` })),
      makePaper({ id: '2503.00009', publishedAt: '2024-01-01' }),
      makePaper({ id: '2503.00010', publishedAt: '2025-03-05' }),
    ]);
    await ctx.store.papers.setHidden('2503.00010', true);
  });
  const sel = { ids };

  test('new papers are due without any state written at import; hidden papers are never enriched; newest first', async () => {
    const { step, calls } = scripted('t-new', () => ({ status: 'done' }));
    const r = await new EnrichmentRunner(ctx.store, [step], opts(), silentLogger).run({ since: '2025-01-01' });
    assert.equal(r.done, 3);
    assert.deepEqual(calls.map((c) => c.id), ['2503.00003', '2503.00002', '2503.00001'], 'the hidden paper and the old one are left out');
    const again = await new EnrichmentRunner(ctx.store, [step], opts(), silentLogger).run({ since: '2025-01-01' });
    assert.equal(again.done, 0, 'done once');
  });

  test('one host is called one paper at a time with its delay; another host is called meanwhile', async () => {
    const a = scripted('t-host-a', () => new Promise((r) => setTimeout(() => r({ status: 'done' }), 20)), { host: 'a.example' });
    const b = scripted('t-host-b', () => new Promise((r) => setTimeout(() => r({ status: 'done' }), 20)), { host: 'b.example' });
    await new EnrichmentRunner(ctx.store, [a.step, b.step], opts({ hostDelayMs: 150 }), silentLogger).run(sel);
    const gaps = (calls: Array<{ at: number }>) => calls.slice(1).map((c, i) => c.at - calls[i].at);
    for (const g of [...gaps(a.calls), ...gaps(b.calls)]) assert.ok(g >= 145, `calls to one host ${g} ms apart`);
    assert.ok(Math.abs(a.calls[0].at - b.calls[0].at) < 100, 'the two hosts start together');
    assert.ok(b.calls[0].at < a.calls[2].at && a.calls[0].at < b.calls[2].at, 'hosts are worked side by side, not one after the other');
  });

  test('a failure is retried after a back-off that doubles up to its cap, then given up', async () => {
    let now = Date.parse('2025-03-10T00:00:00Z');
    const { step, calls } = scripted('t-backoff', () => ({ status: 'failed', reason: 'server error (HTTP 502)' }));
    const runner = new EnrichmentRunner(ctx.store, [step], opts({ now: () => now }), silentLogger);
    const expectWait = [60_000, 120_000, 240_000];
    for (const wait of expectWait) {
      await runner.run({ ids: ['2503.00001'] });
      const s = await ctx.store.enrichment.get('2503.00001', 't-backoff');
      assert.equal(s?.status, 'failed');
      assert.equal(Date.parse(s!.nextAt!) - now, wait);
      await runner.run({ ids: ['2503.00001'] });
      assert.equal(calls.length, expectWait.indexOf(wait) + 1, 'not retried before its time');
      now += wait;
    }
    await runner.run({ ids: ['2503.00001'] });
    const s = await ctx.store.enrichment.get('2503.00001', 't-backoff');
    assert.equal(s?.attempts, 4);
    assert.equal(s?.nextAt, null, 'given up after ENRICH_MAX_ATTEMPTS');
    assert.match(s?.reason ?? '', /HTTP 502.*given up after 4 attempts/);
    now += 100 * HOUR;
    await runner.run({ ids: ['2503.00001'] });
    assert.equal(calls.length, 4);
  });

  test('a permanent failure is not retried; a throwing step is recorded as a failure, and the run goes on', async () => {
    let now = Date.now();
    const { step, calls } = scripted('t-perm', (p) => {
      if (p.id === '2503.00002') throw new Error('bug in the step');
      return { status: 'failed', reason: 'not a PDF', permanent: true };
    });
    const runner = new EnrichmentRunner(ctx.store, [step], opts({ now: () => now }), silentLogger);
    const r = await runner.run(sel);
    assert.equal(r.failed, 3);
    assert.match((await ctx.store.enrichment.get('2503.00002', 't-perm'))?.reason ?? '', /bug in the step/);
    assert.ok((await ctx.store.enrichment.get('2503.00002', 't-perm'))?.nextAt, 'a thrown error is retried');
    now += 1000 * HOUR;
    await runner.run(sel);
    assert.deepEqual(calls.filter((c) => c.id !== '2503.00002').length, 2, 'permanent failures were not called again');
  });

  test('a step that does not finish in time is aborted and retried later', async () => {
    const { step } = scripted('t-slow', () => new Promise<StepOutcome>(() => {}));
    const hung: EnrichmentStep = { ...step, run: (p, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) };
    const t = Date.now();
    await new EnrichmentRunner(ctx.store, [hung], opts({ stepTimeoutMs: 200 }), silentLogger).run({ ids: ['2503.00001'] });
    assert.ok(Date.now() - t < 2000);
    const s = await ctx.store.enrichment.get('2503.00001', 't-slow');
    assert.match(s?.reason ?? '', /took longer than 200 ms/);
    assert.ok(s?.nextAt);
  });

  test('a dependent step waits until its dependency has settled, then runs in the same run', async () => {
    let now = Date.now();
    let pdfFails = true;
    const pdf = scripted('t-pdf', (p) => (p.id === '2503.00003' ? { status: 'failed', reason: 'gone', permanent: true } : pdfFails ? { status: 'failed', reason: 'busy' } : { status: 'done' }));
    const code = scripted('t-code', () => ({ status: 'done' }), { after: ['t-pdf'] });
    const runner = new EnrichmentRunner(ctx.store, [code.step, pdf.step], opts({ now: () => now }), silentLogger);
    await runner.run(sel);
    assert.deepEqual(code.calls.map((c) => c.id), ['2503.00003'], 'only after a dependency failed for good (the step runs without its output)');
    pdfFails = false;
    now += HOUR;
    await runner.run(sel);
    assert.deepEqual(code.calls.map((c) => c.id).sort(), ids.slice().reverse().sort());
    assert.ok(pdf.calls.at(-1)!.at <= code.calls.at(-1)!.at, 'the dependency ran first');
  });

  test('a new step version re-runs papers done by the old one; refreshMs re-runs done papers when due', async () => {
    let now = Date.now();
    const v1 = scripted('t-version', () => ({ status: 'done' }));
    await new EnrichmentRunner(ctx.store, [v1.step], opts({ now: () => now }), silentLogger).run(sel);
    const v2 = scripted('t-version', () => ({ status: 'done' }), { version: 2 });
    const runner2 = new EnrichmentRunner(ctx.store, [v2.step], opts({ now: () => now }), silentLogger);
    await runner2.run(sel);
    assert.equal(v2.calls.length, 3);
    assert.equal((await ctx.store.enrichment.get('2503.00001', 't-version'))?.version, 2);
    await runner2.run(sel);
    assert.equal(v2.calls.length, 3, 'done at this version');

    const stars = scripted('t-refresh', () => ({ status: 'done' }), { refreshMs: 24 * HOUR });
    const runner = new EnrichmentRunner(ctx.store, [stars.step], opts({ now: () => now }), silentLogger);
    await runner.run(sel);
    now += 23 * HOUR;
    await runner.run(sel);
    assert.equal(stars.calls.length, 3, 'not yet');
    now += 2 * HOUR;
    await runner.run(sel);
    assert.equal(stars.calls.length, 6, 'refreshed a day later');
  });

  test('a Retry-After longer than the longest wait leaves the host for later runs, across runners (processes)', async () => {
    let now = Date.now();
    const a = scripted('t-ra', (_p, n) => (n === 1 ? { status: 'failed', reason: 'HTTP 429', retryAfterMs: 30_000 } : { status: 'done' }), { host: 'ra.example' });
    const r = await new EnrichmentRunner(ctx.store, [a.step], opts({ now: () => now }), silentLogger).run(sel);
    assert.deepEqual([r.failed, r.deferred, a.calls.length], [1, 2, 1]);
    const other = new EnrichmentRunner(ctx.store, [a.step], opts({ now: () => now }), silentLogger);
    assert.equal((await other.run(sel)).deferred, 2, 'another runner reads the wait from the store');
    now += 31_000;
    const later = await other.run(sel);
    assert.equal(later.done, 3);
  });

  test('a short Retry-After is waited out within the run', async () => {
    const a = scripted('t-ra-short', (_p, n) => (n === 1 ? { status: 'failed', reason: 'HTTP 429', retryAfterMs: 300 } : { status: 'done' }), { host: 'short.example' });
    await new EnrichmentRunner(ctx.store, [a.step], opts(), silentLogger).run(sel);
    assert.equal(a.calls.length, 3);
    assert.ok(a.calls[1].at - a.calls[0].at >= 290, 'the second call waited for the Retry-After');
  });
});
