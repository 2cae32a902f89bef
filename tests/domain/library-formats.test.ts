import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, exportLibrary } from '../../src/domain/library-export.ts';
import { detectLibraryFormat, parseBibtex, parseLibrary, parseRis, titleKey } from '../../src/domain/library-import.ts';
import { completePaper } from '../../src/domain/complete-paper.ts';

const paper = completePaper({
  id: '2401.01234',
  source: 'arxiv',
  version: 2,
  title: 'Sparse Attention, Revisited: "Why" it Works',
  abstract: 'We study sparse attention.\nA second line.',
  authors: ['Ada Lovelace', 'Alan Turing'],
  categories: ['cs.LG', 'cs.CL'],
  primaryCategory: 'cs.LG',
  publishedAt: '2024-01-02',
  updatedAt: null,
  comment: null,
  journalRef: null,
  doi: '10.1000/xyz.1',
  license: null,
});

test('a collection exported as BibTeX, RIS and CSV reads back to the same papers', () => {
  const bib = exportLibrary([paper], 'bib');
  const ris = exportLibrary([paper], 'ris');
  const back = [parseLibrary(bib, 'bib'), parseLibrary(ris, 'ris')];
  for (const r of back) {
    assert.deepEqual(r.errors, []);
    assert.equal(r.entries.length, 1);
    assert.equal(r.entries[0].arxivId, '2401.01234');
    assert.equal(r.entries[0].doi, '10.1000/xyz.1');
    assert.equal(titleKey(r.entries[0].title!), titleKey(paper.title));
    assert.deepEqual(r.entries[0].authors, ['Ada Lovelace', 'Alan Turing']);
    assert.equal(r.entries[0].year, '2024');
  }
  assert.match(ris, /^TY {2}- UNPB\r\n/);
  assert.match(ris, /AB {2}- We study sparse attention\. A second line\.\r\n/);
  assert.match(ris, /ER {2}- \r\n$/);
  const csv = exportLibrary([paper], 'csv').split('\r\n');
  assert.equal(csv[0], 'id,title,authors,published,categories,doi,url');
  assert.equal(csv[1], '2401.01234,"Sparse Attention, Revisited: ""Why"" it Works",Ada Lovelace; Alan Turing,2024-01-02,cs.LG cs.CL,10.1000/xyz.1,https://arxiv.org/abs/2401.01234');
});

test('CSV cells never start a spreadsheet formula', () => {
  assert.equal(csvCell('=HYPERLINK("http://evil")'), `"'=HYPERLINK(""http://evil"")"`);
  assert.equal(csvCell('+1'), "'+1");
  assert.equal(csvCell('-2'), "'-2");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('plain'), 'plain');
});

test('BibTeX: arXiv ids from eprint, URL, DOI or note; @string macros; both delimiters; TeX stripped', () => {
  const text = `% my library
@string{ acl = "Proceedings of ACL" }
@comment{ anything {at all} }
@article{a, title = {The {Transformer}: Attention Is All You Need}, eprint = {1706.03762v5}, archivePrefix = {arXiv}, author = {Vaswani, Ashish and Shazeer, Noam}, year = 2017}
@inproceedings(b,
  title = "Deep Residual Learning for {I}mage Recognition",
  booktitle = acl # " 2016",
  url = {https://arxiv.org/abs/1512.03385},
)
@misc{c, title={Something}, doi={https://doi.org/10.48550/arXiv.2106.09685}}
@misc{d, title={Notes}, journal={arXiv preprint arXiv:2203.02155}}
@misc{e, title={Caf{\\'e} {\\"o}ptimisation \\& more}, doi = {10.1145/3313831.3376727}}
`;
  const r = parseBibtex(text);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.entries.map((e) => [e.line, e.arxivId, e.doi]),
    [
      [4, '1706.03762', null],
      [5, '1512.03385', null],
      [10, '2106.09685', '10.48550/arXiv.2106.09685'],
      [11, '2203.02155', null],
      [12, null, '10.1145/3313831.3376727'],
    ],
  );
  assert.equal(r.entries[0].title, 'The Transformer: Attention Is All You Need');
  assert.deepEqual(r.entries[0].authors, ['Vaswani, Ashish', 'Shazeer, Noam']);
  assert.equal(titleKey(r.entries[4].title!), 'cafe optimisation more');
});

test('malformed BibTeX names the line of each bad entry and keeps the good ones', () => {
  const text = [
    '@article{good1, title={One}, eprint={2401.00001}}',
    '@article{bad1, title={Unclosed, eprint={2401.00002}',
    '@article{good2, title={Two}}',
    '@article{bad2, title = }',
    '@article{bad3 title={x}}',
    '@article{good3, title="Three"}',
  ].join('\n');
  const r = parseBibtex(text);
  assert.deepEqual(r.entries.map((e) => e.title), ['One', 'Two', 'Three']);
  assert.deepEqual(r.errors.map((e) => e.line), [2, 4, 5]);
  for (const e of r.errors) assert.ok(e.reason.length > 5, e.reason);
});

test('RIS: records, continuation lines, stray lines and unclosed records reported by line', () => {
  const text = [
    'stray text before anything',
    'TY  - JOUR',
    'TI  - Attention Is All',
    '      You Need',
    'AU  - Vaswani, Ashish',
    'UR  - https://arxiv.org/abs/1706.03762',
    'ER  - ',
    '',
    'TY  - CONF',
    'T1  - Residual Learning',
    'DO  - 10.1109/CVPR.2016.90',
    'PY  - 2016/06/01/',
    'ER  - ',
    'TY  - GEN',
    'TI  - Never closed',
    'TY  - GEN',
    'TI  - Notes',
    'N1  - arXiv:2203.02155v1',
    'ER  - ',
    'TY  - GEN',
    'TI  - Truncated file',
  ].join('\r\n');
  const r = parseRis(text);
  assert.deepEqual(
    r.entries.map((e) => [e.line, e.title, e.arxivId, e.doi, e.year]),
    [
      [2, 'Attention Is All You Need', '1706.03762', null, null],
      [9, 'Residual Learning', null, '10.1109/CVPR.2016.90', '2016'],
      [16, 'Notes', '2203.02155', null, null],
    ],
  );
  assert.deepEqual(r.errors.map((e) => e.line), [1, 14, 20]);
});

test('the format is detected from the text', () => {
  assert.equal(detectLibraryFormat('TY  - JOUR\r\nER  - '), 'ris');
  assert.equal(detectLibraryFormat('\n@misc{x, title={y}}'), 'bib');
  assert.equal(detectLibraryFormat('id,title\n1,x'), null);
});
