import assert from 'node:assert/strict';

/** The real tags of an HTML string (escaped text shows `<` as `&lt;`, so it never matches); a quoted attribute value may hold `>`, as in a browser. */
export function tagsOf(html: string): { tag: string; attrs: string }[] {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g)].map((m) => ({ tag: m[1].toLowerCase(), attrs: m[2] }));
}

/**
 * The URL attributes the browser follows, submits to or loads. `formaction` is one: a button's
 * `formaction="javascript:…"` runs script when clicked, like a form's `action` (a card's upvote button
 * names its paper's path there).
 */
const URL_ATTRIBUTE = /(?<![\w:-])(?:href|src|action|formaction)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

/** No tag in `html` carries an event handler or inline style, and every link or form target (`action`, `formaction`) is http(s), mailto or site-relative. */
export function assertNoActiveAttributes(html: string): void {
  for (const { tag, attrs } of tagsOf(html)) {
    assert.doesNotMatch(attrs, /(^|\s)(on[a-z]+|style|xlink:href)\s*=/i, `attribute in <${tag}${attrs}>`);
    for (const h of attrs.matchAll(URL_ATTRIBUTE)) {
      const url = h[1] ?? h[2] ?? h[3];
      assert.match(url, /^(https?:|mailto:|\/(?!\/)|#)/i, `unsafe URL ${url} in <${tag}>`);
    }
  }
}
