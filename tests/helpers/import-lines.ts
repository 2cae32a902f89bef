import { seededRandom } from '../../src/domain/random.ts';

/**
 * Import lines varied from realistic ones, the same for a seed on every run: each line is a base
 * line (a real listing, snapshot or generic paper) with a few of its fields changed by pieces that
 * reach every branch of the parse path — whitespace of every kind (the normaliser's fast and slow
 * paths), LaTeX backslashes and COPY's special characters, 2–4-byte UTF-8 and lone surrogates,
 * links in prose of every shape the link finder handles, `abs_url`s a URL parser changes or
 * refuses, arXiv ids in every accepted and refused style, ACM class codes, bad dates, missing and
 * mistyped fields, and NUL characters. Pinning what the parser makes of them
 * (tests/ingest/parse-output.test.ts) holds a faster parser to the old one's every byte.
 */

/** Text pieces: whitespace, escapes, Unicode and links, mixed into prose. */
export const TEXT_PIECES = [
  'plain', 'words', 'and', 'more', 'words.', ' ', '  ', '   ', '\n', '\n  ', ' \n', '\t', '\r\n', '\r', '\f', '\v',
  '\u00a0', '\u1680', '\u2003', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u200b', '\u0085',
  '\u0000', '\\', '\\alpha', '$\\mathcal{O}(n)$', '\\N', '\\t', '\\\\', '"quoted"', "it's", '\u0001', '{x}', '<b>', 'a|b', '^', '`',
  'é', 'Skłodowska', 'D\u0027Incà', '∑ over ℝ', '漢字', '😀', '𝔘', '\ud800', '\udc00', 'x\ud83d', '\u202e', 'e\u0301',
  'w/o', 'input/output', 'and/or', '1/2', 'i.e.', 'e.g.', 'www', 'WWW.', 'aww.b', 'vs.',
  'https://github.com/a/b', 'https://github.com/a/b.git.', 'github.com/Owner/Repo/tree/main/src', 'http://www.github.com/x/y/',
  'GitHub.com/u/r', 'https://gitlab.com/g/s/p/-/tree/main', 'gitlab.com/g/p', 'https://gitlab.com/g/s/p/blob/x',
  'hf.co/spaces/a/b', 'https://huggingface.co/datasets/o/d/tree/main', 'huggingface.co/m', 'https://bitbucket.org/a/b',
  'https://codeberg.org/a/b/src', 'www.Example.org/x.', '(https://example.org/a))', '[https://example.org/p]', 'https://example.org/a}',
  'https://arxiv.org/abs/2101.00001', 'https://doi.org/10.1/x', 'http://creativecommons.org/licenses/by/4.0/',
  'https://example.org', 'https://example.org/', 'https://Example.ORG/Path?q=1#frag', 'https://x.org:8080/a', 'https://x.org/%41b',
  'https://user:pw@x.org/a', 'https://x.org/./a/../b', 'https://xn--nxasmq6b.com/a', 'https://1.2.3/x', 'https://[::1]/x',
  'http://localhost/x', 'https://a..b/x', 'https://exa mple.org', 'HTTPS://WWW.GITHUB.COM/A/B', 'www.', 'https://',
  'https://x.org/a;b', "https://x.org/a'", 'https://x.org/a?', 'https://é.org/ü', 'https://x.org/a b', 'ftp://x.org/a',
  'https://project.github.io/site/', 'https://sites.google.com/view/x', 'javascript:alert(1)', 'https://x.org/\\y',
];

/** Values for the link columns a source gives (`abs_url`, `pdf_url`, `url`). */
export const URL_VALUES = [
  'https://arxiv.org/abs/2503.11731', 'https://arxiv.org/pdf/2503.11731', 'https://arxiv.org/abs/2503.11731v2', 'https://arxiv.org/abs/hep-th/9901001',
  'http://arxiv.org/abs/2503.11731', 'https://arxiv.org', 'https://arxiv.org/', 'https://ARXIV.org/abs/x', 'https://arxiv.org/abs/x?y=1',
  'https://arxiv.org/abs/x#y', 'https://arxiv.org:443/abs/x', 'https://arxiv.org:8443/abs/x', 'https://arxiv.org/./abs/x', 'https://arxiv.org/abs/../x',
  'https://arxiv.org/abs/.x', 'https://arxiv.org/abs/x.', 'https://arxiv.org/abs//x', 'https://arxiv.org/abs/x/', 'https://arxiv.org.', 'https://arxiv.org./abs/x',
  ' https://arxiv.org/abs/x ', 'https://arxiv.org/abs/a b', 'https://arxiv.org/abs/%7Ex', 'https://arxiv.org/abs/~x', 'https://arxiv.org/abs/é',
  'https://xn--nxasmq6b.com/a', 'https://xn--a.com/a', 'https://1.2.3.4/a', 'https://1.2.3/a', 'https://0x7f.1/a', 'https://a.0x10/a', 'https://a.1/a',
  'https://a-.b/x', 'https://-a.b/x', 'https://a_b.c/x', 'https://a..b/x', 'https://u:p@arxiv.org/abs/x', 'https://@arxiv.org/abs/x',
  'javascript:alert(1)', 'data:text/html,x', 'ftp://arxiv.org/x', 'arxiv.org/abs/x', '//arxiv.org/abs/x', 'https:arxiv.org/abs/x', 'HTTPS://arxiv.org/abs/x',
  'https://arxiv.org\\abs\\x', 'https://arxiv.org/abs/x\t', 'https://ar\txiv.org/abs/x', 'https://arxiv.org/a\nbs/x', '', ' ', 'x'.repeat(2100),
  'https://arxiv.org/' + 'a'.repeat(2030), 'https://a.b/' + "!$&'()*+,;=:@", 'https://a.b/[x]', 'https://a.b/{x}', 'https://a.b/|x', 'https://a.b/^x',
  'https://a.b/`x', 'https://a.b/"x', 'https://a.b/<x>', 'https://localhost/x', 'https://LOCALHOST/x', 'https://a.B/x', 'https://a.b.c.d.e/x/y/z.pdf',
];

