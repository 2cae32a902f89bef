import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { Embedder } from './embedder.ts';
import { HttpEmbedder } from './http-embedder.ts';
import { localEmbedderProvider } from './local-embedder-provider.ts';
import { onnxEmbedderProvider } from './onnx-embedder-provider.ts';

/**
 * Where embedders come from: `SEARCH_EMBEDDER` names a provider here. The offline default (`local`,
 * trained on the instance's corpus by `paperboy reindex`) registers itself in this table next to
 * `http`; `none` turns semantic search off (keyword only).
 */
export interface EmbedderContext {
  config: Config;
  store: Store;
  logger: Logger;
  /** The SQLite file, when there is one: files beside it (models, ANN indexes) go next to it. */
  sqlitePath?: string;
  /** The process's shutdown deadline: an embedder that calls a server aborts its requests then. */
  signal?: AbortSignal;
}

export interface EmbedderProvider {
  /** Returns null when the embedder cannot be used yet (e.g. the local model is not trained). */
  open(ctx: EmbedderContext): Promise<Embedder | null>;
  /**
   * The id `open` would give now, read without opening the model, for a model that changes under a
   * running process (the `local` one, retrained by `paperboy reindex`): a server moves to it once
   * its space covers the corpus (`EmbeddingSpaces`). Absent: the embedder is fixed for the process.
   */
  currentId?(ctx: EmbedderContext): Promise<string | null>;
  /**
   * Trains or refreshes the model from the store's papers; `paperboy reindex` calls it first.
   * `meanwhile` is other work of the reindex (the full-text rebuild) that a provider training off
   * the main thread runs while it trains; a provider that cannot calls it after training. It is
   * told whether the training is still running, so it can fill the wait with more work.
   */
  train?(ctx: EmbedderContext, onProgress?: (phase: string, done: number, total: number) => void, meanwhile?: Meanwhile): Promise<void>;
}

/** Work run alongside training; `training.running` says, when asked, whether the model is still being trained. */
export type Meanwhile = (training: { readonly running: boolean }) => Promise<unknown>;

export const EMBEDDER_PROVIDERS: Record<string, EmbedderProvider> = {
  none: { open: async () => null },
  local: localEmbedderProvider,
  http: {
    open: async ({ config, logger, signal }) => {
      if (!config.embeddingsUrl) throw new Error('SEARCH_EMBEDDER=http needs EMBEDDINGS_URL');
      return HttpEmbedder.connect({
        url: config.embeddingsUrl,
        api: config.embeddingsApi,
        model: config.embeddingsModel,
        apiKey: config.embeddingsApiKey,
        batchSize: config.embeddingsBatchSize,
        retry: { timeoutMs: config.embeddingsTimeoutMs, retries: config.embeddingsRetries },
        onRetry: (r) => logger.warn({ attempt: r.attempt, delayMs: r.delayMs, reason: r.reason }, 'embedding server call failed; retrying'),
        signal,
      });
    },
  },
  onnx: onnxEmbedderProvider,
};

export function embedderProvider(name: string): EmbedderProvider | null {
  return Object.hasOwn(EMBEDDER_PROVIDERS, name) ? EMBEDDER_PROVIDERS[name] : null;
}
