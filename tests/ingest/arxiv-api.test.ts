import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ArxivApiClient, ArxivApiError } from '../../src/ingest/arxiv-api.ts';
import { parseAtomFeed } from '../../src/ingest/arxiv-atom.ts';
import { sendXml, startReplayServer } from '../helpers/replay-server.ts';

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/arxiv/${name}`, import.meta.url), 'utf8');

describe('Atom parser', () => {
  test('reads every field, decodes entities, joins hard-wrapped text, keeps LaTeX', () => {
    const feed = parseAtomFeed(fixture('atom-two-papers.xml'));
    assert.equal(feed.totalResults, 2);
    assert.deepEqual(feed.errors, []);
    const [a, b] = feed.papers;
    assert.equal(a.id, '2501.00001');
    assert.equal(a.version, 3);
    assert.equal(a.title, 'Sparse Mixtures of $\\mathcal{O}(n)$ Experts & Where to Find Them');
    assert.match(a.abstract, /^We route tokens to experts <sparsely>\./);
    assert.deepEqual(a.authors, ['Ada Lovelace', 'Kurt Gödel']);
    assert.deepEqual(a.categories, ['cs.LG', 'cs.CL', 'stat.ML']);
    assert.equal(a.primaryCategory, 'cs.LG');
    assert.equal(a.publishedAt, '2024-12-31T09:15:00.000Z');
    assert.equal(a.updatedAt, '2025-01-02T18:30:00.000Z');
    assert.equal(a.comment, '12 pages; project page: https://sparse-moe.example.org/.');
    assert.equal(a.journalRef, 'Proc. Fixture Conf. 2025');
    assert.equal(a.doi, '10.1234/fixture.2025.1');
    assert.equal(a.links.abs, 'https://arxiv.org/abs/2501.00001');
    assert.equal(a.links.pdf, 'https://arxiv.org/pdf/2501.00001');
    assert.deepEqual(a.links.code, ['https://github.com/Paperboy-Lab/Sparse-MoE', 'https://huggingface.co/spaces/pb/sparse-moe']);
    assert.deepEqual(a.links.project, ['https://sparse-moe.example.org']);
    assert.equal(b.id, 'hep-th/9901001');
    assert.equal(b.version, 2);
    assert.equal(b.title, 'Strings on Old-Style Identifiers');
    assert.equal(b.abstract, 'A hard-wrapped abstract about branes.');
    assert.equal(b.comment, null);
    assert.equal(b.journalRef, null);
    assert.equal(b.doi, null);
  });

  test('reads the older format with namespaces declared on each element', () => {
    const [p] = parseAtomFeed(fixture('atom-legacy-per-element-ns.atom')).papers;
    assert.equal(p.id, '0704.0001');
    assert.equal(p.version, 2);
    assert.equal(p.title, 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies');
    assert.deepEqual(p.authors, ['C. Balázs']);
    assert.equal(p.primaryCategory, 'hep-ph');
    assert.equal(p.comment, '37 pages, 15 figures');
    assert.equal(p.journalRef, 'Phys.Rev.D76:013009,2007');
  });

  test('an error feed is reported with the id it names', () => {
    const feed = parseAtomFeed(fixture('atom-error-bad-id.xml'));
    assert.equal(feed.papers.length, 0);
    assert.deepEqual(feed.errors, [{ message: 'incorrect id format for 2501.99999', id: '2501.99999' }]);
  });

  test('a truncated response is a parse error with the reason', () => {
    assert.throws(() => parseAtomFeed(fixture('atom-two-papers.xml').slice(0, 900)), /not well-formed XML/);
  });
});

describe('ArxivApiClient against a local server', () => {
  let server: Awaited<ReturnType<typeof startReplayServer>>;
  before(async () => {
    server = await startReplayServer((req, res) => {
      const ids = (req.url.searchParams.get('id_list') ?? '').split(',');
      if (ids.includes('2501.99999')) return sendXml(res, fixture('atom-error-bad-id.xml'), 400);
      if (ids.includes('2501.00001') || ids.includes('hep-th/9901001v2')) return sendXml(res, fixture('atom-two-papers.xml'));
      if (ids.includes('0704.0001')) return sendXml(res, fixture('atom-legacy-per-element-ns.atom'));
      if (ids.includes('2501.50000')) return sendXml(res, '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>');
      return sendXml(res, fixture('atom-empty.xml'));
    });
  });
  after(() => server.close());

  test('looks papers up by new- and old-style ids, with or without versions, in the order asked', async () => {
    const client = new ArxivApiClient({ baseUrl: `${server.url}/api/query`, minIntervalMs: 0 });
    const papers = await client.fetchByIds(['hep-th/9901001v2', 'https://arxiv.org/abs/2501.00001']);
    assert.deepEqual(papers.map((p) => p.id), ['hep-th/9901001', '2501.00001']);
    const last = server.requests.at(-1)!.url;
    assert.equal(last.pathname, '/api/query');
    assert.equal(last.searchParams.get('id_list'), 'hep-th/9901001v2,2501.00001');
    assert.equal(last.searchParams.get('max_results'), '2');
  });

  test('asks in batches of at most 100 ids, spaced by the minimum interval', async () => {
    const client = new ArxivApiClient({ baseUrl: `${server.url}/api/query`, minIntervalMs: 150 });
    const ids = Array.from({ length: 250 }, (_, i) => `0801.${String(1000 + i)}`);
    const before = server.requests.length;
    const papers = await client.fetchByIds(ids);
    assert.equal(papers.length, 0);
    const reqs = server.requests.slice(before);
    assert.deepEqual(reqs.map((r) => r.url.searchParams.get('id_list')!.split(',').length), [100, 100, 50]);
    for (let i = 1; i < reqs.length; i++) assert.ok(reqs[i].at - reqs[i - 1].at >= 140, 'requests are spaced');
  });

  test("arXiv's error feed becomes an ArxivApiError naming the id", async () => {
    const client = new ArxivApiClient({ baseUrl: `${server.url}/api/query`, minIntervalMs: 0 });
    await assert.rejects(client.fetchByIds(['2501.99999']), (err: unknown) => {
      assert.ok(err instanceof ArxivApiError);
      assert.equal(err.id, '2501.99999');
      assert.match(err.message, /incorrect id format for 2501\.99999/);
      return true;
    });
  });

  test('a string that is no arXiv id is refused before any request', async () => {
    const client = new ArxivApiClient({ baseUrl: `${server.url}/api/query`, minIntervalMs: 0 });
    const before = server.requests.length;
    await assert.rejects(client.fetchByIds(['2501.00001', 'abc']), (err: unknown) => err instanceof ArxivApiError && err.id === 'abc');
    assert.equal(server.requests.length, before);
  });

  test('a malformed response names the URL and the reason', async () => {
    const client = new ArxivApiClient({ baseUrl: `${server.url}/api/query`, minIntervalMs: 0 });
    await assert.rejects(client.fetchByIds(['2501.50000']), /malformed: not well-formed XML/);
  });

  test('an unreachable API is a clear error after retries', async () => {
    const client = new ArxivApiClient({ baseUrl: 'http://127.0.0.1:9/api/query', minIntervalMs: 0 });
    await assert.rejects(client.fetchByIds(['2501.00001']), /arXiv API request failed .*127\.0\.0\.1:9/);
  });
});
