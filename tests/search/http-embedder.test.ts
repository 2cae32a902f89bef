import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpEmbedder, EmbedderError, endpointOf } from '../../src/search/http-embedder.ts';
import { startEmbeddingsServer, type EmbeddingsServer } from '../helpers/embeddings-server.ts';
import { embedderContract, cosine } from '../helpers/embedder-contract.ts';
import { hashVector } from '../helpers/hash-embedder.ts';

let server: EmbeddingsServer;
before(async () => {
  server = await startEmbeddingsServer({ dimensions: 96, apiKey: 'sk-test' });
});
after(() => server.close());

embedderContract('HTTP (OpenAI-compatible /v1/embeddings)', () => HttpEmbedder.connect({ url: server.url, model: 'test-model', apiKey: 'sk-test', batchSize: 64 }));

describe('HttpEmbedder', () => {
  test('speaks the protocol: POST /v1/embeddings with model, input and the bearer key; learns the dimensions', async () => {
    server.requests.length = 0;
    const e = await HttpEmbedder.connect({ url: `${server.url}/v1/`, model: 'bge-small', apiKey: 'sk-test' });
    assert.equal(e.dimensions, 96);
    assert.equal(e.id, 'http:bge-small:96');
    const [v] = await e.embed(['attention is all you need']);
    const last = server.requests.at(-1)!;
    assert.equal(last.path, '/v1/embeddings');
    assert.equal(last.authorization, 'Bearer sk-test');
    assert.equal(last.body.model, 'bge-small');
    assert.deepEqual(last.body.input, ['attention is all you need']);
    // The server answers 3× the unit vector; the client normalises.
    assert.ok(cosine(v, hashVector('attention is all you need', 96)) > 0.9999);
  });

  test('reorders data by index (the server answers in reverse) and batches large inputs', async () => {
    const e = await HttpEmbedder.connect({ url: server.url, model: 'm', apiKey: 'sk-test', batchSize: 10 });
    server.requests.length = 0;
    const texts = Array.from({ length: 25 }, (_, i) => `text ${i} on subject ${i}`);
    const vs = await e.embed(texts);
    assert.equal(server.requests.length, 3);
    vs.forEach((v, i) => assert.ok(cosine(v, hashVector(texts[i], 96)) > 0.9999, `vector ${i} in place`));
  });

  test('endpoint from any base URL form', () => {
    assert.equal(endpointOf('http://h:1'), 'http://h:1/v1/embeddings');
    assert.equal(endpointOf('http://h:1/v1'), 'http://h:1/v1/embeddings');
    assert.equal(endpointOf('http://h:1/v1/embeddings/'), 'http://h:1/v1/embeddings');
  });

  test('a wrong key, a server error, a malformed answer or a missing server is a clear EmbedderError', async () => {
    await assert.rejects(HttpEmbedder.connect({ url: server.url, model: 'm', apiKey: 'wrong' }), (err: Error) => err instanceof EmbedderError && /401/.test(err.message));
    const e = await HttpEmbedder.connect({ url: server.url, model: 'm', apiKey: 'sk-test' });
    try {
      server.override = () => ({ status: 500, body: '{"error":{"message":"model overloaded"}}' });
      await assert.rejects(e.embed(['a']), /answered 500: .*overloaded/);
      server.override = () => ({ status: 200, body: '{"data": "nope"}' });
      await assert.rejects(e.embed(['a']), /something other than/);
      server.override = () => ({ status: 200, body: JSON.stringify({ data: [{ index: 0, embedding: [1, 0] }] }) });
      await assert.rejects(e.embed(['a', 'b']), /1 vectors for 2 texts/);
      server.override = () => ({ status: 200, body: JSON.stringify({ data: [{ index: 0, embedding: [1, 0] }] }) });
      await assert.rejects(e.embed(['a']), /2 dimensions, expected 96/);
    } finally {
      server.override = undefined;
    }
    await assert.rejects(HttpEmbedder.connect({ url: 'http://127.0.0.1:9', model: 'm', timeoutMs: 2000 }), /unreachable/);
  });
});
