import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { startApiServer, type RunningApp } from '../helpers/api-server.ts';
import { startGithubServer, type GithubServer } from '../helpers/github-server.ts';
import { startHfApiServer, type HfApiServer } from '../helpers/hf-api-server.ts';
import { startChatServer, type ChatServer } from '../helpers/chat-server.ts';
import { assertNoActiveAttributes, tagsOf } from '../helpers/html.ts';
import { buildSourceSteps } from '../../src/services/enrichment/source-steps.ts';
import type { Paper } from '../../src/domain/paper.ts';

/**
 * Enrichments as readers and clients see them (issue 17): the steps run against local GitHub, hub
 * and chat servers, then the API and the pages show what they stored — escaped, whatever came in.
 */
const DAY = '2025-09-01';
const HOSTILE = '<img src=x onerror=alert(1)>';
const signal = new AbortController().signal;

let github: GithubServer;
let hub: HfApiServer;
let chat: ChatServer;

before(async () => {
  github = await startGithubServer({
    'lab/starry': { full_name: 'lab/Starry', stargazers_count: 4321, description: `${HOSTILE} the official code` },
    'lab/dim': { full_name: 'lab/dim', stargazers_count: 12 },
  });
  hub = await startHfApiServer();
  chat = await startChatServer((b) => {
    const user = b.messages.find((m) => m.role === 'user')!.content;
    if (user.includes('Starry')) return JSON.stringify({ tldr: `Starry makes stars shine. ${HOSTILE} It is fast.`, keywords: ['stars', `<b>${'bold'}</b>`] });
    return 'not json at all';
  });
});
after(async () => {
  await Promise.all([github.close(), hub.close(), chat.close()]);
});

