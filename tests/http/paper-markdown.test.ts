import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { startTestApp, type TestApp } from '../helpers/community.ts';
import { makePaper } from '../helpers/papers.ts';
import { escapeMarkdown } from '../../src/domain/paper-markdown.ts';

test('paper text cannot turn into Markdown links, images or HTML', () => {
  assert.equal(escapeMarkdown('[click](javascript:alert(1)) <b>x</b> *y* ![i](u)'), '\\[click\\]\\(javascript:alert\\(1\\)\\) \\<b\\>x\\</b\\> \\*y\\* \\!\\[i\\]\\(u\\)');
  assert.equal(escapeMarkdown('line one\n# not a heading'), 'line one \\# not a heading');
});

forEachStore('papers as Markdown', (ctx) => {
  let app: TestApp;
  const paper = makePaper({ id: '2401.01234', title: 'Sparse [attention] *revisited*', abstract: 'We study <script>x</script> sparsity.', authors: ['Ada Lovelace'], categories: ['cs.LG'], doi: '10.1/xy' });
  const hidden = makePaper({ id: '2401.05678' });
  before(async () => {
    app = await startTestApp(ctx.store);
    await ctx.store.papers.upsertMany([paper, hidden]);
    await ctx.store.papers.setHidden(hidden.id, true);
  });
  after(() => app.close());

  test('/papers/{id}.md and Accept: text/markdown answer Markdown; the HTML page links it and varies on Accept', async () => {
    const md = await fetch(`${app.url}/papers/${paper.id}.md`);
    assert.equal(md.status, 200);
    assert.match(md.headers.get('content-type')!, /^text\/markdown/);
    const text = await md.text();
    assert.match(text, /^# Sparse \\\[attention\\\] \\\*revisited\\\*\n/);
    assert.match(text, /\*\*Authors:\*\* Ada Lovelace/);
    assert.match(text, /\[arXiv:2401\.01234\]\(<https:\/\/arxiv\.org\/abs\/2401\.01234>\)/);
    assert.match(text, /\[DOI 10\.1\/xy\]\(<https:\/\/doi\.org\/10\.1\/xy>\)/);
    assert.match(text, /## Abstract\n\nWe study \\<script\\>x\\<\/script\\> sparsity\./);
    const negotiated = await fetch(`${app.url}/papers/${paper.id}`, { headers: { accept: 'text/markdown, text/html;q=0.5' } });
    assert.equal(await negotiated.text(), text);
    assert.match(negotiated.headers.get('vary')!, /Accept/);
    const html = await fetch(`${app.url}/papers/${paper.id}`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.match(html.headers.get('content-type')!, /^text\/html/);
    assert.match(html.headers.get('vary') ?? '', /Accept/);
    assert.match(await html.text(), /href="\/papers\/2401\.01234\.md"/, 'one click from the paper page');
  });

  test('hidden and unknown papers are 404 in Markdown too', async () => {
    assert.equal((await fetch(`${app.url}/papers/${hidden.id}.md`)).status, 404);
    assert.equal((await fetch(`${app.url}/papers/2401.99999.md`)).status, 404);
    assert.equal((await fetch(`${app.url}/papers/${hidden.id}`, { headers: { accept: 'text/markdown' } })).status, 404);
  });
});
