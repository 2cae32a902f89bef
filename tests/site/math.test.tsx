import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MathText } from '../../src/http/views/math.tsx';

const render = (text: string) => String(<p><MathText text={text} /></p>);

test('math between $…$, $$…$$, \\(…\\) and \\[…\\] becomes MathML; the rest stays escaped text', () => {
  const html = render('Let $x<y$ & \\(a\\) with $$\\sum_i i$$ and \\[b\\] <i>not html</i>');
  assert.equal((html.match(/<math /g) ?? []).length, 4);
  assert.equal((html.match(/display="block"/g) ?? []).length, 2);
  assert.match(html, /&amp; /);
  assert.match(html, /&lt;i&gt;not html&lt;\/i&gt;/);
  assert.match(html, /<mo>&lt;<\/mo>/);
});

test('KaTeX runs untrusted: no \\href or \\url links, no raw HTML from inside math', () => {
  const html = render('$\\href{javascript:alert(1)}{x}$ $\\url{javascript:alert(2)}$ $\\htmlClass{x}{y}$ $</math><script>alert(3)</script>$');
  assert.doesNotMatch(html, /href=|<script|<a /);
  assert.match(html, /&lt;script&gt;/);
});

test('text-mode \\emph and \\textbf become elements with escaped content; a lone $ is text', () => {
  const html = render('We \\emph{really} mean \\textbf{<b>it</b>} for $5 only');
  assert.match(html, /<em>really<\/em>/);
  assert.match(html, /<strong>&lt;b&gt;it&lt;\/b&gt;<\/strong>/);
  assert.match(html, /for \$5 only/);
});

test('TeX nested deeper than the guard allows stays escaped text (KaTeX never sees it)', () => {
  for (const tex of ['{'.repeat(999) + 'a' + '}'.repeat(999), '\\frac{'.repeat(300) + 'a' + '}{b}'.repeat(300), '\\left('.repeat(200) + 'x' + '\\right)'.repeat(200)]) {
    const html = render(`Deep $$${tex}$$ end`);
    assert.doesNotMatch(html, /<math|katex/, tex.slice(0, 20));
    assert.ok(html.includes('Deep $$') && html.endsWith(' end</p>'), 'shown as the text it is');
  }
  // Ordinary nesting still renders, and TeX KaTeX cannot parse is marked without an inline style (CSP).
  assert.match(render('$\\frac{\\sqrt{x^{2}}}{\\left(y\\right)}$'), /<mfrac>/);
  const bad = render('$\\frac{$');
  assert.match(bad, /<span class="katex-error">\\frac\{<\/span>/);
  assert.doesNotMatch(bad, /style=/);
});
