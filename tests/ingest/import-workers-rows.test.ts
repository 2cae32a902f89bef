import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { testDb } from '../helpers/stores.ts';
import { Importer } from '../../src/ingest/importer.ts';
import { parseLine } from '../../src/ingest/parse-lines.ts';
import { readLines } from '../../src/ingest/lines.ts';
import { fileChunks } from '../../src/ingest/file-chunks.ts';
import { seededRandom } from '../../src/domain/random.ts';

/**
 * What the parse workers hand the writer must be what the papers' own mapping makes, byte for byte,
 * however the work is cut: a file read into one reused buffer (lines cut across its 1 MB reads),
 * rows packed into scratch buffers that go to the writer and come back to be packed into again.
 * Stored rows are compared with `parseLine` (the listing format, `completePaper`, `paperToRow`) of
 * every line, on both stores.
 */

// Pieces that stress the COPY text format, UTF-8 (two, three and four bytes) and the link finder.
const PIECES = ['plain words', 'a\ttab', 'back\\slash', '\\N', 'new\nline', 'cr\r\nlf', 'Skłodowska', '∑ over ℝ', '😀 emoji', 'see https://github.com/a/b.', 'www.example.org/x', '"quoted"', '$\\alpha$'];

function corpus(n: number, seed: number): string[] {
  const r = seededRandom(seed);
  const pick = () => PIECES[Math.floor(r() * PIECES.length)];
  const words = (k: number) => Array.from({ length: k }, pick).join(' ');
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `2503.${String(10000 + i).padStart(5, '0')}`;
    const day = `2025-03-${String(1 + (i % 28)).padStart(2, '0')}`;
    lines.push(
      JSON.stringify({
        id: `${id}v${1 + (i % 3)}`,
        title: `Paper ${i}: ${words(3)}`,
        authors: Array.from({ length: 1 + (i % 4) }, (_, k) => `Author ${k} ${pick()}`),
        abstract: words(20 + Math.floor(r() * 120)),
        categories: i % 5 ? ['cs.LG', 'stat.ML'] : ['math.PR', 'I.2.7'],
        primary_category: i % 5 ? 'cs.LG' : 'math.PR',
        comment: i % 3 ? `${words(2)} pages` : null,
        listing_date: day,
        abs_url: `https://arxiv.org/abs/${id}`,
        pdf_url: `https://arxiv.org/pdf/${id}`,
      }),
    );
  }
  return lines;
}

const CONTENT_COLUMNS = [
  'id', 'source', 'version', 'title', 'abstract', 'authors', 'categories', 'primary_category', 'published_at', 'updated_at',
  'comment', 'journal_ref', 'doi', 'license', 'abs_url', 'pdf_url', 'code_urls', 'project_urls', 'deleted', 'content_hash',
] as const;

/**
 * Lines at the edges, mixed with good ones: NUL characters (refused, the rest kept), odd Unicode
 * (lone surrogates, line and paragraph separators, a byte-order mark, right-to-left), a very long
 * abstract, the same paper again with a newer and then an older version, a withdrawn paper, and
 * lines that are not papers at all. JSON.stringify writes the NUL and the lone surrogates as
 * \u escapes, as a real file would hold them.
 */
const listing = (id: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    id, title: `Title of ${id}`, authors: ['A. Author', 'B. Author'], abstract: `Abstract of ${id}.`, categories: ['cs.LG'],
    primary_category: 'cs.LG', comment: null, listing_date: '2025-04-01', abs_url: `https://arxiv.org/abs/${id}`, pdf_url: `https://arxiv.org/pdf/${id}`,
    ...over,
  });
const EDGE_LINES: { line: string; error?: RegExp }[] = [
  { line: listing('2504.00001v1') },
  { line: listing('2504.00002v1', { title: 'NUL \u0000 in the title' }), error: /title contains a NUL character/ },
  { line: listing('2504.00003v2', { abstract: 'a lone high \ud800 and low \udc00 surrogate' }) },
  { line: listing('2504.00004v1', { title: 'line\u2028para\u2029nbsp\u00a0bom\ufeffrtl\u202e zwj\u200d e\u0301' }) },
  { line: listing('2504.00005v1', { abstract: 'long '.repeat(80_000) + '$\\alpha$' }) },
  { line: listing('2504.00006v2', { listing_date: '2025-04-02', abstract: 'version two' }) },
  { line: listing('2504.00006v5', { listing_date: '2025-04-03', abstract: 'version five, newer: replaces two' }) },
  { line: listing('2504.00006v1', { listing_date: '2025-04-04', abstract: 'version one, older: stays out' }) },
  { line: listing('2504.00007v3', { comment: 'This paper has been withdrawn by the author', abstract: 'Withdrawn.' }) },
  { line: listing('2504.00008v1', { authors: ['Tab\there', 'Back\\slash', 'Quote " here'], comment: '\\N' }) },
  { line: '{"id": "2504.00009", "title": "no closing brace"', error: /bad JSON/ },
  { line: listing('2504.00010v1', { title: '   ' }), error: /missing title/ },
  { line: listing('not-an-id'), error: /bad arXiv id/ },
  { line: listing('2504.00011v1', { listing_date: '2025-02-30' }), error: /listing_date must be a date/ },
  { line: listing('2504.00012v1', { abs_url: 'javascript:alert(1)', comment: 'code: https://github.com/o/r.' }) },
];

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/**
 * A string as a store gives it back. A lone surrogate has no UTF-8: left alone, PostgreSQL's COPY
 * text would get one U+FFFD for it and SQLite the three bytes V8 writes (read back as three U+FFFD),
 * so the import makes the text well formed first and both stores hold one U+FFFD.
 */
