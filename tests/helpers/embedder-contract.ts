import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Embedder } from '../../src/search/embedder.ts';

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * The contract every Embedder keeps; each implementation runs it:
 * `embedderContract('http', () => HttpEmbedder.connect(...))`.
 */
export function embedderContract(name: string, make: () => Promise<Embedder>): void {
  describe(`Embedder contract: ${name}`, () => {
    test('names itself and its dimensions', async () => {
      const e = await make();
      assert.ok(typeof e.id === 'string' && e.id.length > 0);
      assert.ok(Number.isInteger(e.dimensions) && e.dimensions > 0);
    });

    test('one unit-length vector of the declared size per text, in order; none for no texts', async () => {
      const e = await make();
      assert.deepEqual(await e.embed([]), []);
      const texts = ['Graph neural networks for molecules', 'A survey of galaxy cluster cosmology', 'Reinforcement learning from human feedback'];
      const vs = await e.embed(texts);
      assert.equal(vs.length, texts.length);
      for (const v of vs) {
        assert.ok(v instanceof Float32Array);
        assert.equal(v.length, e.dimensions);
        assert.ok(v.every(Number.isFinite));
        assert.ok(Math.abs(Math.sqrt(cosine(v, v)) - 1) < 1e-3, 'unit length');
      }
      const one = await e.embed([texts[1]]);
      assert.ok(cosine(one[0], vs[1]) > 0.999, 'the same text embeds the same, alone or in a batch');
    });

    test('related texts are closer than unrelated ones', async () => {
      const e = await make();
      const [a, b, c] = await e.embed([
        'graph neural networks predict molecular properties',
        'predicting properties of molecules with graph neural networks',
        'dark matter halos in galaxy clusters',
      ]);
      assert.ok(cosine(a, b) > cosine(a, c), `related ${cosine(a, b)} vs unrelated ${cosine(a, c)}`);
    });

    test('empty, emoji-only, hostile and very long texts still give finite vectors', async () => {
      const e = await make();
      const vs = await e.embed(['', '😀🚀', '" * : ^ NEAR AND OR ( )', 'x'.repeat(20_000), 'Ünïcödé naïve café']);
      assert.equal(vs.length, 5);
      for (const v of vs) assert.ok(v.length === e.dimensions && v.every(Number.isFinite));
    });

    test('a large batch comes back whole and in order', async () => {
      const e = await make();
      const texts = Array.from({ length: 300 }, (_, i) => `paper number ${i} about topic ${i % 7}`);
      const vs = await e.embed(texts);
      assert.equal(vs.length, 300);
      const again = await e.embed([texts[123]]);
      assert.ok(cosine(vs[123], again[0]) > 0.999);
    });
  });
}
