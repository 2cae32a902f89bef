import katex from 'katex';

/**
 * KaTeX on text nobody vetted (comments, imported titles and abstracts). KaTeX parses by recursive
 * descent: `{`×4,000 or `\frac{`×1,500 overflows the stack (a RangeError that `throwOnError: false`
 * does not catch) and deep nesting is slow long before that. So TeX is measured before KaTeX sees
 * it, and anything nested deeper than a person writes is refused (the caller shows it as text).
 */
export const TEX_MAX_DEPTH = 24;
export const TEX_MAX_LENGTH = 2_000;

/** How deep `tex` nests: braces, `\left…\right` and `\begin…\end`, whichever way they combine. */
export function texDepth(tex: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < tex.length; i++) {
    const ch = tex[i];
    if (ch === '\\') {
      // `\{` and `\}` are literal braces; `\left`/`\begin` open a level, `\right`/`\end` close one.
      const word = /^\\([a-zA-Z]+|.)/.exec(tex.slice(i, i + 8));
      const name = word?.[1] ?? '';
      if (name === 'left' || name === 'begin') max = Math.max(max, ++depth);
      else if (name === 'right' || name === 'end') depth = Math.max(0, depth - 1);
      i += Math.max(0, name.length);
    } else if (ch === '{') max = Math.max(max, ++depth);
    else if (ch === '}') depth = Math.max(0, depth - 1);
  }
  return max;
}

/** Chains of prefix commands that take an argument without braces nest as deep as braces do. */
function prefixChain(tex: string): number {
  let longest = 0;
  for (const m of tex.matchAll(/(?:\\(?:sqrt|frac|dfrac|tfrac|binom|overline|underline|hat|bar|vec|tilde|mathbf|mathrm|boxed|not)\s*)+/g)) {
    longest = Math.max(longest, m[0].split('\\').length - 1);
  }
  return longest;
}

/** Whether KaTeX may be given `tex` at all. */
export function texWithinBounds(tex: string): boolean {
  return tex.length <= TEX_MAX_LENGTH && texDepth(tex) <= TEX_MAX_DEPTH && prefixChain(tex) <= TEX_MAX_DEPTH;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/**
 * KaTeX as MathML with `trust: false`, or null when `tex` is out of bounds or KaTeX fails in a way
 * it does not report itself (a RangeError): the caller then shows the source as escaped text.
 * TeX KaTeX cannot parse becomes `<span class="katex-error">` with the escaped source: KaTeX's own
 * error markup carries a `style` attribute, which the pages' Content-Security-Policy refuses.
 */
export function renderTexSafely(tex: string, displayMode: boolean, maxExpand: number): string | null {
  if (!texWithinBounds(tex)) return null;
  try {
    return katex.renderToString(tex, { displayMode, output: 'mathml', throwOnError: true, trust: false, strict: 'ignore', maxSize: 20, maxExpand });
  } catch (err) {
    if (err instanceof katex.ParseError) return `<span class="katex-error">${escapeHtml(tex)}</span>`;
    return null;
  }
}
