import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractLinks, normalizeUrl } from '../../src/domain/links.ts';

test('code repositories are normalised: https, no .git, no trailing punctuation, owner/repo only', () => {
  assert.equal(normalizeUrl('http://github.com/Org/Repo.git.'), 'https://github.com/Org/Repo');
  assert.equal(normalizeUrl('https://www.github.com/org/repo/tree/main/src),'), 'https://github.com/org/repo');
  assert.equal(normalizeUrl('https://gitlab.com/group/project/'), 'https://gitlab.com/group/project');
  assert.equal(normalizeUrl('https://huggingface.co/spaces/org/demo;'), 'https://huggingface.co/spaces/org/demo');
  assert.equal(normalizeUrl('javascript:alert(1)'), null);
});

test('finds code and project links in an abstract and a comment', () => {
  const links = extractLinks(
    'Code is available at https://github.com/a/b. Models at https://huggingface.co/org/model (see also www.project-site.org/page).',
    'Accepted at X. Project page: https://example.com/proj/, data via https://doi.org/10.1/x and https://arxiv.org/abs/2401.00001',
  );
  assert.deepEqual(links.code, ['https://github.com/a/b', 'https://huggingface.co/org/model']);
  assert.deepEqual(links.project, ['https://project-site.org/page', 'https://example.com/proj']);
});

test('a bare host of a code site is not a repository', () => {
  assert.deepEqual(extractLinks('see https://github.com/ for details'), { code: [], project: [] });
});
