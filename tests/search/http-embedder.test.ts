import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpEmbedder, EmbedderError, endpointOf } from '../../src/search/http-embedder.ts';
import { retryAfterMs } from '../../src/search/http-request.ts';
import { serverRoot } from '../../src/search/embedding-apis.ts';
import { openAiRateLimited, startEmbeddingsServer, TEI_OVERLOADED, type EmbeddingsServer, type ServerKind } from '../helpers/embeddings-server.ts';
import { embedderContract, cosine } from '../helpers/embedder-contract.ts';
import { hashVector } from '../helpers/hash-embedder.ts';

const FAST = { retries: 3, baseDelayMs: 20, maxDelayMs: 2000, timeoutMs: 2000 };
const servers: Partial<Record<ServerKind, EmbeddingsServer>> = {};
before(async () => {
  servers.openai = await startEmbeddingsServer({ kind: 'openai', dimensions: 96, apiKey: 'sk-test' });
  servers.tei = await startEmbeddingsServer({ kind: 'tei', dimensions: 48, maxClientBatchSize: 16, maxInputLength: 64 });
  servers.ollama = await startEmbeddingsServer({ kind: 'ollama', dimensions: 40, model: 'nomic-embed-text' });
  servers['ollama-legacy'] = await startEmbeddingsServer({ kind: 'ollama-legacy', dimensions: 40, model: 'nomic-embed-text' });
});
after(() => Promise.all(Object.values(servers).map((s) => s.close())));
const s = (k: ServerKind) => servers[k]!;

embedderContract('HTTP, OpenAI /v1/embeddings', () => HttpEmbedder.connect({ url: s('openai').url, model: 'text-embedding-3-small', apiKey: 'sk-test', batchSize: 64, retry: FAST }));
embedderContract('HTTP, OpenAI /v1/embeddings with base64', () => HttpEmbedder.connect({ url: `${s('openai').url}/v1`, model: 'text-embedding-3-small', apiKey: 'sk-test', encoding: 'base64', retry: FAST }));
embedderContract('HTTP, text-embeddings-inference /embed', () => HttpEmbedder.connect({ url: s('tei').url, api: 'tei', model: 'ignored', retry: FAST }));
embedderContract("HTTP, text-embeddings-inference's OpenAI route", () => HttpEmbedder.connect({ url: s('tei').url, api: 'openai', model: 'tei', batchSize: 16, retry: FAST }));
embedderContract('HTTP, Ollama /api/embed', () => HttpEmbedder.connect({ url: s('ollama').url, api: 'ollama', model: 'nomic-embed-text', retry: FAST }));
embedderContract('HTTP, Ollama before 0.3 (/api/embeddings)', () => HttpEmbedder.connect({ url: s('ollama-legacy').url, api: 'ollama', model: 'nomic-embed-text', retry: FAST }));

