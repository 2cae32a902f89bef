import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { parseListRecords } from '../../src/ingest/oai/parse.ts';
import { XmlFormatError } from '../../src/ingest/xml.ts';

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/arxiv/${name}`, import.meta.url), 'utf8');

describe('OAI-PMH ListRecords parser', () => {
  test('arXiv format: every field, entities, hard-wrapped text, LaTeX, several categories, suffixes', () => {
    const page = parseListRecords(fixture('oai-list-page1.xml'));
    assert.equal(page.resumptionToken, 'fixture|3');
    assert.equal(page.completeListSize, 8);
    assert.equal(page.responseDate, '2025-11-17T01:30:00Z');
    assert.equal(page.records.length, 3);
    const [a, b, c] = page.records;
    assert.equal(a.id, '2511.10001');
    assert.equal(a.datestamp, '2025-11-17');
    assert.deepEqual(a.sets, ['cs']);
    assert.equal(a.createdDay, '2025-11-14');
    assert.equal(a.replaced, false);
    const p = a.paper!;
    assert.equal(p.title, 'Learning $\\ell_1$-Sparse Routers for Mixture-of-Experts & Friends');
    assert.equal(p.abstract, 'We study routers whose weights are $\\ell_1$-sparse. The "router" picks experts <k> at a time.');
    assert.deepEqual(p.authors, ['Grace M. Hopper', 'Donald E. Knuth Jr']);
    assert.deepEqual(p.categories, ['cs.LG']);
    assert.equal(p.primaryCategory, 'cs.LG');
    assert.equal(p.publishedAt, '2025-11-14');
    assert.equal(p.updatedAt, null);
    assert.equal(p.license, 'http://creativecommons.org/licenses/by/4.0/');
    assert.equal(p.comment, '9 pages. Code: https://github.com/Grace-Lab/sparse-routers.git; weights: https://huggingface.co/grace-lab/router-7b.');
    assert.deepEqual(p.links.code, ['https://github.com/Grace-Lab/sparse-routers', 'https://huggingface.co/grace-lab/router-7b']);
    assert.equal(p.links.abs, 'https://arxiv.org/abs/2511.10001');

    const q = b.paper!;
    assert.deepEqual(q.categories, ['cs.CL', 'cs.LG', 'cs.AI']);
    assert.equal(q.primaryCategory, 'cs.CL');
    assert.equal(q.journalRef, 'J. Fixtures 1 (2025) 1-2');
    assert.equal(q.doi, '10.5555/fixture.1');
    assert.equal(q.comment, null);
    assert.equal(q.license, null);
    assert.deepEqual(q.links.project, ['https://turing-xlm.example.org/project']);

    assert.equal(c.id, 'hep-th/0101001');
    assert.equal(c.replaced, true);
    assert.deepEqual(c.paper!.authors, ['Fixture Collaboration', 'Emmy Noether']);
    assert.equal(c.paper!.updatedAt, '2025-11-14');
  });

  test('prefixed namespaces on the root, numeric entities, deleted records', () => {
    const page = parseListRecords(fixture('oai-list-page2.xml'));
    assert.equal(page.resumptionToken, 'fixture|6');
    const [a, b, gone] = page.records;
    assert.equal(a.paper!.title, 'Priors with Prefixed Namespaces');
    assert.deepEqual(a.paper!.categories, ['stat.ML', 'math.ST', 'stat.TH']);
    assert.deepEqual(b.paper!.authors, ['Paul Erdős']);
    assert.equal(gone.deleted, true);
    assert.equal(gone.id, '2511.09999');
    assert.equal(gone.paper, null);
  });

  test('no namespace at all, missing optional fields, the last page has an empty token', () => {
    const page = parseListRecords(fixture('oai-list-page3.xml'));
    assert.equal(page.resumptionToken, null);
    const p = page.records[0].paper!;
    assert.equal(p.abstract, '');
    assert.equal(p.comment, null);
    assert.deepEqual(page.records[1].paper!.links.project, ['https://agents.example.com/weekend']);
  });

  test('arXivRaw: versions, submission times and the author line', () => {
    const [r] = parseListRecords(fixture('oai-raw-record.xml')).records;
    assert.equal(r.paper!.version, 2);
    assert.equal(r.paper!.publishedAt, '2025-11-17T15:20:00.000Z');
    assert.equal(r.paper!.updatedAt, '2025-11-18T10:00:00.000Z');
    assert.equal(r.replaced, true);
    assert.deepEqual(r.paper!.authors, ['Ada Lovelace', 'Charles Babbage', 'Mary Somerville']);
  });

  test('OAI-PMH errors are returned, not thrown', () => {
    assert.deepEqual(parseListRecords(fixture('oai-no-records.xml')).error, { code: 'noRecordsMatch', message: 'No records match the request' });
    assert.equal(parseListRecords(fixture('oai-bad-argument.xml')).error?.code, 'badArgument');
  });

  test('a malformed page is an XmlFormatError with the reason', () => {
    assert.throws(() => parseListRecords(fixture('oai-malformed-page.xml')), (err: unknown) => err instanceof XmlFormatError && /not well-formed XML/.test(err.message));
    assert.throws(() => parseListRecords('<html><body>Service Unavailable</body></html>'), /not an OAI-PMH response/);
  });

  test('a record without a title is skipped with a reason; the rest of the page is kept', () => {
    const xml = fixture('oai-list-page1.xml').replace('<title>Cross-Listed Language Models</title>', '');
    const page = parseListRecords(xml);
    assert.equal(page.records.length, 2);
    assert.deepEqual(page.problems, ['record oai:arXiv.org:2511.10002 has no title']);
  });
});
