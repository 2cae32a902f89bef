import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { startGithubServer, type GithubServer } from '../helpers/github-server.ts';
import { startHfApiServer, type HfApiServer } from '../helpers/hf-api-server.ts';
import { startChatServer, type ChatServer } from '../helpers/chat-server.ts';
import { CodeLinksStep } from '../../src/services/enrichment/code-step.ts';
import { GithubStarsStep } from '../../src/services/enrichment/stars-step.ts';
import { HubArtifactsStep } from '../../src/services/enrichment/hub-artifacts-step.ts';
import { LlmSummaryStep } from '../../src/services/enrichment/summary-step.ts';
import { KeyphraseStep } from '../../src/services/enrichment/keyphrase-step.ts';
import { StoreCorpusFrequencies } from '../../src/services/enrichment/corpus-frequencies.ts';
import { buildSourceSteps } from '../../src/services/enrichment/source-steps.ts';
import { loadConfig } from '../../src/config.ts';
import type { Paper } from '../../src/domain/paper.ts';
import type { EnrichmentStep } from '../../src/services/enrichment/step.ts';
import type { Store } from '../../src/store/store.ts';

const signal = new AbortController().signal;
const GOOD = JSON.stringify({ tldr: 'The paper routes tokens to experts. It halves the cost.', keywords: ['mixture of experts', 'routing', 'Routing', 'sparse models'] });

let github: GithubServer;
let hub: HfApiServer;
let chat: ChatServer;
let chatReply: ChatServer['reply'] = () => GOOD;

before(async () => {
  github = await startGithubServer({
    'fast/foonet': { full_name: 'fast/FooNet', stargazers_count: 1234, description: '<img src=x onerror=alert(1)> FooNet' },
    'old/renamed': { full_name: 'new/renamed', stargazers_count: 7 },
  });
  hub = await startHfApiServer();
  chat = await startChatServer((b) => chatReply(b), { apiKey: 'sk-test' });
});
after(async () => {
  await Promise.all([github.close(), hub.close(), chat.close()]);
});

async function add(store: Store, over: Parameters<typeof makePaper>[0] = {}): Promise<Paper> {
  const p = makePaper(over);
  await store.papers.upsertMany([p]);
  return p;
}

const stars = (store: Store, now?: () => number) => new GithubStarsStep(store, { apiUrl: github.url, token: 'ghp_test', refreshMs: 86_400_000, timeoutMs: 5000, now });
const summary = (store: Store, over: Partial<ConstructorParameters<typeof LlmSummaryStep>[1]> = {}) =>
  new LlmSummaryStep(store, { llmUrl: `${chat.url}/v1`, model: 'tiny-llm', apiKey: 'sk-test', dailyCalls: 100, timeoutMs: 5000, maxAbstractChars: 1000, ...over });

