import { Marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { renderTexSafely } from './tex-guard.ts';
import { sitePaths } from './site-paths.ts';

/**
 * Comments are written in a small Markdown subset with LaTeX math (`$…$` inline, `$$…$$` display).
 * Raw HTML is never passed through: the Markdown renderer escapes it, math is rendered by KaTeX
 * (trust off) as MathML, and the result is sanitised against an allow-list, so the output is safe
 * to insert into a page as is. Links get `rel="nofollow ugc noopener"`; only http(s) and mailto
 * links survive; images become links (no third-party fetches from comments).
 *
 * Rendering is bounded: a comment nested deeper than people write (`>`×10,000 overflowed marked's
 * recursive parser), with more math than a comment needs, or that takes longer or renders larger
 * than the budget below is refused with a `CommentRenderError`. Comments are rendered once, when
 * written (the HTML is stored with them), so a page view never pays for rendering.
 */

/** Nesting of quotes and lists (`>`, `-`, `1.`, indentation) a comment may use. */
export const COMMENT_MAX_NESTING = 16;
/** Math expressions (`$…$`, `$$…$$`) in one comment. */
export const COMMENT_MAX_MATH = 100;
/**
 * CPU time one comment may take to render. CPU rather than wall time: on a busy machine other
 * processes' time slices would otherwise push ordinary comments over the budget.
 */
export const COMMENT_RENDER_BUDGET_MS = 300;

/** CPU milliseconds this process has used (rendering is synchronous, so a difference is the render's). */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Size of one comment's HTML. */
export const COMMENT_MAX_HTML_BYTES = 256 * 1024;

export class CommentRenderError extends Error {}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** The render in progress (rendering is synchronous, so one at a time): counts math and watches the clock. */
let budget: { deadline: number; math: number; failure?: string } = { deadline: Infinity, math: 0 };

function overBudget(what: string): never {
  // Kept aside too: marked appends its own text to the message of an error thrown inside it.
  budget.failure = what;
  throw new CommentRenderError(`this comment is too complex to show (${what}); simplify it`);
}

function renderMath(tex: string, displayMode: boolean): string {
  if (++budget.math > COMMENT_MAX_MATH) overBudget(`more than ${COMMENT_MAX_MATH} math expressions`);
  if (cpuMs() > budget.deadline) overBudget('it takes too long to render');
  return renderTexSafely(tex, displayMode, 200) ?? `<code>${escapeHtml(tex)}</code>`;
}

/**
 * The accounts (lower-cased names) the comment being rendered may mention: `@name` of one of them
 * becomes a link to its profile, any other `@name` stays text. Set per render, like `budget`.
 */
let knownMentions: ReadonlySet<string> = new Set();
/** A character before `@` that makes it part of a word or an address (`a@b.org`), not a mention. */
const MENTION_GLUE = /[\w@./-]$/;

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({
  extensions: [
    {
      name: 'mention',
      level: 'inline',
      start: (src: string) => {
        const m = /(^|[^\w@./-])@[A-Za-z0-9_-]{3,32}/.exec(src);
        return m ? m.index + m[1].length : undefined;
      },
      tokenizer(src: string, tokens: { raw: string }[]) {
        if (this.lexer.state.inLink) return undefined;
        const m = /^@([A-Za-z0-9_-]{3,32})(?![\w-])/.exec(src);
        if (!m || !knownMentions.has(m[1].toLowerCase())) return undefined;
        const before = tokens.at(-1)?.raw ?? '';
        if (MENTION_GLUE.test(before)) return undefined;
        return { type: 'mention', raw: m[0], text: m[1] };
      },
      renderer: (token) => {
        const name = (token as unknown as { text: string }).text;
        return `<a class="mention" href="${escapeHtml(sitePaths.user(name))}">@${escapeHtml(name)}</a>`;
      },
    },
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
    a: ['href', 'rel', 'class'],
    span: ['class'],
    ol: ['start'],
    ...Object.fromEntries(MATHML_TAGS.map((t) => [t, MATHML_ATTRS])),
  },
  allowedClasses: { span: ['katex', 'katex-display', 'katex-error'], a: ['mention'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...(attribs.href ? { href: attribs.href } : {}), ...(attribs.class === 'mention' ? { class: 'mention' } : {}), rel: 'nofollow ugc noopener' },
    }),
  },
};

const CONTAINER = /^ {0,3}(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?/;
const FENCE = /^[ \t>*+\-\d.)]*(`{3,}|~{3,})/;

/**
 * How deep a line nests quotes and lists: its container markers plus its indentation (two columns
 * per list level). Lines inside fenced code are not Markdown and do not count.
 */
export function markdownNesting(source: string): number {
  let max = 0;
  let fence: string | null = null;
  for (const line of source.split('\n')) {
    const f = FENCE.exec(line);
    if (fence) {
      if (f && f[1][0] === fence[0] && f[1].length >= fence.length) fence = null;
      continue;
    }
    if (f) fence = f[1];
    let rest = line;
    let depth = 0;
    for (;;) {
      const indent = /^[ \t]*/.exec(rest)![0];
      const columns = [...indent].reduce((n, ch) => n + (ch === '\t' ? 4 : 1), 0);
      const m = CONTAINER.exec(rest.slice(indent.length));
      if (!m) {
        depth += Math.floor(columns / 2);
        break;
      }
      depth += 1 + Math.floor(columns / 2);
      rest = rest.slice(indent.length + m[0].length);
      if (depth > COMMENT_MAX_NESTING) return depth;
    }
    max = Math.max(max, depth);
  }
  return max;
}

/**
 * Renders a comment's Markdown to HTML that is safe to insert as is, within the budget above;
 * throws `CommentRenderError` (with a message for the author) when the comment is beyond it.
 */
export function renderCommentMarkdown(source: string, budgetMs = COMMENT_RENDER_BUDGET_MS, mentions: ReadonlySet<string> = new Set()): string {
  if (markdownNesting(source) > COMMENT_MAX_NESTING) overBudget(`quotes or lists nested more than ${COMMENT_MAX_NESTING} deep`);
  const start = cpuMs();
  budget = { deadline: start + budgetMs, math: 0 };
  knownMentions = mentions;
  let html: string;
  try {
    html = sanitizeHtml(marked.parse(source, { async: false }) as string, SANITIZE);
  } catch {
    // Over budget inside the parser, or a parser that overflows its stack or trips on its input:
    // refuse the comment, never a 500.
    overBudget(budget.failure ?? 'it could not be rendered');
  } finally {
    budget = { deadline: Infinity, math: 0 };
    knownMentions = new Set();
  }
  if (cpuMs() - start > budgetMs) overBudget('it takes too long to render');
  if (Buffer.byteLength(html) > COMMENT_MAX_HTML_BYTES) overBudget('its HTML would be too large');
  return html;
}

/** A comment as escaped text in paragraphs: for stored comments that cannot be rendered within budget. */
export function plainCommentHtml(source: string): string {
  return source
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br />')}</p>`)
    .join('\n');
}

/** The rendered comment, or its escaped text when it is beyond the budget (used where refusing is not an option). */
export function renderCommentOrPlain(source: string): string {
  try {
    return renderCommentMarkdown(source);
  } catch (err) {
    if (err instanceof CommentRenderError) return plainCommentHtml(source);
    throw err;
  }
}
