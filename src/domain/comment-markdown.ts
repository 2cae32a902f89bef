import katex from 'katex';
import { Marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Comments are written in a small Markdown subset with LaTeX math (`$…$` inline, `$$…$$` display).
 * Raw HTML is never passed through: the Markdown renderer escapes it, math is rendered by KaTeX
 * (trust off) as MathML, and the result is sanitised against an allow-list, so the output is safe
 * to insert into a page as is. Links get `rel="nofollow ugc noopener"`; only http(s) and mailto
 * links survive; images become links (no third-party fetches from comments).
 */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function renderMath(tex: string, displayMode: boolean): string {
  return katex.renderToString(tex, { displayMode, output: 'mathml', throwOnError: false, trust: false, strict: 'ignore', maxSize: 20, maxExpand: 200 });
}

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({
  extensions: [
    {
      name: 'mathBlock',
      level: 'block',
      start: (src: string) => src.match(/^\$\$/m)?.index,
      tokenizer(src: string) {
        const m = /^\$\$([\s\S]+?)\$\$(?:\n|$)/.exec(src);
        if (m) return { type: 'mathBlock', raw: m[0], text: m[1].trim() };
        return undefined;
      },
      renderer: (token) => `<p>${renderMath((token as unknown as { text: string }).text, true)}</p>\n`,
    },
    {
      name: 'mathInline',
      level: 'inline',
      start: (src: string) => src.indexOf('$') >= 0 ? src.indexOf('$') : undefined,
      tokenizer(src: string) {
        const m = /^\$\$([^$]+?)\$\$/.exec(src) ?? /^\$(?=\S)([^$\n]*?\S)\$(?!\d)/.exec(src);
        if (m) return { type: 'mathInline', raw: m[0], text: m[1], display: m[0].startsWith('$$') };
        return undefined;
      },
      renderer: (token) => renderMath((token as unknown as { text: string }).text, Boolean((token as unknown as { display: boolean }).display)),
    },
  ],
  renderer: {
    html: (token: Tokens.HTML | Tokens.Tag) => escapeHtml(token.text),
    image: (token: Tokens.Image) => `<a href="${escapeHtml(token.href)}">${escapeHtml(token.text || token.href)}</a>`,
    heading(token: Tokens.Heading) {
      return `<p><strong>${this.parser.parseInline(token.tokens)}</strong></p>\n`;
    },
  },
});

const MATHML_TAGS = [
  'math', 'semantics', 'annotation', 'mrow', 'mi', 'mo', 'mn', 'ms', 'mtext', 'mspace', 'msup', 'msub', 'msubsup', 'mfrac', 'msqrt', 'mroot',
  'munder', 'mover', 'munderover', 'mtable', 'mtr', 'mtd', 'mstyle', 'mpadded', 'mphantom', 'menclose', 'merror',
];
const MATHML_ATTRS = [
  'mathvariant', 'displaystyle', 'scriptlevel', 'stretchy', 'fence', 'separator', 'lspace', 'rspace', 'encoding', 'display', 'xmlns', 'columnalign',
  'rowspacing', 'columnspacing', 'accent', 'accentunder', 'width', 'height', 'depth', 'minsize', 'maxsize', 'movablelimits', 'linethickness', 'notation',
  'symmetric', 'largeop', 'voffset',
];

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr', 'span', ...MATHML_TAGS],
  allowedAttributes: {
    a: ['href', 'rel'],
    span: ['class'],
    ol: ['start'],
    ...Object.fromEntries(MATHML_TAGS.map((t) => [t, MATHML_ATTRS])),
  },
  allowedClasses: { span: ['katex', 'katex-display'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...(attribs.href ? { href: attribs.href } : {}), rel: 'nofollow ugc noopener' } }),
  },
};

/** Renders a comment's Markdown to HTML that is safe to insert as is. */
export function renderCommentMarkdown(source: string): string {
  const html = marked.parse(source, { async: false }) as string;
  return sanitizeHtml(html, SANITIZE);
}
