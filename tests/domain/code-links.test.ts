import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeLinkOf, findCodeLinks, githubRepoOf } from '../../src/domain/code-links.ts';

const paper = (over: Partial<Parameters<typeof findCodeLinks>[0]> = {}) => ({ title: 'A paper', authors: ['Ada Lovelace'], abstract: '', comment: null, ...over });

test('codeLinkOf normalises repository links: scheme, www, .git, tree/blob paths, trailing punctuation, hf.co', () => {
  const cases: Array<[string, string | null]> = [
    ['github.com/owner/repo.git', 'https://github.com/owner/repo'],
    ['http://www.github.com/owner/repo/', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo/tree/main/src/models', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo/blob/main/README.md#usage', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo).', 'https://github.com/owner/repo'],
    ['https://gitlab.com/group/sub/project/-/tree/main', 'https://gitlab.com/group/sub/project'],
    ['https://hf.co/owner/model', 'https://huggingface.co/owner/model'],
    ['https://huggingface.co/models/owner/model', 'https://huggingface.co/owner/model'],
    ['https://huggingface.co/datasets/owner/data/viewer', 'https://huggingface.co/datasets/owner/data'],
    ['https://huggingface.co/spaces/owner/demo', 'https://huggingface.co/spaces/owner/demo'],
    // Not repositories: host pages, a paper page, a user, other hosts.
    ['https://github.com/features/actions', null],
    ['https://github.com/owner', null],
    ['https://huggingface.co/papers/2401.00001', null],
    ['https://huggingface.co/docs/transformers', null],
    ['https://example.org/owner/repo', null],
    ['javascript:alert(1)//github.com/a/b', null],
  ];
  for (const [raw, want] of cases) assert.equal(codeLinkOf(raw), want, raw);
});

test('githubRepoOf is the lower-cased owner/name of GitHub links only', () => {
  assert.equal(githubRepoOf('https://github.com/Owner/Repo'), 'owner/repo');
  assert.equal(githubRepoOf('https://gitlab.com/owner/repo'), null);
});

test('findCodeLinks dedupes case-insensitively and prefers the official-looking repository', () => {
  const r = findCodeLinks(
    paper({
      title: 'GraphMix: mixing graphs',
      authors: ['Grace Hopper'],
      abstract: 'We compare against https://github.com/someone/baseline-gnn. Code: https://github.com/hopper-lab/GraphMix.',
      comment: 'https://github.com/hopper-lab/graphmix/tree/dev',
    }),
  );
  assert.deepEqual(r.links, ['https://github.com/hopper-lab/GraphMix', 'https://github.com/someone/baseline-gnn']);
  assert.equal(r.githubRepo, 'hopper-lab/graphmix');
});

test('findCodeLinks joins a URL the PDF broke after its owner, and ranks PDF-only links after the abstract', () => {
  const r = findCodeLinks(paper({ abstract: 'See https://gitlab.com/a/b.', pdfText: 'Listed at https://github.com/lab/\nproject and https://github.com/other/tool' }));
  assert.ok(r.links.includes('https://github.com/lab/project'), r.links.join(' '));
  assert.equal(r.links[0], 'https://gitlab.com/a/b');
  assert.equal(r.githubRepo, 'lab/project');
});

test('findCodeLinks on a paper without links', () => {
  assert.deepEqual(findCodeLinks(paper({ abstract: 'No code here. github is great.' })), { links: [], githubRepo: null });
});
