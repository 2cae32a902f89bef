import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { test } from 'node:test';
import { parseLine, parsedBatches, type ParseOptions } from '../../src/ingest/parse-lines.ts';
import { variedImportLines } from '../helpers/import-lines.ts';

/**
 * What the import's parser makes of its input — every stored byte, both stores' shapes — pinned by
 * digest. The parse path is tuned for speed (bench/import/parse-cpu.ts); these digests were taken
 * from the parser before that tuning (main a300f9f) and must not move: a change that alters a
 * single stored byte, a content hash, a feed day or an error message fails here. The lines are
 * realistic papers of each format varied at random, the same on every run
 * (tests/helpers/import-lines.ts): every kind of whitespace, LaTeX, UTF-8, links, ids, dates.
 *
 * To see the digests after an intended change of what is stored: PRINT_PARSE_DIGESTS=1.
 */

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url), 'utf8').split('\n').filter((l) => l.trim());

/** Listing lines as arXiv's daily listings write them: hard-wrapped abstracts, LaTeX, accents, links. */
const LISTINGS = [
  ...fixture('listing.jsonl'),
  JSON.stringify({
    id: '2503.11742', title: 'Safe Vision-Language Models via Unsafe Weights\n  Manipulation',
    authors: ['Moreno D\u0027Incà', 'Elia Peruzzo', 'Xingqian Xu', 'Humphrey Shi', 'Nicu Sebe', 'Massimiliano Mancini'],
    abstract: 'Vision-language models (VLMs) often inherit the biases and unsafe\nassociations present within their large-scale training dataset. While recent\napproaches mitigate unsafe behaviors, their evaluation focuses on how safe the\nmodel is on unsafe inputs, ignoring potential shortcomings on safe ones. Code is\navailable at https://github.com/ispamm/UWM.',
    categories: ['cs.CV', 'cs.AI', 'cs.LG'], primary_category: 'cs.CV', comment: 'Accepted at CVPR 2025; 15 pages', listing_date: '2025-03-18',
    abs_url: 'https://arxiv.org/abs/2503.11742', pdf_url: 'https://arxiv.org/pdf/2503.11742',
  }),
  JSON.stringify({
    id: '2503.12001', title: 'On the $\\ell_1$-Convergence of Stochastic Gradient Descent with $\\mathcal{O}(1/\\sqrt{T})$ Rates',
    authors: ['Zoë Müller-Lüdenscheidt', 'Łukasz Kaiser', '周杰', 'Ólafur Ragnar Grímsson'],
    abstract: 'We show that for $L$-smooth functions the iterates satisfy\n$\\mathbb{E}\\|x_T - x^*\\|_1 \\le C/\\sqrt{T}$, improving on prior work (see\nwww.example.org/sgd) by a factor of $\\log T$. Our analysis relies on a novel\npotential function $\\Phi_t$ — “a Lyapunov surrogate” — and holds w/o convexity.\n  Experiments on CIFAR-10/100 confirm the rate.',
    categories: ['math.OC', 'cs.LG', 'stat.ML', 'G.1.6'], primary_category: 'math.OC', comment: '30 pages, 4 figures; project page: https://sgd-l1.github.io/ (v2: typos fixed)',
    listing_date: '2025-03-19', abs_url: 'https://arxiv.org/abs/2503.12001', pdf_url: 'https://arxiv.org/pdf/2503.12001',
  }),
  JSON.stringify({
    id: '2503.12345v2', title: 'A Benchmark for Long-Context Retrieval', authors: ['A. Author'],
    abstract: 'We release a benchmark.\nData: https://huggingface.co/datasets/org/lcr-bench and code: gitlab.com/group/sub/lcr/-/tree/main.',
    categories: ['cs.CL'], primary_category: 'cs.IR', comment: null, listing_date: '2025-03-20',
    abs_url: 'https://arxiv.org/abs/2503.12345', pdf_url: 'https://arxiv.org/pdf/2503.12345',
  }),
];
const SNAPSHOTS = fixture('snapshot.jsonl');
const GENERIC = fixture('generic.jsonl');

const STAMP = '2026-12-07T08:00:00.000Z';

/** Everything the parser hands the writer for `lines`, digested: rows packed (PostgreSQL) or as objects (SQLite), feed days, refusals. */
async function parseDigest(lines: string[], opts: ParseOptions, batchSize: number): Promise<string> {
  const h = crypto.createHash('sha256');
  async function* input() {
    // Cut at odd places, as reads of a file fall: lines go on across chunks.
    const all = Buffer.from(lines.join('\n') + '\n');
    for (let at = 0; at < all.length; at += 4093) yield all.subarray(at, at + 4093);
  }
  for await (const b of parsedBatches(input(), opts, batchSize)) {
    h.update(JSON.stringify({ feedDays: b.feedDays, failed: b.failed, read: b.read, bytes: b.bytes }));
    if (Array.isArray(b.rows)) h.update(JSON.stringify(b.rows));
    else {
      h.update(JSON.stringify([b.rows.ids, b.rows.hashes, b.rows.versions, [...b.rows.ends]]));
      h.update(b.rows.text);
    }
  }
  return h.digest('hex');
}

