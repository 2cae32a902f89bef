import assert from 'node:assert/strict';

/** The real tags of an HTML string (escaped text shows `<` as `&lt;`, so it never matches). */
export function tagsOf(html: string): { tag: string; attrs: string }[] {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map((m) => ({ tag: m[1].toLowerCase(), attrs: m[2] }));
}

/** No tag in `html` carries an event handler or inline style, and every link or form target (`action`, `formaction`) is http(s), mailto or site-relative. */
export function assertNoActiveAttributes(html: string): void {
  for (const { tag, attrs } of tagsOf(html)) {
    // `formaction` is a URL like `action` (a card's upvote button names its paper's path): the check below holds it to the same rule.
    assert.doesNotMatch(attrs, /(^|\s)(on[a-z]+|style|xlink:href)\s*=/i, `attribute in <${tag}${attrs}>`);
    for (const h of attrs.matchAll(/(?:href|src|action)\s*=\s*"([^"]*)"/gi)) assert.match(h[1], /^(https?:|mailto:|\/(?!\/)|#)/i, `unsafe URL ${h[1]} in <${tag}>`);
  }
}