describe('HttpEmbedder, OpenAI shape', () => {
  test('POST /v1/embeddings with model, input and the bearer key; learns the dimensions; normalises', async () => {
    const srv = s('openai');
    srv.requests.length = 0;
    const e = await HttpEmbedder.connect({ url: `${srv.url}/v1/`, model: 'bge-small', apiKey: 'sk-test', retry: FAST });
    assert.equal(e.dimensions, 96);
    assert.equal(e.id, 'http:bge-small:96');
    const [v] = await e.embed(['attention is all you need']);
    const last = srv.requests.at(-1)!;
    assert.equal(last.path, '/v1/embeddings');
    assert.equal(last.authorization, 'Bearer sk-test');
    assert.deepEqual(last.body, { model: 'bge-small', input: ['attention is all you need'], encoding_format: 'float' });
    // The server answers 3× the unit vector; the client normalises.
    assert.ok(cosine(v, hashVector('attention is all you need', 96)) > 0.9999);
  });

  test('reorders data by index (the server answers in reverse) and batches large inputs', async () => {
    const srv = s('openai');
    const e = await HttpEmbedder.connect({ url: srv.url, model: 'm', apiKey: 'sk-test', batchSize: 10, retry: FAST });
    srv.requests.length = 0;
    const texts = Array.from({ length: 25 }, (_, i) => `text ${i} on subject ${i}`);
    const vs = await e.embed(texts);
    assert.deepEqual(srv.requests.map((r) => (r.body.input as string[]).length), [10, 10, 5]);
    vs.forEach((v, i) => assert.ok(cosine(v, hashVector(texts[i], 96)) > 0.9999, `vector ${i} in place`));
  });

  test('base URL forms', () => {
    assert.equal(endpointOf('http://h:1'), 'http://h:1/v1/embeddings');
    assert.equal(endpointOf('http://h:1/v1'), 'http://h:1/v1/embeddings');
    assert.equal(endpointOf('http://h:1/v1/embeddings/'), 'http://h:1/v1/embeddings');
    assert.equal(serverRoot('http://h:1/v1/'), 'http://h:1');
    assert.equal(serverRoot('http://h:1/api/embed'), 'http://h:1');
    assert.equal(serverRoot('http://h:1/embed'), 'http://h:1');
  });

  test('a wrong key is a clear error at once, not retried', async () => {
    const srv = s('openai');
    srv.requests.length = 0;
    await assert.rejects(HttpEmbedder.connect({ url: srv.url, model: 'm', apiKey: 'wrong', retry: FAST }), (err: Error) => err instanceof EmbedderError && /401: Incorrect API key/.test(err.message));
    assert.equal(srv.requests.length, 1);
  });

  test('5xx and dropped connections are retried with back-off; the batch then succeeds', async () => {
    const srv = s('openai');
    const e = await HttpEmbedder.connect({ url: srv.url, model: 'm', apiKey: 'sk-test', retry: FAST });
    const retries: string[] = [];
    const e2 = await HttpEmbedder.connect({ url: srv.url, model: 'm', apiKey: 'sk-test', retry: FAST, onRetry: (r) => retries.push(r.reason) });
    srv.script.push({ status: 502, body: '<html>Bad Gateway</html>' }, { status: 503, body: JSON.stringify({ error: { message: 'The server is overloaded or not ready yet.', type: 'server_error' } }) });
    const [v] = await e2.embed(['graph networks']);
    assert.ok(cosine(v, hashVector('graph networks', 96)) > 0.9999);
    assert.equal(retries.length, 2);
    assert.match(retries[1], /503 The server is overloaded/);
    // Out of retries: the last answer is in the message.
    srv.script.push(...Array.from({ length: 4 }, () => ({ status: 500, body: JSON.stringify({ error: { message: 'model overloaded', type: 'server_error' } }) })));
    await assert.rejects(e.embed(['a']), /answered 500: model overloaded \(after 4 attempts\)/);
  });

  test('429 waits as long as Retry-After says, then succeeds', async () => {
    const srv = s('openai');
    const e = await HttpEmbedder.connect({ url: srv.url, model: 'm', apiKey: 'sk-test', retry: { ...FAST, baseDelayMs: 1 } });
    srv.script.push(openAiRateLimited(1));
    const t = performance.now();
    const [v] = await e.embed(['rate limited text']);
    const waited = performance.now() - t;
    assert.ok(waited >= 950, `waited ${waited} ms for Retry-After: 1`);
    assert.ok(cosine(v, hashVector('rate limited text', 96)) > 0.9999);
    assert.equal(retryAfterMs('2'), 2000);
    const dated = retryAfterMs(new Date(Date.now() + 3000).toUTCString()) ?? 0;
    assert.ok(dated > 1000 && dated <= 3000, `an HTTP date: ${dated}`);
    assert.equal(retryAfterMs('soon'), undefined);
  });

  test('garbage is a clear error: wrong count, wrong shape, null/NaN, zero vectors, bad indexes, not JSON', async () => {
    const srv = s('openai');
    const e = await HttpEmbedder.connect({ url: srv.url, model: 'm', apiKey: 'sk-test', retry: FAST });
    const ok = (body: unknown) => ({ status: 200, body: JSON.stringify(body) });
    const cases: [unknown, RegExp][] = [
      [{ data: 'nope' }, /something other than \{data/],
      [{ data: [{ index: 0, embedding: Array(96).fill(0.1) }] }, /1 vectors for 2 texts/],
      [{ data: [{ index: 0, embedding: [...Array(95).fill(0.1), null] }, { index: 1, embedding: Array(96).fill(0.1) }] }, /null for text 0/],
      [{ data: [{ index: 0, embedding: Array(96).fill(0) }, { index: 1, embedding: Array(96).fill(0.1) }] }, /all-zero vector/],
      [{ data: [{ index: 0, embedding: Array(96).fill(0.1) }, { index: 0, embedding: Array(96).fill(0.1) }] }, /indexes are not 0\.\.1/],
      [{ data: [{ index: 0, embedding: [] }, { index: 1, embedding: Array(96).fill(0.1) }] }, /empty vector/],
      [{ data: [{ index: 0, embedding: Buffer.from(new Float32Array([NaN, 1]).buffer).toString('base64') }, { index: 1, embedding: Array(96).fill(0.1) }] }, /non-finite/],
      [[[0.1, 0.2]], /something other than \{data/],
    ];
    for (const [body, re] of cases) {
      srv.script.push(ok(body));
      await assert.rejects(e.embed(['a', 'b']), (err: Error) => err instanceof EmbedderError && re.test(err.message), `${JSON.stringify(body).slice(0, 60)} → ${re}`);
    }
    srv.script.push({ status: 200, body: '{"data": [NaN]}' });
    await assert.rejects(e.embed(['a']), /not JSON/);
  });

  test('a server switched to another model (other dimensions) is a clear error that says what to do', async () => {
    const srv = s('openai');
    const e = await HttpEmbedder.connect({ url: srv.url, model: 'm', apiKey: 'sk-test', retry: FAST });
    srv.dimensions = 128;
    try {
      await assert.rejects(e.embed(['a']), /now answers with 128-dimension vectors where model m gave 96.*cannot be mixed.*re-embeds/s);
    } finally {
      srv.dimensions = 96;
    }
  });

  test('a slow server times out per attempt; an aborted signal stops waiting and retrying at once', async () => {
    const srv = s('openai');
    const e = await HttpEmbedder.connect({ url: srv.url, model: 'm', apiKey: 'sk-test', retry: { ...FAST, timeoutMs: 150, retries: 1 } });
    srv.delayMs = 600;
    try {
      await assert.rejects(e.embed(['a']), /no answer within 150 ms \(after 2 attempts\)/);
      const slow = await HttpEmbedder.connect({ url: srv.url, model: 'm', apiKey: 'sk-test', retry: { ...FAST, timeoutMs: 5000, retries: 5 } }).catch(() => null);
      assert.equal(slow?.dimensions ?? 96, 96);
      // The abort (100 ms) is due before the attempt's timeout (150 ms, its timer set after): the call
      // ends with "gave up", not "no answer within 150 ms (after 2 attempts)", and is not tried again.
      // (This was a bound of 400 ms on the call: a timer fired late on a loaded machine crosses it.)
      const sent = srv.requests.length;
      await assert.rejects(e.embed(['a'], { signal: AbortSignal.timeout(100) }), /gave up/);
      assert.ok(srv.requests.length - sent <= 1, `the aborted call was tried ${srv.requests.length - sent} times`);
    } finally {
      srv.delayMs = 0;
    }
  });

  test('an unreachable server is retried, then a clear error', async () => {
    const gone = await startEmbeddingsServer();
    await gone.close();
    const retries: number[] = [];
    await assert.rejects(
      HttpEmbedder.connect({ url: gone.url, model: 'm', retry: { ...FAST, retries: 2 }, onRetry: (r) => retries.push(r.attempt) }),
      /unreachable: ECONNREFUSED \(after 3 attempts\)/,
    );
    assert.deepEqual(retries, [1, 2]);
  });
});

describe('HttpEmbedder, text-embeddings-inference', () => {
  test('reads the model id and max_client_batch_size from /info; POSTs /embed with truncate; never sends more than TEI accepts', async () => {
    const srv = s('tei');
    srv.requests.length = 0;
    const e = await HttpEmbedder.connect({ url: `${srv.url}/`, api: 'tei', model: 'text-embedding-3-small', batchSize: 64, retry: FAST });
    assert.equal(e.id, 'http:BAAI/bge-small-en-v1.5:48');
    assert.equal(e.batchSize, 16);
    assert.equal(srv.requests[0].path, '/info');
    srv.requests.length = 0;
    const long = 'word '.repeat(200); // past max_input_length: TEI would answer 413 without truncate
    const vs = await e.embed([long, ...Array.from({ length: 39 }, (_, i) => `paper ${i}`)]);
    assert.equal(vs.length, 40);
    assert.deepEqual(srv.requests.map((r) => (r.body.inputs as string[]).length), [16, 16, 8]);
    assert.deepEqual({ ...srv.requests[0].body, inputs: undefined }, { inputs: undefined, truncate: true, normalize: true });
  });

  test("its errors come through with TEI's message: 413 validation, 424 backend; 429 overloaded is retried", async () => {
    const srv = s('tei');
    const e = await HttpEmbedder.connect({ url: srv.url, api: 'tei', model: 'x', retry: FAST });
    srv.script.push({ status: 413, body: JSON.stringify({ error: 'batch size 40 > maximum allowed batch size 16', error_type: 'Validation' }) });
    await assert.rejects(e.embed(['a']), /answered 413: batch size 40 > maximum allowed batch size 16$/);
    srv.script.push({ status: 424, body: JSON.stringify({ error: 'Backend error: CUDA out of memory', error_type: 'Backend' }) });
    await assert.rejects(e.embed(['a']), /answered 424: Backend error: CUDA out of memory/);
    srv.script.push(TEI_OVERLOADED, TEI_OVERLOADED);
    const [v] = await e.embed(['overloaded once']);
    assert.ok(cosine(v, hashVector('overloaded once', 48)) > 0.9999);
  });

  test("on its OpenAI route (no /info), a 413 for too many inputs halves the batch until TEI takes it", async () => {
    const srv = s('tei');
    const oai = await HttpEmbedder.connect({ url: srv.url, model: 'x', batchSize: 40, retry: FAST });
    srv.requests.length = 0;
    const texts = Array.from({ length: 45 }, (_, i) => `t${i}`);
    const vs = await oai.embed(texts);
    assert.equal(vs.length, 45);
    vs.forEach((v, i) => assert.ok(cosine(v, hashVector(texts[i], 48)) > 0.9999));
    assert.deepEqual(srv.requests.map((r) => (r.body.input as string[]).length), [40, 20, 10, 10, 10, 10, 5]);
    assert.equal(oai.batchSize, 10);
    // A single text TEI refuses is the error, with its message ({message, code, type} on this route).
    srv.script.push({ status: 413, body: JSON.stringify({ message: 'Input validation error: `inputs` must have less than 64 tokens. Given: 90', code: 413, type: 'Validation' }) });
    await assert.rejects(oai.embed(['one long text']), /answered 413: Input validation error: `inputs` must have less than 64 tokens/);
  });

  test('a server that is not TEI is told apart at connect', async () => {
    await assert.rejects(HttpEmbedder.connect({ url: s('openai').url, api: 'tei', model: 'x', apiKey: 'sk-test', retry: FAST }), /answered 404/);
  });
});

describe('HttpEmbedder, Ollama', () => {
  test('POST /api/embed with model and input; a model it has not pulled is named in the error', async () => {
    const srv = s('ollama');
    srv.requests.length = 0;
    const e = await HttpEmbedder.connect({ url: srv.url, api: 'ollama', model: 'nomic-embed-text', retry: FAST });
    assert.equal(e.id, 'http:nomic-embed-text:40');
    await e.embed(['x', 'y']);
    assert.deepEqual(srv.requests.at(-1), { method: 'POST', path: '/api/embed', authorization: undefined, body: { model: 'nomic-embed-text', input: ['x', 'y'], truncate: true } });
    await assert.rejects(HttpEmbedder.connect({ url: srv.url, api: 'ollama', model: 'mxbai-embed-large', retry: FAST }), /404: model "mxbai-embed-large" not found, try pulling it first/);
  });

  test('an Ollama older than 0.3 (no /api/embed) is spoken to through /api/embeddings, one prompt per call', async () => {
    const srv = s('ollama-legacy');
    const e = await HttpEmbedder.connect({ url: srv.url, api: 'ollama', model: 'nomic-embed-text', retry: FAST });
    srv.requests.length = 0;
    await e.embed(['one', 'two', 'three']);
    assert.deepEqual(srv.requests.map((r) => [r.path, r.body.prompt]), [['/api/embeddings', 'one'], ['/api/embeddings', 'two'], ['/api/embeddings', 'three']]);
  });
});