const CASES: { name: string; lines: () => string[]; opts: Omit<ParseOptions, 'now' | 'pack'> }[] = [
  { name: 'listing', lines: () => variedImportLines(LISTINGS, 3000, 23), opts: { format: null, source: 'arxiv-listing' } },
  { name: 'listing, feed day given', lines: () => variedImportLines(LISTINGS, 300, 24), opts: { format: 'listing', source: 'x', feedDay: '2025-03-21' } },
  { name: 'snapshot', lines: () => variedImportLines(SNAPSHOTS, 1500, 25), opts: { format: null, source: 'snapshot' } },
  { name: 'generic', lines: () => variedImportLines(GENERIC, 1000, 26), opts: { format: 'generic', source: 'lab' } },
];

/** Pinned from the parser before the speed work; one per case, packed then as objects. */
const EXPECTED: Record<string, [packed: string, objects: string]> = {
  listing: ['d9be98f770ac53d39cb0d668ba899ee33f8704bed061960eecca33df2a5de718', 'da28aea547c8ba03175b905b29d185caa58dc2a73f3ba86a0056c1c0106c1d8e'],
  'listing, feed day given': ['bdae422cde29a8fec102958731caeee15d3397e5eaa3c858dad0c33ca47d91b9', 'cd89c789ff802d3987331802535901f18359bc14e2a5b3847468eb2237ae3405'],
  snapshot: ['7159c6af4d0b1ba0f8737cc6d464dae915c1f04a861e4c60bd926951b3fa82b3', 'd55010faeb762a994b41e59291ed1b5702cdc9e281ea13a85a7c0bb129e0bb07'],
  generic: ['95de2f9464450643e2671eba238b044aee4fe7645442419b475a102478bb7cc8', '74da1acc4df2d554567ef133947170094f0d14919067b1846890ab6cbff25e88'],
};

for (const c of CASES) {
  test(`the parser's output for varied ${c.name} lines is what it always was, packed and as objects`, async () => {
    const lines = c.lines();
    const packed = await parseDigest(lines, { ...c.opts, now: STAMP, pack: true }, 97);
    const objects = await parseDigest(lines, { ...c.opts, now: STAMP, pack: false }, 97);
    if (process.env.PRINT_PARSE_DIGESTS) console.log(JSON.stringify(c.name), [packed, objects]);
    assert.deepEqual([packed, objects], EXPECTED[c.name]);
  });
}

test('the varied lines reach the parse path\'s branches: refusals of each kind, stored papers with and without escapes, links found', () => {
  const lines = variedImportLines(LISTINGS, 3000, 23);
  const parsed = lines.map((l, i) => parseLine(i + 1, l, { format: 'listing', source: 'x', now: STAMP }));
  const errors = parsed.flatMap((p) => (p.error ? [p.error.replace(/[:,].*$/s, '')] : []));
  for (const kind of ['bad JSON', 'not a JSON object', 'missing title', 'missing abstract', 'bad arXiv id "not-an-id"', 'listing_date must be a date YYYY-MM-DD']) {
    assert.ok(errors.some((e) => e.startsWith(kind.replace(/[:,].*$/s, ''))), kind);
  }
  assert.ok(errors.some((e) => / contains a NUL character/.test(e)), 'a NUL refused');
  const rows = parsed.flatMap((p) => (p.record ? [p.record.row] : []));
  assert.ok(rows.length > 1500, `${rows.length} stored`);
  const has = (f: (r: (typeof rows)[number]) => boolean, what: string, least = 20) => assert.ok(rows.filter(f).length >= least, what);
  has((r) => r.abstract.includes('\\'), 'a backslash stored');
  has((r) => !/[^\x20-\x7e]/.test(r.title + r.abstract + r.authors + (r.comment ?? '')), 'plain ASCII papers');
  has((r) => /[\u0100-\uffff]/.test(r.abstract), 'non-Latin-1 text');
  has((r) => r.abstract.includes('\ufffd'), 'a lone surrogate made U+FFFD', 5);
  has((r) => r.code_urls !== '[]', 'code links found');
  has((r) => r.project_urls !== '[]', 'project links found');
  has((r) => r.abs_url !== null && !r.abs_url.startsWith('https://arxiv.org/abs/2'), 'an abs URL a parser rewrote or replaced');
});
