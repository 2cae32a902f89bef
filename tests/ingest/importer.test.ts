import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { forEachStore } from '../helpers/contract.ts';
import { Importer, parseWorkersFor } from '../../src/ingest/importer.ts';
import { ParsePool } from '../../src/ingest/parse-pool.ts';
import type { ParseOptions } from '../../src/ingest/parse-lines.ts';
import { rowCount } from '../../src/store/packed-rows.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/import');
const fixture = (name: string) => path.join(FIXTURES, name);

forEachStore('Importer', (ctx) => {
  test('listing JSONL: normalised text, links, categories, and the listing day on the feed', async () => {
    const s = await new Importer(ctx.store).importFile(fixture('listing.jsonl'));
    assert.deepEqual([s.read, s.inserted, s.updated, s.unchanged, s.failed, s.addedToFeed], [3, 3, 0, 0, 0, 3]);
    const p = await ctx.store.papers.get('2507.00101');
    assert.ok(p);
    assert.equal(p.title, 'Sparse Mixtures of Experts for Long Context');
    assert.equal(p.abstract, 'We propose a sparse mixture of experts that scales to long contexts. Code: https://github.com/example/smoe.git.');
    assert.deepEqual(p.links.code, ['https://github.com/example/smoe']);
    assert.deepEqual(p.links.project, ['https://example.org/smoe']);
    assert.deepEqual(p.categories, ['cs.CL', 'cs.LG'], 'ACM codes are not categories');
    assert.equal(p.primaryCategory, 'cs.CL');
    assert.equal((await ctx.store.papers.get('2507.00102'))?.title, 'Diffusion Policies with $\\mathcal{O}(n)$ Memory', 'LaTeX left as written');
    assert.equal((await ctx.store.papers.get('2507.00103'))?.comment, null, 'an empty comment is no comment');
    const day = await ctx.store.feed.items('2025-07-02', '2025-07-02');
    assert.deepEqual(
      day.map((i) => i.paper.id),
      ['2507.00101', '2507.00102'],
    );
  });

  test('importing the same file twice changes nothing', async () => {
    const s = await new Importer(ctx.store).importFile(fixture('listing.jsonl'));
    assert.deepEqual([s.read, s.inserted, s.updated, s.unchanged, s.addedToFeed], [3, 0, 0, 3, 0]);
  });

  test('arXiv metadata snapshot: authors, versions, dates, old-style ids', async () => {
    const s = await new Importer(ctx.store).importFile(fixture('snapshot.jsonl'));
    assert.deepEqual([s.inserted, s.failed], [2, 0]);
    const p = await ctx.store.papers.get('0704.0001');
    assert.ok(p);
    assert.equal(p.version, 2);
    assert.equal(p.publishedAt, '2007-04-02T19:18:42.000Z');
    assert.equal(p.updatedAt, '2008-11-13');
    assert.deepEqual(p.authors, ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C. -P. Yuan']);
    assert.equal(p.title, 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies');
    assert.equal(p.journalRef, 'Phys.Rev.D76:013009,2007');
    assert.equal(p.doi, '10.1103/PhysRevD.76.013009');
    const old = await ctx.store.papers.get('math/0703001');
    assert.ok(old);
    assert.deepEqual(old.authors, ['Ann One', 'Bob Two'], 'the one-string author list when authors_parsed is empty');
    assert.deepEqual(old.categories, ['math.AG', 'math.NT']);
    assert.equal(old.links.pdf, 'https://arxiv.org/pdf/math/0703001');
    assert.equal(await ctx.store.feed.entryFor('0704.0001'), null, 'a bulk snapshot does not fill the feed');
  });

  test('generic JSONL: addressed as source:id', async () => {
    const s = await new Importer(ctx.store).importFile(fixture('generic.jsonl'), { source: 'lab' });
    assert.deepEqual([s.inserted, s.failed], [2, 0]);
    const p = await ctx.store.papers.get('lab:report-1');
    assert.equal(p?.links.abs, 'https://lab.example.org/r1');
    assert.equal(p?.publishedAt, '2025-05-01');
    assert.ok(await ctx.store.papers.get('lab:42'));
  });

  test('a file with broken lines keeps every good line and names every bad one', async () => {
    const errors: string[] = [];
    const s = await new Importer(ctx.store).importFile(fixture('broken.jsonl'), { onLineError: (e) => errors.push(`${e.line}: ${e.reason}`) });
    assert.equal(s.read, 6, 'blank lines are not records');
    assert.equal(s.failed, 4);
    assert.ok(await ctx.store.papers.get('2507.00203'), 'the good line after the bad ones is kept');
    assert.equal(await ctx.store.papers.get('2507.00202'), null);
    assert.match(errors[0], /^2: bad JSON/);
    assert.match(errors[1], /^3: missing title/);
    assert.match(errors[2], /^4: bad arXiv id "not-an-id"/);
    assert.match(errors[3], /^7: not a JSON object/);
    assert.match(s.errors[0], /broken\.jsonl:2: bad JSON/);
  });

  test('parsing in worker threads gives the same outcome, in file order', async () => {
    const importer = new Importer(ctx.store, { workers: 2 });
    const errors: number[] = [];
    try {
      const s = await importer.importFile(fixture('broken.jsonl'), { batchSize: 2, onLineError: (e) => errors.push(e.line) });
      assert.deepEqual([s.read, s.failed, s.unchanged], [6, 4, 2]);
      assert.deepEqual(errors, [2, 3, 4, 7]);
      const listing = await importer.importFile(fixture('snapshot.jsonl'), { batchSize: 1 });
      assert.equal(listing.unchanged + listing.inserted, 2);
    } finally {
      await importer.close();
    }
  });

  test('several files with two workers: the next file is parsed while one is written, and the outcome is that of one thread', async () => {
    const files = ['broken.jsonl', 'listing.jsonl', 'snapshot.jsonl', 'generic.jsonl'].map(fixture);
    const done: string[] = [];
    const errors: string[] = [];
    const importer = new Importer(ctx.store, { workers: 2 });
    let s;
    try {
      s = await importer.importFiles(files, { batchSize: 1, onLineError: (e) => errors.push(`${path.basename(e.file)}:${e.line}`) }, undefined, (f) => done.push(path.basename(f)));
    } finally {
      await importer.close();
    }
    assert.deepEqual(done, ['broken.jsonl', 'listing.jsonl', 'snapshot.jsonl', 'generic.jsonl']);
    assert.deepEqual(errors, ['broken.jsonl:2', 'broken.jsonl:3', 'broken.jsonl:4', 'broken.jsonl:7']);
    // Written in file order: the listing file's lines keep their order on the feed.
    const [a, b] = await Promise.all(['2507.00101', '2507.00102'].map((id) => ctx.store.feed.entryFor(id)));
    assert.ok(a && b, 'the listing papers are on the feed');
    if (a.day === b.day) assert.equal(b.position, a.position + 1);
    // The same files on one thread: every paper already there and unchanged.
    const again = await new Importer(ctx.store).importFiles(files);
    assert.equal(again.read, s.read);
    assert.equal(again.failed, s.failed);
    assert.equal(again.inserted + again.updated, 0);
    assert.equal(again.unchanged, s.inserted + s.updated + s.unchanged);
  });

  test('several files with one worker: it parses the next file while one is written, and the outcome is that of one thread', async () => {
    const files = ['listing.jsonl', 'broken.jsonl', 'generic.jsonl', 'snapshot.jsonl'].map(fixture);
    const done: string[] = [];
    const errors: string[] = [];
    const importer = new Importer(ctx.store, { workers: 1 });
    let s;
    try {
      s = await importer.importFiles(files, { batchSize: 1, source: 'lab', onLineError: (e) => errors.push(`${path.basename(e.file)}:${e.line}`) }, undefined, (f) => done.push(path.basename(f)));
    } finally {
      await importer.close();
    }
    assert.deepEqual(done, ['listing.jsonl', 'broken.jsonl', 'generic.jsonl', 'snapshot.jsonl']);
    assert.deepEqual(errors, ['broken.jsonl:2', 'broken.jsonl:3', 'broken.jsonl:4', 'broken.jsonl:7']);
    const [a, b] = await Promise.all(['2507.00101', '2507.00102'].map((id) => ctx.store.feed.entryFor(id)));
    assert.ok(a && b, 'the listing papers are on the feed');
    if (a.day === b.day) assert.equal(b.position, a.position + 1);
    assert.ok(await ctx.store.papers.get('lab:report-1'));
    const again = await new Importer(ctx.store).importFiles(files, { source: 'lab' });
    assert.equal(again.read, s.read);
    assert.equal(again.inserted + again.updated, 0);
    assert.equal(again.unchanged, s.inserted + s.updated + s.unchanged);
  });

  test('one worker is given the next file once the current one has sent its first batch, not before', async (t) => {
    // Given both at once, the worker parsed them side by side and the writer's first batch came
    // only after two files' parsing. The order of what the pool is asked and what it sends tells.
    const order: string[] = [];
    const parseFile = ParsePool.prototype.parseFile;
    t.mock.method(ParsePool.prototype, 'parseFile', async function* (this: ParsePool, file: string, ...rest: [ParseOptions, number]) {
      order.push(`asked ${path.basename(file)}`);
      let first = true;
      for await (const b of parseFile.call(this, file, ...rest)) {
        if (first) order.push(`sent ${path.basename(file)}`);
        first = false;
        yield b;
      }
    });
    const files = ['listing.jsonl', 'generic.jsonl', 'snapshot.jsonl'].map(fixture);
    const importer = new Importer(ctx.store, { workers: 1 });
    try {
      await importer.importFiles(files, { source: 'lab' });
    } finally {
      await importer.close();
    }
    assert.deepEqual(order, ['asked listing.jsonl', 'sent listing.jsonl', 'asked generic.jsonl', 'sent generic.jsonl', 'asked snapshot.jsonl', 'sent snapshot.jsonl']);
  });

  test("the first file's parse is asked for before the store prepares the bulk import, and stopped if the preparation fails", async (t) => {
    // A first PostgreSQL import sets its indexes aside while the worker starts and parses the
    // first batch: one after the other, the writer's first batch waited for both (round 26).
    const order: string[] = [];
    const parseFile = ParsePool.prototype.parseFile;
    t.mock.method(ParsePool.prototype, 'parseFile', async function* (this: ParsePool, file: string, ...rest: [ParseOptions, number]) {
      order.push(`asked ${path.basename(file)}`);
      try {
        yield* parseFile.call(this, file, ...rest);
      } finally {
        order.push(`stopped ${path.basename(file)}`);
      }
    });
    const papers = ctx.store.papers;
    const during = papers.duringBulkImport;
    let fail = false;
    t.mock.method(papers, 'duringBulkImport', async function <T>(fn: () => Promise<T>): Promise<T> {
      order.push('prepare');
      if (fail) throw new Error('preparation failed');
      return during.call(papers, fn) as Promise<T>;
    });
    const importer = new Importer(ctx.store, { workers: 1 });
    try {
      await importer.importFiles([fixture('listing.jsonl')]);
      assert.deepEqual(order, ['asked listing.jsonl', 'prepare', 'stopped listing.jsonl']);
      order.length = 0;
      fail = true;
      await assert.rejects(importer.importFiles([fixture('snapshot.jsonl')]), /preparation failed/);
      assert.deepEqual(order, ['asked snapshot.jsonl', 'prepare', 'stopped snapshot.jsonl'], 'the parse started for nothing is stopped');
    } finally {
      await importer.close();
    }
  });

  test("where rows go by COPY, the import's first batch is small (500 lines), every later one whole; every line stored", async (t) => {
    // Until the first batch is parsed the server has nothing to do (round 26). SQLite's batches
    // stay as they were, and so does a batch size the caller gives.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-first-batch-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const files = ['a', 'b'].map((name) => {
      const file = path.join(dir, `${name}.jsonl`);
      fs.writeFileSync(file, Array.from({ length: 1200 }, (_, i) => JSON.stringify({ id: `first-${name}-${i}`, title: `Paper ${i}`, abstract: 'Text.' })).join('\n') + '\n');
      return file;
    });
    const sizes: string[] = [];
    const parseFile = ParsePool.prototype.parseFile;
    t.mock.method(ParsePool.prototype, 'parseFile', async function* (this: ParsePool, file: string, ...rest: [ParseOptions, number, number?]) {
      for await (const b of parseFile.call(this, file, ...rest)) {
        sizes.push(`${path.basename(file)} ${rowCount(b.rows)}`);
        yield b;
      }
    });
    const importer = new Importer(ctx.store, { workers: 1 });
    try {
      const s = await importer.importFiles(files, { source: 'firstbatch' });
      assert.equal(s.inserted, 2400);
      assert.deepEqual(sizes, ctx.kind === 'postgres' ? ['a.jsonl 500', 'a.jsonl 700', 'b.jsonl 1200'] : ['a.jsonl 1000', 'a.jsonl 200', 'b.jsonl 1000', 'b.jsonl 200']);
      sizes.length = 0;
      await importer.importFiles(files.slice(0, 1), { source: 'firstbatch', batchSize: 700 });
      assert.deepEqual(sizes, ['a.jsonl 700', 'a.jsonl 500'], 'a batch size given is kept for every batch');
    } finally {
      await importer.close();
    }
    assert.ok(await ctx.store.papers.get('firstbatch:first-a-0'));
    assert.ok(await ctx.store.papers.get('firstbatch:first-b-1199'));
  });

  test('a file that cannot be read fails the import with its reason; files before it stay imported', async () => {
    const importer = new Importer(ctx.store, { workers: 2 });
    try {
      await assert.rejects(importer.importFiles([fixture('listing.jsonl'), fixture('no-such-file.jsonl')]), /ENOENT/);
    } finally {
      await importer.close();
    }
    assert.ok(await ctx.store.papers.get('2507.00101'));
  });

  test('a newer snapshot version updates the paper', async () => {
    const line = (v: number, title: string) =>
      JSON.stringify({ id: '2401.00001', authors: 'A and B', title, abstract: 'x', categories: 'cs.LG', versions: Array.from({ length: v }, (_, i) => ({ version: `v${i + 1}`, created: 'Mon, 1 Jan 2024 00:00:00 GMT' })), update_date: '2024-01-02' });
    const imp = new Importer(ctx.store);
    await imp.importStream(Readable.from([line(1, 'Old') + '\n']), 'v1');
    const s = await imp.importStream(Readable.from([line(2, 'New') + '\n']), 'v2');
    assert.equal(s.updated, 1);
    assert.equal((await ctx.store.papers.get('2401.00001'))?.title, 'New');
    const back = await imp.importStream(Readable.from([line(1, 'Old') + '\n']), 'v1 again');
    assert.equal(back.unchanged, 1, 'an older version never overwrites a newer one');
  });

  test('--feed-day puts every imported paper on that day', async () => {
    const s = await new Importer(ctx.store).importStream(Readable.from(['{"id":"x1","title":"T","abstract":"A"}\n']), 'stdin', { source: 'demo', feedDay: '2025-08-01' });
    assert.equal(s.addedToFeed, 1);
    assert.equal((await ctx.store.feed.entryFor('demo:x1'))?.day, '2025-08-01');
  });

  test('refuses a bad source name or feed day before reading anything', async () => {
    const imp = new Importer(ctx.store);
    await assert.rejects(imp.importStream(Readable.from(['']), 'x', { source: 'Bad Name' }), /bad source name/);
    await assert.rejects(imp.importStream(Readable.from(['']), 'x', { source: 'arxiv' }), /bad source name/);
    await assert.rejects(imp.importStream(Readable.from(['']), 'x', { feedDay: '2025-02-30' }), /bad feed day/);
  });
});

test('an import to PostgreSQL (rows by COPY) on fewer than four cores parses with one worker; otherwise as asked', () => {
  assert.equal(parseWorkersFor(2, true, 2), 1);
  assert.equal(parseWorkersFor(2, true, 3), 1);
  assert.equal(parseWorkersFor(2, true, 4), 2);
  assert.equal(parseWorkersFor(2, false, 2), 2);
  assert.equal(parseWorkersFor(1, true, 2), 1);
  assert.equal(parseWorkersFor(0, true, 2), 0, 'no workers asked: parsed inline');
});
