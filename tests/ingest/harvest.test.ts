import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { FIXTURE_IDS, oaiFixture, startOaiServer } from '../helpers/oai-server.ts';
import { sendXml } from '../helpers/replay-server.ts';
import { OaiClient } from '../../src/ingest/oai/client.ts';
import { Harvester, emptyHarvestSummary } from '../../src/ingest/oai/harvester.ts';
import { IngestService } from '../../src/services/ingest.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { createServices } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer } from '../../src/http/server.ts';

const FEED = ['cs.AI', 'cs.CL', 'cs.CV', 'cs.LG', 'stat.ML'];

function harvester(store: Store, baseUrl: string, opts: { delayMs?: number; maxRetries?: number } = {}) {
  const client = new OaiClient({ baseUrl, delayMs: opts.delayMs ?? 0, maxRetries: opts.maxRetries ?? 3 });
  return new Harvester(store, client, { feedCategories: FEED, now: () => new Date('2025-11-23T12:00:00Z') });
}

async function feedDays(store: Store): Promise<Record<string, string[]>> {
  const items = await store.feed.items('2025-11-01', '2025-11-30', { limit: 100 });
  const out: Record<string, string[]> = {};
  for (const i of items) (out[i.entry.day] ??= []).push(i.entry.paperId);
  for (const d of Object.keys(out)) out[d].sort();
  return out;
}