forEachStore('enrichments in the API and on pages', (ctx) => {
  let server: RunningApp;
  let starry: Paper;
  let dim: Paper;
  let plain: Paper;

  before(async () => {
    starry = makePaper({ title: 'Starry: shining stars', abstract: 'Our code is at https://github.com/lab/Starry. Stars shine.' });
    dim = makePaper({ title: 'Dim things', abstract: 'Code: https://github.com/lab/dim/tree/main.' });
    plain = makePaper({ title: 'Quantum chromodynamics on lattices', abstract: 'Lattice quantum chromodynamics with staggered fermions and gauge fields.' });
    await ctx.store.papers.upsertMany([starry, dim, plain]);
    // Feed order (the default, all without upvotes) is the reverse of the stars order.
    await ctx.store.feed.addMany([plain, dim, starry].map((p) => ({ paperId: p.id, day: DAY })));
    hub.models.push({ id: 'lab/starry-7b', likes: 50, tags: [`arxiv:${starry.id}`], pipeline_tag: HOSTILE }, { id: 'lab/<script>', likes: 99, tags: [`arxiv:${starry.id}`] });
    hub.spaces.push({ id: 'lab/starry-demo', likes: 3, tags: [`arxiv:${starry.id}`] });
    server = await startApiServer(ctx.store, { GITHUB_API_URL: github.url, HF_HUB_URL: hub.url, LLM_URL: chat.url });
    const steps = buildSourceSteps(server.services.config, ctx.store);
    for (const p of [starry, dim, plain]) for (const step of steps) await step.run(p, signal);
  });
  after(() => server?.close());

  const get = (path: string) => fetch(`${server.url}${path}`);

  test('/api/papers/{id} carries githubRepo, githubStars, ai_summary, ai_keywords and the hub artifacts', async () => {
    const res = await get(`/api/papers/${starry.id}`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.githubRepo, 'https://github.com/lab/Starry');
    assert.equal(body.githubStars, 4321);
    assert.equal(body.ai_summary, `Starry makes stars shine. ${HOSTILE} It is fast.`, 'JSON carries the text as it is; pages escape it');
    assert.deepEqual(body.ai_keywords, ['stars', '<b>bold</b>']);
    assert.equal(body.keywordsSource, 'llm');
    assert.equal(body.summaryModel, 'gpt-4o-mini');
    assert.deepEqual(body.artifacts.models.map((m: { id: string }) => m.id), ['lab/starry-7b']);
    assert.equal(body.artifacts.models[0].url, `${hub.url}/lab/starry-7b`);
    assert.deepEqual(body.artifacts.spaces.map((m: { url: string }) => m.url), [`${hub.url}/spaces/lab/starry-demo`]);
    assert.deepEqual(body.artifacts.datasets, []);
  });

  test("OpenAPI documents the enrichment fields under Hugging Face's names, on papers, list items and search hits", async () => {
    const spec = (await (await get('/openapi.json')).json()) as { components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> } };
    const s = spec.components.schemas;
    for (const name of ['Paper', 'SearchResult', 'SimilarPaper']) {
      for (const field of ['ai_summary', 'ai_keywords', 'githubRepo', 'githubStars', 'thumbnail', 'projectPage']) {
        assert.ok(s[name]?.properties[field], `${name}.${field} is documented`);
      }
    }
    for (const field of ['ai_summary', 'githubStars', 'thumbnail']) assert.ok(s.Paper.properties[field].description, `Paper.${field} says what it is`);
    assert.ok(s.DailyPaper.properties.thumbnail, 'DailyPaper.thumbnail');
    assert.ok(s.SearchResult.properties.highlightedPdfText, 'SearchResult.highlightedPdfText');
  });

  test('an LLM that answered garbage leaves offline keywords and no ai_summary', async () => {
    const body = await (await get(`/api/papers/${plain.id}`)).json();
    assert.equal(body.ai_summary, null);
    assert.equal(body.keywordsSource, 'keyphrase');
    assert.ok(body.ai_keywords.length > 0 && body.ai_keywords.length <= 8, body.ai_keywords.join('|'));
    assert.equal(body.githubStars, null);
  });

  test('/api/daily_papers items carry the enrichments; sort=stars ranks by stars', async () => {
    const items = await (await get(`/api/daily_papers?date=${DAY}`)).json();
    const s = items.find((i: { paper: { id: string } }) => i.paper.id === starry.id);
    assert.equal(s.paper.githubStars, 4321);
    assert.match(s.paper.ai_summary, /^Starry makes/);
    const byStars = await (await get(`/api/daily_papers?date=${DAY}&sort=stars`)).json();
    assert.deepEqual(byStars.map((i: { paper: { id: string } }) => i.paper.id), [starry.id, dim.id, plain.id]);
    assert.equal((await get(`/api/daily_papers?sort=bogus`)).status, 400);
  });

  test('the paper page shows TL;DR, keywords, code with stars and artifacts, all escaped', async () => {
    const res = await get(`/papers/${starry.id}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /AI summary/);
    assert.match(html, /Starry makes stars shine\. &lt;img src=x onerror=alert\(1\)&gt; It is fast\./);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt; the official code/, 'the GitHub description, escaped');
    assert.match(html, /★ 4,321/);
    assert.match(html, /&lt;b&gt;bold&lt;\/b&gt;/);
    assert.match(html, new RegExp(`href="${hub.url}/lab/starry-7b"`));
    assert.match(html, /lab\/starry-demo/);
    assert.ok(!html.includes('lab/<script>') && !html.includes('lab/&lt;script&gt;'), 'a malformed hub id is not shown at all');
    assert.ok(!tagsOf(html).some((t) => t.tag === 'img'), 'no injected tag');
    assertNoActiveAttributes(html);
  });

  test('the Markdown view carries the TL;DR, keywords, stars and artifacts, escaped as Markdown', async () => {
    const md = await (await get(`/papers/${starry.id}.md`)).text();
    assert.match(md, /## AI summary \(gpt-4o-mini\)/);
    assert.match(md, /Starry makes stars shine\. \\<img src=x onerror=alert\\\(1\\\)\\> It is fast\./);
    assert.ok(md.includes('[Code \\(★ 4321\\)](<https://github.com/lab/Starry>)'), md);
    assert.match(md, /- model: \[lab\/starry-7b\]/);
    const plainMd = await (await get(`/papers/${plain.id}.md`)).text();
    assert.doesNotMatch(plainMd, /AI summary/);
    assert.match(plainMd, /\*\*Keywords:\*\*/);
  });

  test('without an LLM summary the page calls nothing "AI summary"', async () => {
    const html = await (await get(`/papers/${plain.id}`)).text();
    assert.doesNotMatch(html, /AI summary/);
    assert.match(html, /Keywords:/);
  });

  test('feed cards show stars and the TL;DR or keywords; the day page sorts by stars one click away', async () => {
    const html = await (await get(`/papers/date/${DAY}`)).text();
    assert.ok(html.indexOf('Quantum chromo') < html.indexOf('Starry: shining'), 'most upvoted (then feed order) by default');
    assert.match(html, /★ 4,321/);
    assert.match(html, /AI summary:<\/span> Starry makes stars shine\. &lt;img/);
    assert.match(html, /class="kw">Keywords: /);
    assert.match(html, /href="\/papers\/date\/2025-09-01\?sort=stars"/);
    assertNoActiveAttributes(html);
    const sorted = await (await get(`/papers/date/${DAY}?sort=stars`)).text();
    assert.ok(sorted.indexOf('Starry: shining') < sorted.indexOf('Dim things') && sorted.indexOf('Dim things') < sorted.indexOf('Quantum chromo'));
    assert.match(sorted, /most GitHub stars first/);
  });
});
