import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completePaper } from '../../src/domain/complete-paper.ts';
import type { PaperInput } from '../../src/domain/paper.ts';

const input = (over: Partial<PaperInput>): PaperInput => ({
  id: '2503.00001', source: 'lab', version: 1, title: 'T', abstract: 'A', authors: ['A. Author'], categories: ['cs.LG'], primaryCategory: null,
  publishedAt: null, updatedAt: null, comment: null, journalRef: null, doi: null, license: null, ...over,
});

test("a paper's own links come first, http(s) only, then the ones found in its text, each once", () => {
  const p = completePaper(input({
    abstract: 'Code: https://github.com/found/one and https://github.com/given/two. Site: https://found.example.org/p',
    links: { code: ['https://github.com/given/two', 'javascript:alert(1)', 'https://github.com/given/one'], project: ['https://given.example.org/'] },
  }));
  assert.deepEqual(p.links.code, ['https://github.com/given/two', 'https://github.com/given/one', 'https://github.com/found/one']);
  assert.deepEqual(p.links.project, ['https://given.example.org/', 'https://found.example.org/p']);
});

test('with no links of its own, the found ones, each once', () => {
  const p = completePaper(input({ abstract: 'See https://github.com/a/b and again https://github.com/a/b.', comment: 'https://github.com/a/b/tree/main' }));
  assert.deepEqual(p.links.code, ['https://github.com/a/b']);
  assert.deepEqual(p.links.project, []);
  assert.deepEqual(completePaper(input({ links: { code: [], project: [] } })).links, { abs: null, pdf: null, code: [], project: [] });
});
