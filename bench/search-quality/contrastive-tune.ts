/**
 * The contrastive refinement as the probes run it (`contrastive.ts`, `csfcube-contrastive.ts`): the
 * served trainer itself (`refineModel`, src/search/local-embedder-refine.ts — what the background
 * job `search:refine-model` runs), so that the trainer measured and the one served cannot drift.
 * Round 19 wrote the trainer here; round 24 tuned its recipe here (`c75t`); round 25 moved it to
 * src/ and round 26 folded this copy into it. The probes' knobs are `RefineOptions`' (the served
 * recipe, DEFAULT_REFINE, unless a probe overrides one); round 19's L2 pull towards the SVD's rows
 * (`anchor`) went with the copy — it was never served and never helped (BENCHMARKS round 19).
 */
import { DEFAULT_REFINE, refineModel, type RefineOptions } from '../../src/search/local-embedder-refine.ts';
import { paperText, type LocalEmbedder, type TrainingText } from '../../src/search/local-embedder.ts';

export type ContrastiveOptions = Partial<RefineOptions>;

/** Options from `key=value` pairs (a probe's grid, `temperature=0.1,sentencePairs=2`): only RefineOptions' keys. */
export function parseRecipe(spec: string): ContrastiveOptions {
  const o: Record<string, number> = {};
  for (const kv of spec.split(',').filter(Boolean)) {
    const [k, v] = kv.split('=');
    if (!(k in DEFAULT_REFINE) || !Number.isFinite(Number(v))) throw new Error(`not a refinement option: ${kv} (${Object.keys(DEFAULT_REFINE).join(', ')})`);
    o[k] = Number(v);
  }
  return o;
}

/**
 * `model` refined by the served trainer under `options` (the served recipe otherwise), its id the
 * base's + `-<tag>` so that a probe's cached vectors (fusion-explore.ts, by model id) tell recipes
 * apart. Returns the wall time and the batches trained.
 */
export function fineTune(model: LocalEmbedder, papers: readonly TrainingText[], options: ContrastiveOptions = {}, tag = 'ctr'): { model: LocalEmbedder; seconds: number; batches: number } {
  const t0 = performance.now();
  let batches = 0;
  // A probe's sample may be smaller than the served floor (minPapers): it says what it trains on.
  const refined = refineModel(model, papers, { minPapers: 0, ...options }, (_, total) => (batches = total));
  return { model: refined.withRows(refined.rowsCopy(), `${model.id}-${tag}`), seconds: (performance.now() - t0) / 1000, batches };
}

/** Mean in-batch retrieval accuracy of title → abstract on held-aside papers (a sanity check of the training). */
export function titleToAbstractAccuracy(model: LocalEmbedder, papers: readonly TrainingText[], batch = 128): number {
  let ok = 0;
  let n = 0;
  for (let s = 0; s + batch <= papers.length; s += batch) {
    const q = papers.slice(s, s + batch).map((p) => model.embedOne(p.title));
    const d = papers.slice(s, s + batch).map((p) => model.embedOne(p.abstract));
    for (let a = 0; a < batch; a++) {
      let best = -1;
      let arg = -1;
      for (let c = 0; c < batch; c++) {
        let x = 0;
        for (let k = 0; k < q[a].length; k++) x += q[a][k] * d[c][k];
        if (x > best) (best = x), (arg = c);
      }
      ok += arg === a ? 1 : 0;
      n++;
    }
  }
  return ok / (n || 1);
}
export { paperText };
