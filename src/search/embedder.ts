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
  embed(texts: string[]): Promise<Float32Array[]>;
}
