import type { EmbedderProvider } from './embedder-providers.ts';
import { resolveModelDir } from './onnx/model-dir.ts';
import { OnnxEmbedder } from './onnx-embedder.ts';

/**
 * `SEARCH_EMBEDDER=onnx`: `EMBEDDINGS_MODEL` names a hub id pulled into `MODELS_DIR` by
 * `paperboy models pull`, or a local model directory. Nothing is downloaded here: a model that
 * is not on disk is an error that says how to pull it.
 */
export const onnxEmbedderProvider: EmbedderProvider = {
  async open({ config }) {
    const dir = resolveModelDir(config.embeddingsModel, config.modelsDir);
    return OnnxEmbedder.open(dir, { threads: config.onnxThreads || undefined });
  },
};
