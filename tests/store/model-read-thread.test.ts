import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { holdsUnder } from '../helpers/event-loop.ts';
import { openStore } from '../../src/store/index.ts';

/**
 * A serving process reads the stored offline model (23 MB at 75k papers) at its first search or
 * embedding pass, 2–3 s after it listens (issue 19). SQLite's `substr()` of a blob loads the whole
 * blob, so reading it in 1 MB pieces cost the request thread a whole read per piece (157–460 ms held
 * at 75k, BENCHMARKS start-up, round 21): a SQLite file's model is read in a thread of its own.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-model-read-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a SQLite file: reading a 32 MB stored model keeps every stretch of this thread under 20 ms of CPU, and gives its bytes', async () => {
  const opened = await openStore(path.join(dir, 'store.db'));
  try {
    const model = Buffer.alloc(32 << 20);
    for (let i = 0; i < model.length; i += 4096) model.writeUInt32LE((i * 2654435761) >>> 0, i);
    await opened.store.search.saveModel('big-model', 'big-1', model, '2026-03-01T00:00:00.000Z');
    let got: Awaited<ReturnType<typeof opened.store.search.loadModel>> = null;
    // Best of three: one major garbage collection can take ~30 ms wherever it lands.
    const holds = await holdsUnder(20, async () => {
      got = await opened.store.search.loadModel('big-model');
    });
    assert.ok(got, 'the model was read');
    const read = got as unknown as { modelId: string; data: Uint8Array; trainedAt: string };
    assert.equal(read.modelId, 'big-1');
    assert.equal(read.trainedAt, '2026-03-01T00:00:00.000Z');
    assert.ok(Buffer.from(read.data.buffer, read.data.byteOffset, read.data.byteLength).equals(model), 'the stored bytes');
    assert.ok(Math.min(...holds) < 20, `reading the model held the event loop ${holds.map((h) => h.toFixed(1)).join(', ')} ms of CPU at once`);
    assert.equal(await opened.store.search.loadModel('no-such-model'), null);
    // A model saved again is what the next read gives.
    await opened.store.search.saveModel('big-model', 'big-2', Buffer.from('small'), '2026-03-02T00:00:00.000Z');
    const again = await opened.store.search.loadModel('big-model');
    assert.equal(again?.modelId, 'big-2');
    assert.equal(Buffer.from(again!.data).toString(), 'small');
  } finally {
    await opened.close();
  }
});
