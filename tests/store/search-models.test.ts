import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';

forEachStore('SearchRepository models', (ctx) => {
  test('a trained model is stored, replaced and read back byte for byte', async () => {
    assert.equal(await ctx.store.search.loadModel('local'), null);
    const data = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    await ctx.store.search.saveModel('local', 'v1', data);
    await ctx.store.search.saveModel('local', 'v2', data.subarray(10, 20));
    const got = await ctx.store.search.loadModel('local');
    assert.equal(got?.version, 'v2');
    assert.deepEqual([...got!.data], [...data.subarray(10, 20)]);
    assert.equal(await ctx.store.search.modelVersion('local'), 'v2');
  });
});