const IDS = [
  '2503.11731', '2503.11731v1', '2503.11731v12', 'arXiv:2503.11731', 'ARXIV:2503.11731v2', ' 2503.11731 ', 'https://arxiv.org/abs/2503.11731v3',
  'http://export.arxiv.org/abs/2503.11731', 'arxiv.org/pdf/2503.11731v2.pdf', 'https://www.arxiv.org/html/2503.11731/', 'hep-th/9901001',
  'hep-th/9901001v2', 'math.AG/0703001', 'cond-mat.str-el/0101001', 'solv-int/9901001v1', '1413.12345', '1412.1234', '1501.1234', '0713.0001',
  '2513.00001', '2503.1173', 'not-an-id', '', '   ', 'HEP-TH/9901001', '2503.11731v', '2503.11731v0', 'arxiv:hep-th/9901001',
];

const DAYS = ['2025-03-18', '2025-02-29', '2024-02-29', '2025-13-01', '2025-3-1', '2025-03-18T10:00:00Z', 'yesterday', '', null, 12];

const CATEGORY_PIECES = ['cs.LG', 'cs.CL', ' cs.AI ', 'stat.ML', 'I.2.7', 'K.4.1', 'L.1', 'cs.LG', '', '  ', 'math.PR', 'cs.\tAI', 'x\\y', 'é.x'];

type Random = () => number;

const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** `s` with a few pieces put in at random places (the start and end included). */
function sprinkle(r: Random, s: string, k: number): string {
  let out = s;
  for (let i = 0; i < k; i++) {
    const at = Math.floor(r() * (out.length + 1));
    const piece = pick(r, TEXT_PIECES);
    const sep = r() < 0.5 ? ' ' : '';
    out = out.slice(0, at) + sep + piece + sep + out.slice(at);
  }
  return out;
}

/** A string field changed one way or another (kept as it is most of the time). */
function text(r: Random, v: unknown): unknown {
  const x = r();
  if (x < 0.45 || typeof v !== 'string') return x < 0.97 ? v : pick(r, [null, 7, '', '  ', ['a'], true]);
  if (x < 0.9) return sprinkle(r, v, 1 + Math.floor(r() * 4));
  if (x < 0.95) return pick(r, TEXT_PIECES);
  return pick(r, ['', ' ', '\n', null, '\u00a0']);
}

function list(r: Random, v: unknown, pieces: readonly string[]): unknown {
  const x = r();
  if (x < 0.5 || !Array.isArray(v)) return x < 0.97 ? v : pick(r, [null, 'a, b', [1], []]);
  const out = (v as unknown[]).map((a) => (r() < 0.3 ? text(r, a) : a));
  if (r() < 0.4) out.splice(Math.floor(r() * (out.length + 1)), 0, pick(r, pieces));
  if (r() < 0.1) out.push(out[0]);
  return out;
}

function vary(r: Random, base: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = { ...base };
  for (const k of Object.keys(o)) {
    if (r() < 0.5) continue;
    if (k === 'id') o.id = r() < 0.5 ? o.id : pick(r, IDS);
    else if (k === 'authors' || k === 'categories') o[k] = Array.isArray(o[k]) ? list(r, o[k], k === 'categories' ? CATEGORY_PIECES : TEXT_PIECES) : text(r, o[k]);
    else if (k === 'listing_date' || k === 'update_date' || k === 'published') o[k] = r() < 0.6 ? o[k] : pick(r, DAYS);
    else if (k === 'abs_url' || k === 'pdf_url' || k === 'url') o[k] = r() < 0.4 ? o[k] : pick(r, URL_VALUES);
    else if (k === 'primary_category') o[k] = r() < 0.6 ? o[k] : pick(r, [null, ...CATEGORY_PIECES]);
    else if (typeof o[k] === 'string' || o[k] === null) o[k] = text(r, o[k]);
  }
  if (r() < 0.03) delete o[pick(r, Object.keys(o))];
  if (r() < 0.05) o.comment = sprinkle(r, '', 3);
  return o;
}

/**
 * `count` lines, each a base line varied; every `bases` line is also given once as it is. A few
 * lines are not papers (bad JSON, an array, blank). JSON is written as arXiv's listings write it
 * (", " and ": ") or compact, and with or without non-ASCII characters escaped, at random.
 */
export function variedImportLines(bases: readonly string[], count: number, seed: number): string[] {
  const r = seededRandom(seed);
  const objects = bases.map((b) => JSON.parse(b) as Record<string, unknown>);
  const lines = [...bases];
  for (let i = 0; i < count; i++) {
    const x = r();
    if (x < 0.01) {
      lines.push(pick(r, ['{"id": "2503.1", "title": broken', '[1, 2]', '   ', '"a string"', 'null', '{}']));
      continue;
    }
    const o = vary(r, pick(r, objects));
    const x2 = r();
    const json = x2 < 0.4 ? JSON.stringify(o) : JSON.stringify(o, null, 1).replace(/\n */g, (m) => (m.length > 1 ? ' ' : ''));
    // Every character past ASCII as a \u escape, as Python's json.dumps writes it by default (the
    // arXiv metadata snapshot is written so): an ASCII line whose strings are not.
    lines.push(x2 < 0.8 ? json : json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }
  return lines;
}
