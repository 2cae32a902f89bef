import path from 'node:path';
import type { EmbedderProvider } from './embedder-providers.ts';
import { resolveModelDir } from './onnx/model-dir.ts';
import { ensureUseLiteModel, USE_LITE_NAME } from './onnx/use-lite.ts';
import { OnnxEmbedder } from './onnx-embedder.ts';

/**
 * `SEARCH_EMBEDDER=onnx`: `EMBEDDINGS_MODEL` names a hub id pulled into `MODELS_DIR` by
 * `paperboy models pull`, a local model directory, or `use-lite` — the Universal Sentence Encoder
 * (lite), whose weights come with an npm dependency and are turned into an ONNX model in
 * `MODELS_DIR/use-lite/` on first use (`onnx/use-lite.ts`). Nothing is downloaded here: a model
 * that is not on disk is an error that says how to pull it.
 */
export const onnxEmbedderProvider: EmbedderProvider = {
  async open({ config }) {
    const dir = config.embeddingsModel === USE_LITE_NAME ? await ensureUseLiteModel(path.resolve(config.modelsDir)) : resolveModelDir(config.embeddingsModel, config.modelsDir);
    return OnnxEmbedder.open(dir, { threads: config.onnxThreads || undefined });
  },
};