forEachStore('harvest: a multi-page list', (ctx) => {
  let server: Awaited<ReturnType<typeof startOaiServer>>;
  before(async () => {
    server = await startOaiServer();
  });
  after(() => server.close());

  test('follows resumption tokens to the end, stores every record with its fields, marks deletions', async () => {
    await ctx.store.papers.upsertMany([makePaper({ id: '2511.09999' })]);
    const config = loadConfig({ ARXIV_OAI_URL: `${server.url}/oai`, ARXIV_DELAY_MS: '0', PAPERBOY_DB: 'unused' });
    const ingest = new IngestService(ctx.store, config, silentLogger);
    const pages: unknown[] = [];
    const run = await ingest.harvestRecorded({ from: '2025-11-17', sets: ['cs'], onPage: (p) => pages.push(p) });
    assert.equal(run.status, 'succeeded', run.error ?? '');
    // The progress bar's feed: records so far against the list size the resumption token gives.
    assert.deepEqual(pages.map((p) => (p as { records: number }).records), [3, 6, 8]);
    assert.deepEqual(pages[0], { set: 'arXiv:cs', pages: 1, records: 3, completeListSize: 8 });
    assert.deepEqual(
      server.requests.map((r) => Object.fromEntries(r.url.searchParams)),
      [
        { verb: 'ListRecords', metadataPrefix: 'arXiv', set: 'cs', from: '2025-11-17' },
        { verb: 'ListRecords', resumptionToken: 'fixture|3' },
        { verb: 'ListRecords', resumptionToken: 'fixture|6' },
      ],
    );
    assert.equal(run.summary.pages, 3);
    assert.equal(run.summary.records, 8);
    assert.equal(run.summary.inserted, 7);
    assert.equal(run.summary.deleted, 1);
    for (const id of FIXTURE_IDS) assert.ok(await ctx.store.papers.get(id), `${id} stored`);
    const p = (await ctx.store.papers.get('2511.10002'))!;
    assert.equal(p.title, 'Cross-Listed Language Models');
    assert.deepEqual(p.authors, ['Alan Turing']);
    assert.deepEqual(p.categories, ['cs.CL', 'cs.LG', 'cs.AI']);
    assert.equal(p.publishedAt, '2025-11-14');
    assert.equal(p.doi, '10.5555/fixture.1');
    assert.equal((await ctx.store.papers.get('2511.09999'))!.deleted, true);

    const last = await ctx.store.runs.last('harvest');
    assert.equal(last?.status, 'succeeded');
    assert.equal(last?.stats.inserted, 7);
    assert.equal(last?.stats.addedToFeed, 5);
  });

  test('puts newly announced papers of the configured categories on their announcement day, once', async () => {
    assert.deepEqual(await feedDays(ctx.store), {
      // Monday's listing (datestamp Monday): two new papers; the cross-listed one appears once.
      '2025-11-17': ['2511.10001', '2511.10002'],
      '2025-11-18': ['2511.10003'],
      // Stamped on Saturday: Monday's listing; no feed day on the weekend.
      '2025-11-24': ['2511.10005', '2511.10006'],
    });
    // A replaced old paper cross-listed to cs.LG and a new math paper are stored but not on the feed.
    assert.equal(await ctx.store.feed.entryFor('hep-th/0101001'), null);
    assert.equal(await ctx.store.feed.entryFor('2511.10004'), null);
  });

  test('the site shows the harvested papers: the newest feed day and each paper in the API', async () => {
    const services = createServices({ config: loadConfig({ PAPERBOY_DB: 'unused' }), logger: silentLogger, store: ctx.store });
    const app = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: silentLogger });
    try {
      const home = await (await fetch(`${app.url}/`)).text();
      assert.match(home, /2025-11-24/);
      assert.match(home, /Vision Without Optional Fields/);
      assert.match(home, /Agents on a Weekend Datestamp/);
      assert.doesNotMatch(home, /Cross-Listed Language Models/, 'an earlier day is not on the newest page');
      const res = await fetch(`${app.url}/api/papers/2511.10002`);
      assert.equal(res.status, 200);
      const paper = await res.json();
      assert.equal(paper.title, 'Cross-Listed Language Models');
      assert.equal(paper.journalRef, 'J. Fixtures 1 (2025) 1-2');
    } finally {
      await app.close();
    }
  });

  test('a second harvest of the same window adds nothing', async () => {
    const s = await harvester(ctx.store, `${server.url}/oai`).harvest({ from: '2025-11-17', sets: ['cs'] });
    assert.equal(s.records, 8);
    assert.equal(s.inserted, 0);
    assert.equal(s.updated, 0);
    assert.equal(s.unchanged, 7);
    assert.equal(s.addedToFeed, 0);
    assert.equal(await ctx.store.papers.count(), 8);
    assert.equal(await ctx.store.feed.countItems('2025-11-01', '2025-11-30'), 5);
  });

  test('without --from, continues from where the last complete harvest ended', async () => {
    const before = server.requests.length;
    const s = await harvester(ctx.store, `${server.url}/oai`).harvest({ sets: ['cs'] });
    const first = server.requests[before].url.searchParams;
    // The last page answered on 2025-11-22.
    assert.equal(first.get('from'), '2025-11-22');
    assert.equal(s.records, 0);
    // That harvest found nothing; the next one starts from the day it was answered.
    assert.equal((await ctx.store.harvestState.get('arXiv:cs'))?.nextFrom, '2025-11-23');
  });

  test('HARVEST_METADATA_PREFIX=arXivRaw harvests version history; the default sets come from HARVEST_SETS', async () => {
    const raw = await startOaiServer((req, res) => {
      if (req.url.searchParams.get('metadataPrefix') !== 'arXivRaw') return false;
      sendXml(res, oaiFixture('oai-raw-record.xml'));
      return true;
    });
    try {
      const config = loadConfig({ ARXIV_OAI_URL: `${raw.url}/oai`, ARXIV_DELAY_MS: '0', PAPERBOY_DB: 'unused', HARVEST_METADATA_PREFIX: 'arXivRaw', HARVEST_SETS: 'cs' });
      const run = await new IngestService(ctx.store, config, silentLogger).harvestRecorded({ from: '2025-11-19', sets: [] });
      assert.equal(run.status, 'succeeded', run.error ?? '');
      assert.deepEqual(Object.fromEntries(raw.requests[0].url.searchParams), { verb: 'ListRecords', metadataPrefix: 'arXivRaw', set: 'cs', from: '2025-11-19' });
      const p = (await ctx.store.papers.get('2511.10010'))!;
      assert.equal(p.version, 2);
      assert.equal(p.publishedAt, '2025-11-17T15:20:00.000Z');
      // Replaced before this harvest saw it, yet new: on the listing its first version made
      // (submitted Monday 10:20 in New York, announced that evening: Tuesday), not the v2 datestamp.
      assert.equal((await ctx.store.feed.entryFor('2511.10010'))?.day, '2025-11-18');
    } finally {
      await raw.close();
    }
  });

  test('an OAI-PMH error is a clear message', async () => {
    await assert.rejects(harvester(ctx.store, `${server.url}/oai`).harvest({ from: '2025-11-01', sets: ['nosuchset'] }), /OAI-PMH error "badArgument" from http:\/\/127\.0\.0\.1:\d+\/oai\?.*set=nosuchset.*: Illegal set spec/);
  });
});

