import { raw } from 'hono/html';
import { renderTexSafely } from '../../domain/tex-guard.ts';
import type { Child } from 'hono/jsx';

/**
 * Text with LaTeX math: `$…$`, `$$…$$`, `\(…\)` and `\[…\]` become MathML rendered by KaTeX on the
 * server; everything else stays a text node that hono/jsx escapes. KaTeX runs with `trust: false`
 * (no \href, \url, \includegraphics, \html*), so its output holds no links or attributes from the
 * source, and it escapes the TeX it echoes back on errors. TeX nested deeper than the guard allows
 * (`renderTexSafely`) stays escaped text, so no imported title can overflow KaTeX's parser.
 */
const MATH_RE = /\$\$([^$]{1,2000}?)\$\$|\$([^$\n]{1,1000}?)\$|\\\(([\s\S]{1,1000}?)\\\)|\\\[([\s\S]{1,2000}?)\\\]/g;

const cache = new Map<string, string>();
const CACHE_MAX = 20_000;

/** MathML for `tex`, or null when it is beyond the guard (the caller shows the source as text). */
function renderTex(tex: string, display: boolean): string | null {
  const key = (display ? 'D' : 'I') + tex;
  let html = cache.get(key);
  if (html === undefined) {
    html = renderTexSafely(tex, display, 500) ?? '';
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, html);
  }
  return html || null;
}

const TEXT_MACRO_RE = /\\(emph|textit|textbf|texttt)\{([^{}$]{0,500})\}/g;

/** Text-mode `\emph{…}`, `\textit{…}`, `\textbf{…}`, `\texttt{…}` as elements; their content stays escaped text. */
function textChildren(text: string): Child[] {
  if (!text.includes('\\')) return [text];
  const out: Child[] = [];
  let last = 0;
  for (const m of text.matchAll(TEXT_MACRO_RE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const inner = m[2];
    out.push(m[1] === 'textbf' ? <strong>{inner}</strong> : m[1] === 'texttt' ? <code>{inner}</code> : <em>{inner}</em>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Splits text into escaped strings and rendered math. */
export function mathChildren(text: string): Child[] {
  if (!text.includes('$') && !text.includes('\\(') && !text.includes('\\[')) return textChildren(text);
  const out: Child[] = [];
  let last = 0;
  for (const m of text.matchAll(MATH_RE)) {
    const tex = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (!tex || !tex.trim()) continue;
    const html = renderTex(tex, m[1] !== undefined || m[4] !== undefined);
    if (html === null) continue;
    if (m.index > last) out.push(...textChildren(text.slice(last, m.index)));
    out.push(raw(html));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(...textChildren(text.slice(last)));
  return out;
}

export function MathText({ text }: { text: string }) {
  return <>{mathChildren(text)}</>;
}

/**
 * The start of `text`, at most `max` characters, cut at a word boundary and never inside a math
 * span or a `\emph{…}`-style macro (which would show as raw TeX), with "…" when something was cut.
 */
export function excerpt(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max;
  for (const re of [MATH_RE, TEXT_MACRO_RE]) {
    for (const m of text.matchAll(re)) {
      if (m.index >= cut) break;
      // A span across the cut goes whole: left out, or kept when the excerpt would be little else.
      if (m.index + m[0].length > cut) cut = m.index > max / 4 ? m.index : m.index + m[0].length;
    }
  }
  // Back to the last whitespace, unless the cut already falls on one (or the last word is huge).
  const head = text.slice(0, cut);
  const space = /\s/.test(text[cut] ?? '') ? cut : Math.max(head.lastIndexOf(' '), head.lastIndexOf('\n'));
  const end = space > max / 2 || space === cut ? space : cut;
  return `${text.slice(0, end).replace(/[\s,;:]+$/, '')}…`;
}
