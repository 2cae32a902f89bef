import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Paper } from '../../src/domain/paper.ts';
import { paperToRow } from '../../src/store/mappers.ts';
import { PACKED_COLUMNS, PackedRowsBuilder, unpackRow, type PackedPaperRows } from '../../src/store/packed-rows.ts';
import { makePaper } from '../helpers/papers.ts';

/**
 * `addPaper` (an import's parse worker: a paper straight to its COPY line) must pack exactly what
 * `add(paperToRow(…))` packs, byte for byte, and what it packs must read back as `paperToRow`'s
 * row: the fast path skips the per-field escaping whenever the content holds nothing to escape,
 * so the papers below put each special character in one field at a time.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const STAMP = '2026-12-07T01:00:00.000Z';
const bytes = (p: PackedPaperRows) => Buffer.from(p.text).toString('latin1');

function bare(over: Partial<Paper>): Paper {
  return { ...makePaper(), ...over };
}

const LONG = 'word '.repeat(60_000).trim() + ' \\alpha';
const EDGE_PAPERS: [string, Paper][] = [
  ['plain', makePaper({ title: 'A plain title', abstract: 'Nothing to escape here.' })],
  ['backslash in the abstract only', makePaper({ abstract: 'LaTeX $\\alpha + \\beta$' })],
  ['a literal \\N title', makePaper({ title: '\\N' })],
  ['tab, newline, CR in the comment (unnormalised)', bare({ comment: 'a\tb\nc\r\nd' })],
  ['tab in an author', bare({ authors: ['A\tB', 'C'] })],
  ['backslash in a category', bare({ categories: ['cs.LG', 'x\\y'] })],
  ['quote in an author (JSON escapes it with a backslash)', makePaper({ authors: ['O"Brien'] })],
  ['two-, three- and four-byte UTF-8', makePaper({ title: 'Skłodowska ∑ over ℝ 😀', abstract: 'é ü ñ 漢字 𝔘' })],
  ['lone surrogates', bare({ title: 'high \ud800 alone', abstract: 'low \udc00 alone and at the end \ud83d' })],
  ['odd whitespace and invisibles', bare({ title: 'nbsp\u00a0line\u2028para\u2029bom\ufeffzwj\u200d rtl\u202e' })],
  ['the hash separators themselves', bare({ abstract: 'one\u0001two' })],
  ['nulls everywhere possible', bare({ version: null, primaryCategory: null, publishedAt: null, updatedAt: null, comment: null, journalRef: null, doi: null, license: null, links: { abs: null, pdf: null, code: [], project: [] } })],
  ['withdrawn, every optional field set', bare({ deleted: true, comment: 'This paper has been withdrawn', journalRef: 'J. 1', doi: '10.1/x', license: 'http://creativecommons.org/licenses/by/4.0/', updatedAt: '2025-01-02' })],
  ['links', makePaper({ abstract: 'Code at https://github.com/a/b and www.example.org/x' })],
  ['a very long abstract (past the first scratch buffer)', makePaper({ abstract: LONG })],
  // JSON.stringify writes a NUL in a list as the escape \u0000: no NUL reaches COPY.
  ['a NUL inside an author (a JSON list column)', bare({ authors: ['A\u0000B'] })],
  ['a large version', bare({ version: 2 ** 31 - 1 })],
];

test('addPaper packs each edge case byte for byte as add(paperToRow) does, and it reads back as paperToRow', () => {
  for (const [what, paper] of EDGE_PAPERS) {
    const viaRow = new PackedRowsBuilder(1);
    viaRow.add(paperToRow(paper, STAMP));
    const direct = new PackedRowsBuilder(1);
    direct.addPaper(paper, STAMP);
    const a = viaRow.finish();
    const b = direct.finish();
    assert.equal(bytes(b), bytes(a), what);
    assert.deepEqual([b.ids, b.hashes, b.versions, [...b.ends]], [a.ids, a.hashes, a.versions, [...a.ends]], what);
    const row = paperToRow(paper, STAMP);
    const back = unpackRow(b, 0);
    // A lone surrogate cannot be sent as UTF-8 (it becomes U+FFFD on the way, on either path).
    const wellFormed = (v: unknown) => (typeof v === 'string' ? v.replace(LONE_SURROGATE, '\ufffd') : v);
    for (const c of PACKED_COLUMNS) assert.deepEqual(back[c], wellFormed(row[c]), `${what}: ${c}`);
  }
});

test('many papers in one builder: every line where the row path puts it, across buffer growth', () => {
  const viaRow = new PackedRowsBuilder(2);
  const direct = new PackedRowsBuilder(2);
  for (let i = 0; i < 200; i++) {
    const [, paper] = EDGE_PAPERS[i % EDGE_PAPERS.length];
    viaRow.add(paperToRow(paper, STAMP));
    direct.addPaper(paper, STAMP);
  }
  const a = viaRow.finish();
  const b = direct.finish();
  assert.equal(bytes(b), bytes(a));
  assert.deepEqual([...b.ends], [...a.ends]);
});

test('a NUL character is refused on both paths, in a field that needs no other escape', () => {
  // ASCII with nothing to escape (packed in place from the hash's input), the same past ASCII (packed as a joined line), and with a backslash.
  for (const over of [{ title: 'nul \u0000 here' }, { abstract: 'x\u0000' }, { title: 'Skłodowska \u0000' }, { comment: '\\ and \u0000' }]) {
    const paper = bare(over);
    assert.throws(() => new PackedRowsBuilder(1).add(paperToRow(paper, STAMP)), /NUL/);
    assert.throws(() => new PackedRowsBuilder(1).addPaper(paper, STAMP), /NUL/, JSON.stringify(over));
  }
});

test('a malformed stamp is refused by addPaper as by add', () => {
  assert.throws(() => new PackedRowsBuilder(1).addPaper(makePaper(), '2026-12-07'), /ISO 8601/);
});
