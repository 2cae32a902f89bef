import assert from 'node:assert/strict';
import fs, { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { pullModel, listModels } from '../../src/search/onnx/hub-pull.ts';
import { MANIFEST_FILE } from '../../src/search/onnx/model-dir.ts';
import { onnxEmbedderProvider } from '../../src/search/onnx-embedder-provider.ts';
import { OnnxEmbedder } from '../../src/search/onnx-embedder.ts';
import { runCli } from '../helpers/cli.ts';
import { hubModelFromDir, startHubServer, type HubServer } from '../helpers/hub-server.ts';
import { buildTinyBert } from '../helpers/tiny-bert.ts';

const ID = 'paperboy-tests/tiny-bert';
let source: string;
let hub: HubServer;
const temps: string[] = [];

/** A local port nothing listens on: an unreachable hub. */
async function closedPortUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}`;
}

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'paperboy-models-'));
  temps.push(d);
  return d;
}

before(async () => {
  source = (await buildTinyBert()).dir;
  temps.push(source);
  hub = await startHubServer(
    { [ID]: hubModelFromDir(source), 'paperboy-tests/gated-bert': hubModelFromDir(source, { gated: true }) },
    { pageSize: 4, token: 'hf_test_token' },
  );
});
after(async () => {
  await hub.close();
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

describe('paperboy models pull (against a local server with the hub layout)', () => {
  test('downloads the weights, tokenizer and configs through the CDN redirect, checks them, and the model loads the same offline', async () => {
    const models = await tempDir();
    hub.requests.length = 0;
    const r = await pullModel({ hubUrl: hub.url, id: ID, modelsDir: models, retryDelayMs: 10 });
    const dir = path.join(models, ID);
    assert.equal(r.dir, dir);
    assert.match(r.revision, /^[0-9a-f]{40}$/);
    for (const f of ['onnx/model.onnx', 'config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', '1_Pooling/config.json', 'sentence_bert_config.json']) {
      assert.deepEqual(await readFile(path.join(dir, f)), await readFile(path.join(source, f)), f);
    }
    assert.ok(!existsSync(path.join(dir, 'pytorch_model.bin')) && !existsSync(path.join(dir, 'README.md')), 'only what the embedder needs');
    assert.ok(!existsSync(path.join(models, '.partial')), 'no staging left');
    const manifest = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'));
    assert.equal(manifest.revision, r.revision);
    // The tree was read page by page, files were fetched at the pinned commit, the weights via the CDN.
    assert.ok(hub.requests.filter((q) => q.path.includes('/tree/')).length > 1, 'followed the Link pages');
    assert.ok(hub.requests.some((q) => q.path === `/${ID}/resolve/${r.revision}/onnx/model.onnx`));
    assert.ok(hub.requests.some((q) => q.path.startsWith('/cdn/')));
    assert.deepEqual((await listModels(models)).map((m) => [m.id, m.dimensions, m.revision]), [[ID, 64, r.revision]]);

    // Offline: the hub is not asked again; the pulled model gives the source directory's vectors.
    const before = hub.requests.length;
    const config = loadConfig({ SEARCH_EMBEDDER: 'onnx', EMBEDDINGS_MODEL: ID, MODELS_DIR: models, HF_HUB_URL: await closedPortUrl() });
    const pulled = (await onnxEmbedderProvider.open({ config } as never)) as OnnxEmbedder;
    const local = await OnnxEmbedder.open(source);
    assert.equal(hub.requests.length, before);
    assert.match(pulled.id, new RegExp(`^onnx:${ID}@`));
    assert.equal(pulled.id.split('@')[1], local.id.split('@')[1], 'same files, same content hash');
    const [a] = await pulled.embed(['sparse mixture of experts']);
    const [b] = await local.embed(['sparse mixture of experts']);
    assert.deepEqual(a, b);
    await Promise.all([pulled.close(), local.close()]);
  });

  test('an interrupted transfer resumes with a Range request', async () => {
    const models = await tempDir();
    hub.interruptOnce.add('onnx/model.onnx');
    hub.requests.length = 0;
    const progress: string[] = [];
    await pullModel({ hubUrl: hub.url, id: ID, modelsDir: models, retryDelayMs: 10, onProgress: (p) => p.event === 'retry' && progress.push(p.file) });
    assert.deepEqual(progress, ['onnx/model.onnx']);
    const ranged = hub.requests.filter((q) => q.path.startsWith('/cdn/') && q.range);
    assert.equal(ranged.length, 1);
    const size = (await readFile(path.join(source, 'onnx/model.onnx'))).length;
    assert.match(ranged[0].range!, /^bytes=\d+-$/);
    assert.ok(Number(ranged[0].range!.slice(6, -1)) > 0 && Number(ranged[0].range!.slice(6, -1)) < size);
    assert.deepEqual(await readFile(path.join(models, ID, 'onnx/model.onnx')), await readFile(path.join(source, 'onnx/model.onnx')));
  });

  test('a transfer that stalls is abandoned after the idle timeout and resumed', async () => {
    const models = await tempDir();
    hub.stallOnce.add('onnx/model.onnx');
    hub.requests.length = 0;
    const retries: string[] = [];
    await pullModel({ hubUrl: hub.url, id: ID, modelsDir: models, retryDelayMs: 10, idleTimeoutMs: 500, onProgress: (p) => p.event === 'retry' && retries.push(p.message!) });
    assert.equal(retries.length, 1);
    assert.match(retries[0], /no data from the hub for 0\.5 s/);
    assert.ok(hub.requests.some((q) => q.path.startsWith('/cdn/') && q.range));
    assert.deepEqual(await readFile(path.join(models, ID, 'onnx/model.onnx')), await readFile(path.join(source, 'onnx/model.onnx')));
  });

  test('a checksum mismatch is refused: no model directory appears', async () => {
    const models = await tempDir();
    hub.corrupt.add('onnx/model.onnx');
    try {
      await assert.rejects(pullModel({ hubUrl: hub.url, id: ID, modelsDir: models, retryDelayMs: 10, attempts: 2 }), /onnx\/model\.onnx: checksum mismatch \(sha256/);
    } finally {
      hub.corrupt.delete('onnx/model.onnx');
    }
    assert.ok(!existsSync(path.join(models, ID)));
    const config = loadConfig({ SEARCH_EMBEDDER: 'onnx', EMBEDDINGS_MODEL: ID, MODELS_DIR: models });
    await assert.rejects(onnxEmbedderProvider.open({ config } as never), /paperboy models pull/);
    // The next pull, with the hub fixed, completes (resuming what was good).
    await pullModel({ hubUrl: hub.url, id: ID, modelsDir: models, retryDelayMs: 10 });
    assert.ok(existsSync(path.join(models, ID, 'onnx/model.onnx')));
    assert.ok(!existsSync(path.join(models, '.partial')));
  });

  test('a server that sends more than the listed size is cut off, not written to disk', async () => {
    const models = await tempDir();
    hub.oversize.add('onnx/model.onnx');
    try {
      await assert.rejects(pullModel({ hubUrl: hub.url, id: ID, modelsDir: models, attempts: 1 }), /onnx\/model\.onnx: the hub sent more than the \d+ bytes it listed/);
    } finally {
      hub.oversize.delete('onnx/model.onnx');
    }
    assert.ok(!existsSync(path.join(models, ID)));
  });

  test('a small file is checked against its git blob hash too', async () => {
    const models = await tempDir();
    hub.corrupt.add('config.json');
    try {
      await assert.rejects(pullModel({ hubUrl: hub.url, id: ID, modelsDir: models, retryDelayMs: 10, attempts: 1 }), /config\.json: checksum mismatch \(git sha1/);
    } finally {
      hub.corrupt.delete('config.json');
    }
    assert.ok(!existsSync(path.join(models, ID)));
  });

  test('an unknown model, a gated model without a token, and an unreachable hub fail clearly and leave nothing behind', async () => {
    const models = await tempDir();
    await assert.rejects(pullModel({ hubUrl: hub.url, id: 'nobody/nothing', modelsDir: models }), /nobody\/nothing was not found .*RepoNotFound/);
    await assert.rejects(pullModel({ hubUrl: hub.url, id: 'paperboy-tests/gated-bert', modelsDir: models, retryDelayMs: 10 }), /gated or private \(HTTP 401\): accept its terms on the hub and set HF_TOKEN/);
    const down = await closedPortUrl();
    await assert.rejects(pullModel({ hubUrl: down, id: ID, modelsDir: models }), new RegExp(`cannot reach the hub at ${down.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`));
    await assert.rejects(pullModel({ hubUrl: hub.url, id: '../etc', modelsDir: models }), /not a hub model id/);
    assert.deepEqual(readdirSync(models), []);
    // With the token, the gated model comes down.
    await pullModel({ hubUrl: hub.url, id: 'paperboy-tests/gated-bert', modelsDir: models, token: 'hf_test_token' });
    assert.ok(existsSync(path.join(models, 'paperboy-tests/gated-bert/onnx/model.onnx')));
  });

  test('the CLI pulls (a line per file off a terminal), lists, and exits 1 with the message when the hub is down', async () => {
    const models = await tempDir();
    const env = { MODELS_DIR: models, HF_HUB_URL: hub.url };
    const pulled = await runCli(['models', 'pull', ID], env);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stderr, /onnx\/model\.onnx: [\d.]+ MB/);
    assert.match(pulled.stdout, /SEARCH_EMBEDDER=onnx EMBEDDINGS_MODEL=paperboy-tests\/tiny-bert paperboy reindex/);
    const pulledManifest = fs.readFileSync(path.join(models, ID, MANIFEST_FILE), 'utf8');
    const listed = await runCli(['models', 'list'], env);
    assert.match(listed.stdout, /paperboy-tests\/tiny-bert\t64 dims/);
    const down = await runCli(['models', 'pull', 'someone/else'], { MODELS_DIR: models, HF_HUB_URL: await closedPortUrl() });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach the hub/);
    // A named revision is resolved to its commit first (GET /api/models/{id}/revision/{rev}).
    const tagged = await runCli(['models', 'pull', ID, '--revision', 'v1'], env);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.notEqual(JSON.parse(fs.readFileSync(path.join(models, ID, MANIFEST_FILE), 'utf8')).revision, JSON.parse(pulledManifest).revision);
    const bad = await runCli(['models', 'fetch'], env);
    assert.equal(bad.code, 2);
  });
});
