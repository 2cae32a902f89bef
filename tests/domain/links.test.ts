import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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

describe('normalizeUrl: code hosts', () => {
  const cases: [string, string][] = [
    ['https://github.com/Owner/Repo', 'https://github.com/Owner/Repo'],
    ['https://github.com/owner/repo.git', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo.git.', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo/', 'https://github.com/owner/repo'],
    ['http://www.github.com/owner/repo/tree/main/src', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo/blob/main/README.md#usage', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo.git/', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo),', 'https://github.com/owner/repo'],
    ['https://gitlab.com/owner/repo.git', 'https://gitlab.com/owner/repo'],
    ['https://gitlab.com/group/subgroup/project/-/tree/main', 'https://gitlab.com/group/subgroup/project'],
    ['https://gitlab.com/group/subgroup/project', 'https://gitlab.com/group/subgroup/project'],
    ['https://gitlab.com/owner/repo/-/blob/main/x.py;', 'https://gitlab.com/owner/repo'],
    ['https://huggingface.co/org/model-7b/tree/main', 'https://huggingface.co/org/model-7b'],
    ['https://huggingface.co/datasets/org/data/viewer/default/train', 'https://huggingface.co/datasets/org/data'],
    ['https://huggingface.co/spaces/org/demo.', 'https://huggingface.co/spaces/org/demo'],
    ['https://hf.co/org/model', 'https://huggingface.co/org/model'],
    ['https://hf.co/datasets/org/data', 'https://huggingface.co/datasets/org/data'],
  ];
  for (const [raw, want] of cases) test(raw, () => assert.equal(normalizeUrl(raw), want));
});

describe('extractLinks', () => {
  test('code repositories and project pages from prose, each once, normalised', () => {
    const found = extractLinks(
      'Code is at https://github.com/a/b. Models: huggingface.co/org/m and github.com/a/b.git; see (https://proj.example.org/page/).',
      'Data at https://huggingface.co/datasets/org/d/tree/main, paper at https://arxiv.org/abs/2501.00001, DOI https://doi.org/10.1/x',
    );
    assert.deepEqual(found.code, ['https://github.com/a/b', 'https://huggingface.co/org/m', 'https://huggingface.co/datasets/org/d']);
    assert.deepEqual(found.project, ['https://proj.example.org/page']);
  });

  test('a bare code-host domain is not a repository; LaTeX \\url{} is unwrapped', () => {
    const found = extractLinks('See https://github.com and \\url{https://gitlab.com/g/p}.');
    assert.deepEqual(found.code, ['https://gitlab.com/g/p']);
    assert.deepEqual(found.project, []);
  });

  test('a bare domain in text that is not a code host is left alone', () => {
    assert.deepEqual(extractLinks('We use example.org/foo here.'), { code: [], project: [] });
  });
});