const asStored = (v: string) => v.replace(LONE_SURROGATE, '\ufffd');

let dir: string;
let file: string;
let edgeFile: string;
let lines: string[];
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-workers-rows-'));
  file = path.join(dir, 'papers.jsonl');
  lines = corpus(3000, 19);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  edgeFile = path.join(dir, 'edges.jsonl');
  fs.writeFileSync(edgeFile, EDGE_LINES.map((l) => l.line).join('\r\n') + '\n');
  // More than two reads of the reused buffer, so lines are cut between reads.
  assert.ok(fs.statSync(file).size > 2.2 * (1 << 20), `the test file is ${fs.statSync(file).size} bytes`);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a file read into one reused buffer gives its lines whole, however they fall across the reads', async () => {
  const got: string[] = [];
  for await (const l of readLines(fileChunks(file))) got.push(l.text);
  assert.equal(got.length, lines.length);
  assert.deepEqual(got, lines);
});

forEachStore('import through a parse worker', (ctx) => {
  test('stores every row exactly as paperToRow makes it, and the same feed days', async () => {
    const importer = new Importer(ctx.store, { workers: 1 });
    let s;
    try {
      // Small batches: more than the worker's batches in flight, so the scratch buffers go round.
      s = await importer.importFile(file, { batchSize: 100 });
    } finally {
      await importer.close();
    }
    assert.deepEqual([s.read, s.inserted, s.failed], [lines.length, lines.length, 0]);
    const opts = { format: 'listing' as const, source: 'local', now: new Date().toISOString() };
    const expected = lines.map((text, i) => parseLine(i + 1, text, opts).record!);
    const stored = await testDb(ctx.store).selectFrom('papers').selectAll().orderBy('id').execute();
    assert.equal(stored.length, expected.length);
    const byId = new Map(stored.map((r) => [r.id, r]));
    for (const e of expected) {
      const row = byId.get(e.row.id);
      assert.ok(row, `${e.row.id} stored`);
      for (const c of CONTENT_COLUMNS) assert.deepEqual(row[c], e.row[c], `${e.row.id}.${c}`);
    }
    const feed = await testDb(ctx.store).selectFrom('feed_entries').select(['paper_id', 'day']).execute();
    assert.deepEqual(new Map(feed.map((f) => [f.paper_id, f.day])), new Map(expected.map((e) => [e.row.id, e.feedDay])));
  });

  test('edge cases: stored as paperToRow makes them, newer versions win, bad lines refused with their reason', async () => {
    const importer = new Importer(ctx.store, { workers: 1 });
    let s;
    try {
      // Batches of three: the NUL line and the repeated paper fall in different batches.
      s = await importer.importFile(edgeFile, { batchSize: 3 });
    } finally {
      await importer.close();
    }
    const bad = EDGE_LINES.flatMap((l, i) => (l.error ? [{ n: i + 1, error: l.error }] : []));
    assert.equal(s.read, EDGE_LINES.length);
    assert.equal(s.failed, bad.length, s.errors.join('\n'));
    for (const b of bad) assert.ok(s.errors.some((e) => e.includes(`:${b.n}:`) && b.error.test(e)), `line ${b.n}: ${b.error} in ${s.errors.join(' | ')}`);
    // What one-by-one writing keeps: a paper's newest version, and the feed day it first came with.
    const opts = { format: 'listing' as const, source: 'local', now: new Date().toISOString() };
    const expected = new Map<string, { row: ReturnType<typeof parseLine>['record'] & {}; day: string | null }>();
    EDGE_LINES.forEach((l, i) => {
      const r = parseLine(i + 1, l.line, opts).record;
      if (!r) return;
      const before = expected.get(r.row.id);
      if (!before) expected.set(r.row.id, { row: r, day: r.feedDay });
      else if (r.row.version! >= before.row.row.version!) expected.set(r.row.id, { row: r, day: before.day });
    });
    const stored = await testDb(ctx.store).selectFrom('papers').selectAll().where('id', 'like', '2504.%').execute();
    assert.deepEqual(stored.map((r) => r.id).sort(), [...expected.keys()].sort());
    for (const row of stored) {
      const e = expected.get(row.id)!.row.row;
      for (const c of CONTENT_COLUMNS) {
        const want = typeof e[c] === 'string' ? asStored(e[c] as string) : e[c];
        assert.deepEqual(row[c], want, `${row.id}.${c}`);
      }
    }
    assert.match(stored.find((r) => r.id === '2504.00006')!.abstract, /version five/);
    // Both stores hold the same text for lone surrogates: one U+FFFD each.
    assert.equal(stored.find((r) => r.id === '2504.00003')!.abstract, 'a lone high \ufffd and low \ufffd surrogate');
    assert.equal(stored.find((r) => r.id === '2504.00005')!.abstract.length, 'long '.repeat(80_000).length + '$\\alpha$'.length);
    const feed = await testDb(ctx.store).selectFrom('feed_entries').select(['paper_id', 'day']).where('paper_id', 'like', '2504.%').execute();
    assert.deepEqual(new Map(feed.map((f) => [f.paper_id, f.day])), new Map([...expected].map(([id, e]) => [id, e.day])));
  });
});
