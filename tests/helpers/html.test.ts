import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoActiveAttributes, tagsOf } from './html.ts';

/**
 * The HTML safety helper the page tests lean on (comments, enrichment pages and lists): if it let a
 * script-running attribute through, those tests would pass on a page that runs it.
 */
const refused = (html: string) => assert.throws(() => assertNoActiveAttributes(html), /unsafe URL|attribute in/, html);

test('a button whose formaction runs script is refused, however the attribute is written', () => {
  refused('<form method="post" id="card-vote"></form><button form="card-vote" formaction="javascript:alert(1)" name="action" value="add">1</button>');
  refused('<button formaction="JavaScript:alert(1)">x</button>');
  refused("<button formaction='javascript:alert(1)'>x</button>");
  refused('<button formaction=javascript:alert(1)>x</button>');
  refused('<button formaction = " javascript:alert(1)">x</button>');
  refused('<button formaction="&#106;avascript:alert(1)">x</button>');
  refused('<input type="image" formaction="data:text/html,<script>alert(1)</script>">');
  refused('<button formaction="//evil.example/upvote">x</button>');
});

test('the other URL attributes and handlers are held to the same rule', () => {
  refused('<a href="javascript:alert(1)">x</a>');
  refused('<form action="javascript:alert(1)"></form>');
  refused('<img src="data:image/svg+xml,x">');
  refused('<button onclick="alert(1)">x</button>');
  refused('<p style="background:url(x)">x</p>');
});

test("a signed-in card's buttons and the site's own links pass", () => {
  const card =
    '<form method="post" id="card-vote" data-upvote="true"><input type="hidden" name="_csrf" value="t"/></form>' +
    '<article class="card" aria-labelledby="t-2501_10002"><div class="upvote"><button form="card-vote" formaction="/papers/2501.10002/upvote" name="action" value="add" aria-pressed="false">0<span class="vh"> upvotes</span></button></div>' +
    '<h3 id="t-2501_10002"><a href="/papers/2501.10002">Title</a></h3><a href="https://github.com/a/b">Code</a> <a href="mailto:a@example.org">mail</a> <a href="#comments">c</a>' +
    '<img src="/thumbs/9dd2cb4501af966d275179b0a4b6837f.webp" width="120" height="155" loading="lazy" alt=""/></article>';
  assertNoActiveAttributes(card);
  // Escaped text is not markup: a title that reads like a hostile button is shown, not parsed.
  assertNoActiveAttributes('<p>&lt;button formaction="javascript:alert(1)"&gt;</p>');
  assert.deepEqual(tagsOf('<p>&lt;b&gt;</p>').map((t) => t.tag), ['p']);
});
