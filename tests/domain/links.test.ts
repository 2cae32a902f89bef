import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { URL_RE, extractLinks, httpUrl, mayHoldUrl, normalizeUrl } from '../../src/domain/links.ts';

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

describe('the quick look for a URL (mayHoldUrl)', () => {
  const anyUrl = (text: string) => new RegExp(URL_RE.source, 'i').test(text);

  test('a www. address without a slash, in any case, is still found', () => {
    assert.deepEqual(extractLinks('More at WWW.Example.org, and wWw.other.net.'), { code: [], project: ['https://example.org', 'https://other.net'] });
    assert.equal(mayHoldUrl('www.a.b'), true);
    assert.equal(mayHoldUrl('see Www.a.b'), true);
    assert.equal(mayHoldUrl('no address here. None at all.'), false);
    assert.equal(mayHoldUrl('ww.a, w.w.w.'), false);
  });

  test('never says no where the URL pattern matches (random texts)', () => {
    // Pieces near and around what the pattern looks for, so most texts sit close to a match.
    const pieces = ['www', 'WWW', 'wWw', 'ww', '.', '/', '//', ':', 'http', 'HTTPS', 'github.com', 'GitHub.COM', 'hf.co', 'gitlab.com', 'huggingface.co', ' ', 'a', 'x.org', '\\url{', '}', '(', 'ẅ', 'Ｗ', 'ſ', 'K'];
    let seed = 7;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let matched = 0;
    for (let k = 0; k < 20_000; k++) {
      let text = '';
      for (let j = rand(8) + 1; j > 0; j--) text += pieces[rand(pieces.length)];
      if (anyUrl(text)) {
        matched++;
        assert.equal(mayHoldUrl(text), true, JSON.stringify(text));
      }
    }
    assert.ok(matched > 500, `only ${matched} texts held a URL`);
  });

  test('says yes for every abstract and comment of the demo papers that holds a URL', () => {
    let held = 0;
    for (const line of fs.readFileSync(path.join('fixtures', 'demo', 'papers.jsonl'), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const o = JSON.parse(line) as Record<string, unknown>;
      for (const t of [o.abstract, o.comment]) {
        if (typeof t !== 'string' || !anyUrl(t)) continue;
        held++;
        assert.equal(mayHoldUrl(t), true, t);
      }
    }
    assert.ok(held > 0, 'no demo paper holds a URL');
  });
});

describe('httpUrl: a URL already in its parsed form is taken as it is', () => {
  /** What httpUrl answered before its quick path: every URL through the parser. */
  function parsed(raw: string): string | null {
    if (raw.length > 2048) return null;
    let u: URL;
    try {
      u = new URL(raw.trim());
    } catch {
      return null;
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname || u.username || u.password) return null;
    return u.href;
  }

  test('the same answer as the parser, for URLs near the quick form (hand-picked)', () => {
    const cases = [
      'https://arxiv.org/abs/2503.11731', 'https://arxiv.org/pdf/2503.11731v2', 'http://arxiv.org/abs/hep-th/9901001', 'https://arxiv.org',
      'https://arxiv.org/', 'https://arxiv.org/abs/../x', 'https://arxiv.org/abs/./x', 'https://arxiv.org/abs/..', 'https://arxiv.org/abs/.',
      'https://arxiv.org/a/.b/..c/', 'https://a.org//x', 'https://ARXIV.org/x', 'HTTPS://arxiv.org/x', 'https://arxiv.org:443/x', 'https://arxiv.org:80/x',
      'http://arxiv.org:80/x', 'https://1.2.3.4/x', 'https://0x7f.1/x', 'https://123/x', 'https://a.123/x', 'https://xn--nxasmq6b.com/x', 'https://xn--a.com/x',
      'https://-a-.com/x', 'https://a-.b-.co/x', 'https://a..com/x', 'https://.a.com/x', 'https://a.com./x', 'https://a.c/x', 'https://localhost/x',
      'https://a.com/x%2e%2e/', 'https://a.com/x?y', 'https://a.com/x#y', 'https://a.com/~u_v-w.z', 'https://a.com/x\\y', 'https://a.com/x y', ' https://a.com/x',
      'https://u@a.com/x', 'ftp://a.com/x', 'javascript://a.com/x', 'https:/a.com/x', 'https:a.com/x', 'https://a.com/\u0000', 'https://a.com/\t', 'https://a.com/é',
      'https://a.com/' + 'x'.repeat(2100),
    ];
    for (const raw of cases) assert.equal(httpUrl(raw), parsed(raw), JSON.stringify(raw));
  });

  test('the same answer as the parser, for random strings of the pieces URLs are made of', () => {
    const pieces = ['https://', 'http://', 'HTTP://', 'a', 'Z', '0', '9', '-', '_', '~', '.', '..', '/', '//', '/./', '/../', 'xn--', 'org', 'com', ':', '8080', '@', '%2e', '?', '#', ' ', '\\', 'é', '[', ']', '12', '0x'];
    let seed = 11;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let quick = 0;
    for (let k = 0; k < 50_000; k++) {
      let raw = ['https://', 'http://'][rand(2)];
      for (let j = rand(10) + 1; j > 0; j--) raw += pieces[rand(pieces.length)];
      if (rand(2)) raw += '.org/' + pieces[rand(pieces.length)];
      const want = parsed(raw);
      if (want === raw) quick++;
      assert.equal(httpUrl(raw), want, JSON.stringify(raw));
    }
    assert.ok(quick > 2_000, `only ${quick} strings were already in parsed form`);
  });
});