forEachStore('enrichment source steps', (ctx) => {
  test('code: links from abstract, comment and PDF text, normalised and ranked; the official repository first', async () => {
    const p = await add(ctx.store, {
      title: 'FooNet: fast networks',
      authors: ['Ada Fast'],
      abstract: 'We build on https://github.com/other/baseline. Our code is available at github.com/fast/FooNet.git.',
      comment: '12 pages. Code: https://github.com/fast/foonet/tree/main/src; see also https://huggingface.co/papers/2401.00001',
    });
    const asked: string[] = [];
    const step = new CodeLinksStep(ctx.store, async (id) => {
      asked.push(id);
      return 'Models at https://huggingface.co/fast/foonet-base). Data: https://gitlab.com/fast-lab/data/-/tree/main';
    });
    assert.deepEqual(step.after, ['pdf']);
    const out = await step.run(p, signal);
    assert.equal(out.status, 'done');
    assert.deepEqual(asked, [p.id]);
    const e = await ctx.store.enrichment.forPaper(p.id);
    assert.ok(e);
    // The authors' own (named like the paper, "our code") before the baseline they build on.
    assert.deepEqual(e.codeLinks, ['https://github.com/fast/FooNet', 'https://huggingface.co/fast/foonet-base', 'https://github.com/other/baseline', 'https://gitlab.com/fast-lab/data']);
    assert.equal(e.codeRepo, 'https://github.com/fast/FooNet');
    assert.equal(e.githubRepo, 'fast/foonet');
  });

  test('code: a paper without links is done with none (and without a PDF source it does not wait for one)', async () => {
    const p = await add(ctx.store);
    const step = new CodeLinksStep(ctx.store);
    assert.equal(step.after, undefined);
    assert.deepEqual(await step.run(p, signal), { status: 'done', detail: 'no code link' });
    const e = await ctx.store.enrichment.forPaper(p.id);
    assert.deepEqual(e?.codeLinks, []);
    assert.equal(e?.codeRepo, null);
  });

  test('stars: 200 stores the count and ETag; the daily refresh is conditional and a 304 keeps the count without using the limit', async () => {
    github.repos.get('fast/foonet')!.stargazers_count = 1234; // the servers are shared by both stores' suites
    const p = await add(ctx.store, { abstract: 'Code: https://github.com/fast/FooNet' });
    await new CodeLinksStep(ctx.store).run(p, signal);
    let now = Date.now();
    const step = stars(ctx.store, () => now);
    assert.equal(step.host, new URL(github.url).host);
    assert.equal(step.refreshMs, 86_400_000);
    const before = github.remaining;
    assert.deepEqual(await step.run(p, signal), { status: 'done', detail: '1234 stars' });
    const first = github.requests.at(-1)!;
    assert.equal(first.path, '/repos/fast/foonet');
    assert.equal(first.authorization, 'Bearer ghp_test');
    assert.equal(first.ifNoneMatch, undefined);
    assert.equal((await ctx.store.enrichment.forPaper(p.id))?.githubStars, 1234);
    const rec = await ctx.store.enrichment.repo('fast/foonet');
    assert.equal(rec?.fullName, 'fast/FooNet');
    assert.ok(rec?.etag?.startsWith('W/"'));

    now += 86_400_000; // a day later
    const out = await step.run(p, signal);
    assert.equal(out.status, 'done');
    const second = github.requests.at(-1)!;
    assert.equal(second.status, 304);
    assert.equal(second.ifNoneMatch, rec?.etag);
    assert.equal(github.remaining, before - 1, 'the 304 cost nothing');
    assert.equal((await ctx.store.enrichment.forPaper(p.id))?.githubStars, 1234);

    github.repos.get('fast/foonet')!.stargazers_count = 1300;
    now += 86_400_000;
    await step.run(p, signal);
    assert.equal(github.requests.at(-1)!.status, 200, 'a changed repository answers 200 with the new count');
    assert.equal((await ctx.store.enrichment.forPaper(p.id))?.githubStars, 1300);
  });

  test('stars: a second paper linking a repository checked today does not ask GitHub again', async () => {
    const p = await add(ctx.store, { abstract: 'https://github.com/FAST/foonet' });
    await new CodeLinksStep(ctx.store).run(p, signal);
    const n = github.requests.length;
    const out = await stars(ctx.store).run(p, signal);
    assert.equal(out.status, 'done');
    assert.equal(github.requests.length, n);
    assert.equal((await ctx.store.enrichment.forPaper(p.id))?.githubStars, 1300);
  });

  test('stars: 404 is a permanent failure and shows no stars; no GitHub link is skipped', async () => {
    const p = await add(ctx.store, { abstract: 'Code at https://github.com/gone/away' });
    await new CodeLinksStep(ctx.store).run(p, signal);
    const out = await stars(ctx.store).run(p, signal);
    assert.equal(out.status, 'failed');
    assert.equal(out.status === 'failed' && out.permanent, true);
    assert.equal((await ctx.store.enrichment.repo('gone/away'))?.status, 'missing');
    assert.equal((await ctx.store.enrichment.forPaper(p.id))?.githubStars, null);

    const q = await add(ctx.store, { abstract: 'Code at https://gitlab.com/a/b' });
    await new CodeLinksStep(ctx.store).run(q, signal);
    assert.equal((await stars(ctx.store).run(q, signal)).status, 'skipped');
  });

  test('stars: secondary limits (403 and 429 with Retry-After) give retryAfterMs and stop further requests until then', async () => {
    const p = await add(ctx.store, { abstract: 'https://github.com/old/renamed' });
    await new CodeLinksStep(ctx.store).run(p, signal);
    let now = Date.now();
    const step = stars(ctx.store, () => now);
    github.secondary.push({ status: 403, retryAfter: 30 });
    const a = await step.run(p, signal);
    assert.equal(a.status, 'failed');
    assert.equal(a.status === 'failed' && a.retryAfterMs, 30_000);
    const n = github.requests.length;
    const b = await step.run(p, signal);
    assert.equal(b.status === 'failed' && b.retryAfterMs, 30_000, 'still waiting: nothing sent');
    assert.equal(github.requests.length, n);
    now += 31_000;
    github.secondary.push({ status: 429, retryAfter: 5 });
    const c = await step.run(p, signal);
    assert.equal(c.status === 'failed' && c.retryAfterMs, 5000);
    now += 6000;
    github.secondary.push({ status: 403, retryAfter: null });
    const d = await step.run(p, signal);
    assert.equal(d.status === 'failed' && d.retryAfterMs, 60_000, 'no header: at least a minute, as GitHub asks');
    now += 61_000;
    assert.deepEqual(await step.run(p, signal), { status: 'done', detail: '7 stars' });
    assert.equal((await ctx.store.enrichment.repo('old/renamed'))?.fullName, 'new/renamed');
  });

  test('stars: the primary limit (403, remaining 0) waits for x-ratelimit-reset', async () => {
    const p = await add(ctx.store, { abstract: 'https://github.com/nobody/limited' });
    await new CodeLinksStep(ctx.store).run(p, signal);
    const saved = github.remaining;
    github.remaining = 0;
    try {
      const now = Date.now();
      const out = await stars(ctx.store, () => now).run(p, signal);
      assert.equal(out.status, 'failed');
      const wait = out.status === 'failed' ? out.retryAfterMs! : 0;
      assert.ok(Math.abs(wait - (github.resetAt * 1000 - now)) < 1000, `waits until the reset (${wait} ms)`);
    } finally {
      github.remaining = saved;
    }
  });

  test('artifacts: models, datasets and Spaces citing the paper, paged; private and malformed ids are left out', async () => {
    const p = await add(ctx.store);
    const tag = `arxiv:${p.id}`;
    hub.models.push(...Array.from({ length: 130 }, (_, i) => ({ id: `org/model-${i}`, likes: i, downloads: i * 10, tags: [tag], pipeline_tag: 'text-generation' })));
    hub.models.push({ id: 'org/<script>alert(1)</script>', likes: 999, tags: [tag] }, { id: 'org/private', private: true, tags: [tag] }, { id: 'org/other', tags: ['arxiv:9999.99999'] });
    hub.datasets.push({ id: 'org/data', likes: 3, downloads: 40, tags: [tag] });
    hub.spaces.push({ id: 'org/demo', likes: 5, sdk: 'gradio', tags: [tag] });
    const step = new HubArtifactsStep(ctx.store, { hubUrl: hub.url, refreshMs: 7 * 86_400_000, timeoutMs: 5000 });
    const out = await step.run(p, signal);
    assert.deepEqual(out, { status: 'done', detail: '130 models, 1 datasets, 1 Spaces' });
    assert.ok(hub.requests.some((r) => r.includes('cursor=100')), 'followed the Link header to the second page');
    const got = (await ctx.store.enrichment.detail(p.id)).artifacts;
    assert.equal(got.length, 132);
    assert.deepEqual(got[0], { kind: 'model', id: 'org/model-129', likes: 129, downloads: 1290, detail: 'text-generation' });
    assert.ok(got.some((a) => a.kind === 'space' && a.id === 'org/demo' && a.detail === 'gradio'));
    assert.ok(!got.some((a) => a.id.includes('<') || a.id === 'org/private' || a.id === 'org/other'));
    // A refresh replaces the list.
    hub.models.splice(0, hub.models.length);
    await step.run(p, signal);
    assert.equal((await ctx.store.enrichment.detail(p.id)).artifacts.length, 2);
  });

  test('artifacts: a next-page link to another host is not followed', async () => {
    const p = await add(ctx.store);
    hub.models.push(...Array.from({ length: 105 }, (_, i) => ({ id: `far/m-${i}`, tags: [`arxiv:${p.id}`] })));
    const other = await startHfApiServer({ models: [{ id: 'evil/injected', tags: [`arxiv:${p.id}`] }] });
    hub.linkOrigin = other.url;
    try {
      const out = await new HubArtifactsStep(ctx.store, { hubUrl: hub.url, refreshMs: 1, timeoutMs: 5000 }).run(p, signal);
      assert.equal(out.status, 'done');
      assert.equal(other.requests.length, 0);
      const got = (await ctx.store.enrichment.detail(p.id)).artifacts;
      assert.equal(got.length, 100);
      assert.ok(!got.some((a) => a.id === 'evil/injected'));
    } finally {
      hub.linkOrigin = undefined;
      await other.close();
    }
  });

  test('artifacts: 429 is a failure with Retry-After and keeps what was stored', async () => {
    const p = await add(ctx.store);
    hub.datasets.push({ id: 'org/kept', tags: [`arxiv:${p.id}`] });
    const step = new HubArtifactsStep(ctx.store, { hubUrl: hub.url, refreshMs: 1, timeoutMs: 5000 });
    await step.run(p, signal);
    hub.rateLimited = 1;
    const out = await step.run(p, signal);
    assert.equal(out.status, 'failed');
    assert.equal(out.status === 'failed' && out.retryAfterMs, 17_000);
    assert.deepEqual((await ctx.store.enrichment.detail(p.id)).artifacts.map((a) => a.id), ['org/kept']);
    assert.equal((await step.run(makePaper({ id: 'openreview:abc', source: 'openreview' }), signal)).status, 'skipped');
  });

  test('summary: stores two sentences and at most 8 keywords with the model; the prompt carries a capped abstract', async () => {
    chatReply = () => GOOD;
    const p = await add(ctx.store, { abstract: 'Mixture of experts. '.repeat(1000) });
    const step = summary(ctx.store);
    assert.equal(step.host, new URL(chat.url).host);
    const out = await step.run(p, signal);
    assert.equal(out.status, 'done');
    const req = chat.requests.at(-1)!;
    assert.equal(req.authorization, 'Bearer sk-test');
    assert.equal(req.body.model, 'tiny-llm');
    const user = req.body.messages.find((m) => m.role === 'user')!.content;
    assert.ok(user.length < 1000 + 600, `prompt capped (${user.length} chars)`);
    const e = await ctx.store.enrichment.forPaper(p.id);
    assert.deepEqual(e?.summary, { text: 'The paper routes tokens to experts. It halves the cost.', keywords: ['mixture of experts', 'routing', 'sparse models'], model: 'tiny-llm' });
  });

  test('summary: cached per model — the same model is not asked twice, a new model has a new version and writes it again', async () => {
    const p = await add(ctx.store);
    const a = summary(ctx.store);
    await a.run(p, signal);
    const n = chat.requests.length;
    assert.equal((await a.run(p, signal)).status, 'done');
    assert.equal(chat.requests.length, n, 'cached');
    const b = summary(ctx.store, { model: 'bigger-llm' });
    assert.notEqual(a.version, b.version);
    await b.run(p, signal);
    assert.equal(chat.requests.length, n + 1);
    assert.equal((await ctx.store.enrichment.forPaper(p.id))?.summary?.model, 'bigger-llm');
  });

  test('summary: garbage answers, errors and timeouts are failures with a reason and store nothing', async () => {
    const cases: Array<[ChatServer['reply'], RegExp]> = [
      [() => 'Sure! Here is a summary of the paper.', /not JSON/],
      [() => '', /empty/],
      [() => JSON.stringify({ tldr: 'x'.repeat(2000), keywords: [] }), /too long/],
      [() => JSON.stringify({ tldr: '   ', keywords: ['a'] }), /empty/],
      [() => ({ raw: '<html>502 Bad Gateway</html>' }), /not JSON/],
      [() => ({ status: 429, retryAfter: 9 }), /429/],
      [() => ({ status: 500 }), /500/],
    ];
    for (const [reply, reason] of cases) {
      chatReply = reply;
      const p = await add(ctx.store);
      const out = await summary(ctx.store).run(p, signal);
      assert.equal(out.status, 'failed', String(reason));
      assert.match(out.status === 'failed' ? out.reason : '', reason);
      if (reason.source === '429') assert.equal(out.status === 'failed' && out.retryAfterMs, 9000);
      assert.equal((await ctx.store.enrichment.forPaper(p.id))?.summary ?? null, null);
    }
    chatReply = () => ({ hang: true });
    const p = await add(ctx.store);
    const t = performance.now();
    const out = await summary(ctx.store, { timeoutMs: 300 }).run(p, signal);
    assert.ok(performance.now() - t < 3000);
    assert.match(out.status === 'failed' ? out.reason : '', /did not answer within 300 ms/);
    const wrongKey = await summary(ctx.store, { apiKey: 'wrong' }).run(p, signal);
    assert.match(wrongKey.status === 'failed' ? wrongKey.reason : '', /401/);
    chatReply = () => GOOD;
  });

  test('summary: the daily cap is shared by every process through the store', async () => {
    chatReply = () => GOOD;
    const now = Date.parse('2030-01-02T12:00:00Z');
    const [w1, w2] = [summary(ctx.store, { dailyCalls: 2, now: () => now }), summary(ctx.store, { dailyCalls: 2, now: () => now })];
    const n = chat.requests.length;
    const outs = [];
    for (const step of [w1, w2, w1]) outs.push(await step.run(await add(ctx.store), signal));
    assert.deepEqual(outs.map((o) => o.status), ['done', 'done', 'failed']);
    assert.equal(chat.requests.length, n + 2);
    const last = outs[2];
    assert.equal(last.status === 'failed' && last.retryAfterMs, 12 * 3600_000, 'until the next UTC day');
    assert.equal(await ctx.store.enrichment.llmCallsUsed('2030-01-02'), 2);
  });

  test("summary: a retry after a failure the LLM did not do (429, 5xx, refused connection) spends one call of the cap, not two; work it may have done counts", async () => {
    const now = Date.parse('2030-02-03T08:00:00Z');
    const day = '2030-02-03';
    const step = summary(ctx.store, { dailyCalls: 2, now: () => now });
    const p = await add(ctx.store);
    for (const reply of [{ status: 429, retryAfter: 5 }, { status: 503 }, { status: 500 }] as const) {
      chatReply = () => reply;
      assert.equal((await step.run(p, signal)).status, 'failed');
      assert.equal(await ctx.store.enrichment.llmCallsUsed(day), 0, `a ${reply.status} answer gives its call back`);
    }
    const closed = await startChatServer(() => GOOD);
    await closed.close();
    const refused = await summary(ctx.store, { llmUrl: closed.url, dailyCalls: 2, now: () => now }).run(p, signal);
    assert.match(refused.status === 'failed' ? refused.reason : '', /unreachable/);
    assert.equal(await ctx.store.enrichment.llmCallsUsed(day), 0, 'a refused connection gives its call back');
    chatReply = () => GOOD;
    assert.equal((await step.run(p, signal)).status, 'done', 'the retry');
    assert.equal(await ctx.store.enrichment.llmCallsUsed(day), 1, 'one call for the paper');
    // Answers the LLM computed count, usable or not, and so does a timeout (it may finish and bill after we stop waiting).
    chatReply = () => 'Sure! Here is a summary.';
    assert.equal((await step.run(await add(ctx.store), signal)).status, 'failed');
    assert.equal(await ctx.store.enrichment.llmCallsUsed(day), 2);
    const capped = await step.run(await add(ctx.store), signal);
    assert.match(capped.status === 'failed' ? capped.reason : '', /daily LLM cap of 2 calls reached/);
    assert.equal(await ctx.store.enrichment.llmCallsUsed(day), 2, 'a refusal at the cap takes nothing');
    chatReply = () => ({ hang: true });
    const late = await summary(ctx.store, { dailyCalls: 5, timeoutMs: 200, now: () => now }).run(await add(ctx.store), signal);
    assert.match(late.status === 'failed' ? late.reason : '', /did not answer/);
    assert.equal(await ctx.store.enrichment.llmCallsUsed(day), 3, 'a timeout counts');
    chatReply = () => GOOD;
  });

  test('keyphrases: telling phrases by tf-idf against the corpus', async () => {
    for (let i = 0; i < 20; i++) await add(ctx.store, { title: `Neural network study ${i}`, abstract: 'We train a neural network on images with a learning method.' });
    const p = await add(ctx.store, { title: 'Sparse Mixture-of-Experts Routing', abstract: 'A neural network routes tokens with sparse mixture-of-experts layers. Expert load balancing keeps experts busy.' });
    const step: EnrichmentStep = new KeyphraseStep(ctx.store, new StoreCorpusFrequencies(ctx.store, { maxDocs: 1000 }));
    assert.equal(step.host, undefined);
    assert.equal((await step.run(p, signal)).status, 'done');
    const phrases = (await ctx.store.enrichment.forPaper(p.id))!.keyphrases;
    assert.equal(phrases[0], 'Sparse Mixture-of-Experts Routing');
    assert.ok(phrases.length <= 8);
    assert.ok(phrases.indexOf('neural network') === -1 || phrases.indexOf('neural network') > phrases.indexOf('expert load balancing'), phrases.join(' | '));
  });

  test('buildSourceSteps: the LLM step only with LLM_URL', () => {
    const base = loadConfig({}, { logLevel: 'silent', demo: false });
    assert.deepEqual(buildSourceSteps(base, ctx.store).map((s) => s.name), ['code', 'stars', 'artifacts', 'keyphrases']);
    const withLlm = buildSourceSteps({ ...base, llmUrl: chat.url }, ctx.store, { pdfText: async () => null });
    assert.deepEqual(withLlm.map((s) => s.name), ['code', 'stars', 'artifacts', 'keyphrases', 'summary']);
    assert.deepEqual(withLlm[0].after, ['pdf']);
  });
});
