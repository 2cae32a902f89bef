import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCommentMarkdown as render } from '../../src/domain/comment-markdown.ts';

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
