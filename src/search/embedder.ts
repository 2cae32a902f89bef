/**
 * Turns text into vectors for semantic search, similar papers and recommendations. One interface,
 * several implementations (the offline model trained on the instance's corpus, an OpenAI-compatible
 * HTTP server), one shared contract test.
 */
export interface Embedder {
  /** Names the model and its version: vectors from different ids are not comparable. */
  readonly id: string;
  readonly dimensions: number;
  /** One unit-length vector per text, in order. */
  embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]>;
}

export interface EmbedOptions {
  /** The caller no longer wants the answer (a search over its budget): stop waiting and retrying. */
  signal?: AbortSignal;
}