forEachStore('harvest: 503 with Retry-After, 5xx, expired tokens', (ctx) => {
  let server: Awaited<ReturnType<typeof startOaiServer>>;
  const served = new Map<string, number>();
  before(async () => {
    server = await startOaiServer((req, res, page) => {
      const n = (served.get(page) ?? 0) + 1;
      served.set(page, n);
      if (page === 'fixture|3' && n === 1) {
        sendXml(res, '<html>busy</html>', 503, { 'retry-after': '1' });
        return true;
      }
      if (page === 'fixture|6' && n <= 2) {
        sendXml(res, 'oops', 500);
        return true;
      }
      return false;
    });
  });
  after(() => server.close());

  test('waits out a 503 for the time Retry-After asks, retries 5xx with backoff, then finishes', async () => {
    const s = await harvester(ctx.store, `${server.url}/oai`).harvest({ from: '2025-11-17', sets: ['cs'] });
    assert.equal(s.records, 8);
    assert.equal(s.inserted, 7);
    const asked = server.requests.filter((r) => r.url.searchParams.get('resumptionToken') === 'fixture|3');
    assert.equal(asked.length, 2);
    assert.ok(asked[1].at - asked[0].at >= 990, `waited ${asked[1].at - asked[0].at} ms after Retry-After: 1`);
    const third = server.requests.filter((r) => r.url.searchParams.get('resumptionToken') === 'fixture|6');
    assert.equal(third.length, 3);
    // Backoff doubles: 100 ms, then 200 ms.
    assert.ok(third[2].at - third[1].at >= third[1].at - third[0].at);
  });

  test('an expired resumption token starts the same window again, storing nothing twice', async () => {
    await ctx.store.harvestState.save({
      ...(await ctx.store.harvestState.get('arXiv:cs'))!,
      resumptionToken: 'expired|1',
      completedAt: null,
    });
    const before = server.requests.length;
    const s = await harvester(ctx.store, `${server.url}/oai`).harvest({ sets: ['cs'] });
    const asked = server.requests.slice(before).map((r) => r.url.searchParams.get('resumptionToken') ?? r.url.searchParams.get('from'));
    assert.deepEqual(asked, ['expired|1', '2025-11-17', 'fixture|3', 'fixture|6']);
    assert.equal(s.pages, 3);
    assert.equal(s.inserted, 0);
    assert.equal(await ctx.store.papers.count(), 7);
  });

  test('politeness: requests are spaced by the configured delay', async () => {
    const before = server.requests.length;
    await harvester(ctx.store, `${server.url}/oai`, { delayMs: 300 }).harvest({ from: '2025-11-17', sets: ['cs'] });
    const reqs = server.requests.slice(before);
    for (let i = 1; i < reqs.length; i++) assert.ok(reqs[i].at - reqs[i - 1].at >= 290, `gap ${reqs[i].at - reqs[i - 1].at} ms`);
  });
});

forEachStore('harvest: a malformed page and an unreachable server', (ctx) => {
  let server: Awaited<ReturnType<typeof startOaiServer>>;
  let broken = true;
  before(async () => {
    server = await startOaiServer((req, res, page) => {
      if (page === 'fixture|3' && broken) {
        sendXml(res, oaiFixture('oai-malformed-page.xml'));
        return true;
      }
      return false;
    });
  });
  after(() => server.close());

  test('a malformed page is reported with its URL and the reason; pages before it stay stored', async () => {
    const summary = emptyHarvestSummary();
    await assert.rejects(harvester(ctx.store, `${server.url}/oai`).harvest({ from: '2025-11-17', sets: ['cs'] }, summary), (err: Error) => {
      assert.match(err.message, /^malformed OAI-PMH page http:\/\/127\.0\.0\.1:\d+\/oai\?verb=ListRecords&resumptionToken=fixture%7C3: not well-formed XML: /);
      return true;
    });
    assert.equal(summary.pages, 1);
    assert.equal(await ctx.store.papers.count(), 3);
    assert.equal((await ctx.store.harvestState.get('arXiv:cs'))?.resumptionToken, 'fixture|3');
  });

  test('the next harvest resumes after the last stored page once the page is fixed', async () => {
    broken = false;
    const before = server.requests.length;
    const s = await harvester(ctx.store, `${server.url}/oai`).harvest({ sets: ['cs'] });
    assert.equal(server.requests[before].url.searchParams.get('resumptionToken'), 'fixture|3');
    assert.equal(s.pages, 2);
    assert.equal(await ctx.store.papers.count(), 7);
  });

  test('an unreachable server gives up after the retries with a clear message, losing nothing', async () => {
    const closed = await startOaiServer();
    const url = `${closed.url}/oai`;
    await closed.close();
    const runStore = ctx.store;
    const config = loadConfig({ ARXIV_OAI_URL: url, ARXIV_DELAY_MS: '0', ARXIV_MAX_RETRIES: '2', PAPERBOY_DB: 'unused' });
    const run = await new IngestService(runStore, config, silentLogger).harvestRecorded({ from: '2025-11-17', sets: ['cs'] });
    assert.equal(run.status, 'failed');
    assert.match(run.error!, /^cannot reach http:\/\/127\.0\.0\.1:\d+\/oai\?verb=ListRecords.* after 3 attempts: ECONNREFUSED/);
    assert.equal(await runStore.papers.count(), 7);
    const last = await runStore.runs.last('harvest');
    assert.equal(last?.status, 'failed');
    assert.match(last!.error!, /cannot reach/);
  });
});
