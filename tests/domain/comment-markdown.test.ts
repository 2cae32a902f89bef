import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommentRenderError, markdownNesting, renderCommentMarkdown as render, renderCommentOrPlain } from '../../src/domain/comment-markdown.ts';

const ALLOWED_TAGS = new Set(['p', 'br', 'em', 'strong', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr', 'span',
  'math', 'semantics', 'annotation', 'mrow', 'mi', 'mo', 'mn', 'ms', 'mtext', 'mspace', 'msup', 'msub', 'msubsup', 'mfrac', 'msqrt', 'mroot',
  'munder', 'mover', 'munderover', 'mtable', 'mtr', 'mtd', 'mstyle', 'mpadded', 'mphantom', 'menclose', 'merror']);

/** Every real tag (text shows `<` as `&lt;`) is allowed, carries no handler or style, and links only to http(s)/mailto. */
function assertInert(html: string) {
  for (const m of html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const [, tag, attrs] = m;
    assert.ok(ALLOWED_TAGS.has(tag.toLowerCase()), `tag <${tag}> in ${html}`);
    assert.doesNotMatch(attrs, /(^|\s)(on[a-z]+|style|src|srcset|formaction|xlink:href)\s*=/i, `attribute in <${tag}${attrs}>`);
    for (const h of attrs.matchAll(/href\s*=\s*"([^"]*)"/gi)) assert.match(h[1], /^(https?:|mailto:)/i, `unsafe href ${h[1]}`);
  }
}

test('Markdown subset: emphasis, code, quotes, lists, links with rel="nofollow ugc"', () => {
  const html = render('**bold** _it_ `code`\n\n> quoted\n\n- one\n- two\n\n[site](https://example.org/x?a=1&b=2)');
  assert.match(html, /<strong>bold<\/strong>/);
  assert.match(html, /<em>it<\/em>/);
  assert.match(html, /<code>code<\/code>/);
  assert.match(html, /<blockquote>/);
  assert.match(html, /<li>two<\/li>/);
  assert.match(html, /<a href="https:\/\/example.org\/x\?a=1&amp;b=2" rel="nofollow ugc noopener">site<\/a>/);
});

test('hostile input is rendered inert', () => {
  const cases = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click](  javascript:alert(1))',
    '[data](data:text/html;base64,PHNjcmlwdD4=)',
    '<a href="javascript:alert(1)">x</a>',
    '![x](https://tracker.example/pixel.gif)',
    '<svg onload=alert(1)>',
    '<div style="position:fixed">x</div>',
    '<iframe src="https://evil.example"></iframe>',
  ];
  for (const src of cases) {
    const html = render(src);
    assertInert(html);
  }
  assert.match(render('<script>alert(1)</script>'), /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'raw HTML is shown as text');
});

test('LaTeX math renders as MathML; HTML and dangerous commands inside math stay inert', () => {
  const ok = render('Euler: $e^{i\\pi} + 1 = 0$ and $$\\int_0^1 x\\,dx = \\frac12$$');
  assert.match(ok, /<math[^>]*>/);
  assert.match(ok, /<msup>/);
  assert.match(ok, /<mfrac>/);
  for (const src of [
    '$<img src=x onerror=alert(1)>$',
    '$\\href{javascript:alert(1)}{click}$',
    '$$\\url{javascript:alert(1)}$$',
    '$\\htmlClass{x}{y}\\htmlStyle{color:red}{z}$',
    '$</math><script>alert(1)</script>$',
    '$\\text{<b onmouseover=alert(1)>hi</b>}$',
  ]) {
    const html = render(src);
    assertInert(html);
    assert.doesNotMatch(html, /<b\b/);
  }
});

test('dollar amounts are not math', () => {
  assert.equal(render('it costs $5 and $6 a month'), '<p>it costs $5 and $6 a month</p>\n');
});

test('bounded nesting: 10,000 `>`, deep lists and mixes are refused with a CommentRenderError, not a stack overflow', () => {
  const hostile = [
    '>'.repeat(10_000) + ' hi',
    '- '.repeat(4_000) + 'x',
    '> - '.repeat(2_500),
    '1. '.repeat(3_000) + 'x',
    Array.from({ length: 200 }, (_, i) => `${' '.repeat(i * 2)}- level ${i}`).join('\n'),
  ];
  for (const body of hostile) {
    assert.throws(() => render(body), (err: unknown) => err instanceof CommentRenderError && /nested more than 16/.test((err as Error).message), body.slice(0, 40));
  }
  // What people write still renders: a few levels of quotes and lists, deeply indented fenced code.
  const ok = render('> > > quoted thrice\n\n- a\n  - b\n    - c\n      - d\n\n```\n' + `${' '.repeat(60)}deep code\n`.repeat(3) + '```');
  assert.match(ok, /<blockquote>\s*<blockquote>\s*<blockquote>/);
  assert.match(ok, /deep code/);
  assert.ok(markdownNesting('> > > x\n- a\n  - b') >= 3);
});

test('bounded math: deep braces and \\frac stay escaped code; more than 100 expressions are refused', () => {
  for (const tex of ['{'.repeat(4_000) + 'a' + '}'.repeat(4_000), '\\frac{'.repeat(1_500) + 'a' + '}{b}'.repeat(1_500), '\\left('.repeat(300) + 'x' + '\\right)'.repeat(300)]) {
    // The render's CPU, not its wall time: another job on the machine can only lengthen the latter.
    const t0 = process.cpuUsage();
    const html = render(`see $${tex}$ here`);
    const cpu = process.cpuUsage(t0);
    assert.ok((cpu.user + cpu.system) / 1000 < 1_000, 'rendered within a second of CPU');
    assert.doesNotMatch(html, /<math/);
    assert.match(html, /<code>/);
  }
  assert.match(render('$\\frac{\\frac{a}{b}}{c}$ and $x^{y^{z}}$'), /<mfrac>/);
  assert.throws(() => render('$a$ '.repeat(3_333)), (err: unknown) => err instanceof CommentRenderError && /more than 100 math/.test((err as Error).message));
  assert.match(render('$a$ '.repeat(100)), /<math/);
});

test('a comment beyond the budget can still be shown as escaped plain text', () => {
  const html = renderCommentOrPlain('>'.repeat(10_000) + ' <b>x</b>\n\nsecond');
  assert.match(html, /^<p>&gt;&gt;&gt;/);
  assert.match(html, /&lt;b&gt;x&lt;\/b&gt;<\/p>\n<p>second<\/p>$/);
  assert.equal(renderCommentOrPlain('**fine**'), render('**fine**'));
});

test('a comment that takes longer than the CPU budget to render is refused', () => {
  // About 80 ms of CPU (quadratic emphasis parsing): far over 1 ms, with room under the default 300 ms
  // on a loaded machine (5,000 pairs took 260-300 ms and sat on the budget's edge).
  const slow = '_a'.repeat(2_000);
  assert.throws(() => render(slow, 1), (err: unknown) => err instanceof CommentRenderError && /too long to render/.test((err as Error).message));
  assert.doesNotThrow(() => render(slow));
});
