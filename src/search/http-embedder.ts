import type { Embedder, EmbedOptions } from './embedder.ts';
import { callJson, DEFAULT_RETRY, HttpCallError, type RetryPolicy } from './http-request.ts';
import {
  EmbeddingAnswerError,
  ollamaBody,
  openAiBody,
  readMatrix,
  readOllama,
  readOllamaLegacy,
  readOpenAi,
  readTeiInfo,
  serverRoot,
  teiBody,
  type EmbeddingsApi,
} from './embedding-apis.ts';

/**
 * Embeddings from a server: an OpenAI-compatible `/v1/embeddings` (OpenAI, vLLM, llama.cpp, and the
 * OpenAI routes of text-embeddings-inference and Ollama), text-embeddings-inference's own `/embed`,
 * or Ollama's `/api/embed` (`api`). Texts go in batches (never more than the server accepts),
 * failed calls are retried with back-off, and every answer is checked — one finite vector per text,
 * of the dimensions this model had — before it is normalised to unit length.
 */
export interface HttpEmbedderOptions {
  /** The server's base URL (`http://host:8080`, or `.../v1` for an OpenAI-compatible one). */
  url: string;
  api?: EmbeddingsApi;
  /** Model name sent to the server; text-embeddings-inference serves one model and names it in `/info`. */
  model: string;
  apiKey?: string;
  /** Texts per request; capped by TEI's `max_client_batch_size`. */
  batchSize?: number;
  /** Characters per text sent: the server truncates at its model's window, this keeps requests small. */
  maxChars?: number;
  /** OpenAI shape only: ask for base64 float32s (a quarter of the bytes of JSON numbers). */
  encoding?: 'float' | 'base64';
  retry?: Partial<RetryPolicy>;
  /** Told about each retry (the provider logs it). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export class EmbedderError extends Error {
  override name = 'EmbedderError';
  constructor(
    message: string,
    /** The server's HTTP status, when it answered with an error. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export function endpointOf(base: string): string {
  const u = base.replace(/\/+$/, '');
  if (u.endsWith('/embeddings')) return u;
  return u.endsWith('/v1') ? `${u}/embeddings` : `${u}/v1/embeddings`;
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

interface Resolved {
  api: EmbeddingsApi;
  model: string;
  batchSize: number;
  /** Ollama before 0.3: `/api/embeddings`, one prompt per call. */
  legacyOllama: boolean;
}

export class HttpEmbedder implements Embedder {
  readonly id: string;

  private constructor(
    private readonly opts: HttpEmbedderOptions,
    private readonly resolved: Resolved,
    readonly dimensions: number,
  ) {
    // The API is not part of the id: the same model answers the same through /embed and /v1/embeddings.
    this.id = `http:${resolved.model}:${dimensions}`;
  }

  /** Learns the model (TEI: `/info`) and its dimensions (one probe text), and how to talk to the server. */
  static async connect(opts: HttpEmbedderOptions, signal?: AbortSignal): Promise<HttpEmbedder> {
    const api = opts.api ?? 'openai';
    const resolved: Resolved = { api, model: opts.model, batchSize: Math.max(1, opts.batchSize ?? 64), legacyOllama: false };
    if (api === 'tei') {
      const info = readTeiInfo(await call(opts, { method: 'GET', url: `${serverRoot(opts.url)}/info`, signal }));
      resolved.model = info.model_id;
      if (info.max_client_batch_size) resolved.batchSize = Math.min(resolved.batchSize, info.max_client_batch_size);
    }
    if (api === 'ollama') resolved.legacyOllama = await usesLegacyOllama(opts, signal);
    const [probe] = await request(opts, resolved, ['dimension probe'], signal);
    return new HttpEmbedder(opts, resolved, probe.length);
  }

  /** The model the server answers for (TEI names its own). */
  get model(): string {
    return this.resolved.model;
  }

  get batchSize(): number {
    return this.resolved.batchSize;
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; ) {
      const batch = texts.slice(i, i + this.resolved.batchSize);
      let vectors: Float32Array[];
      try {
        vectors = await request(this.opts, this.resolved, batch, options.signal);
      } catch (err) {
        // 413: more inputs than the server takes at once (TEI's OpenAI route has no /info to ask):
        // halve the batch for this and every later call.
        if (err instanceof EmbedderError && err.status === 413 && batch.length > 1) {
          this.resolved.batchSize = Math.ceil(batch.length / 2);
          continue;
        }
        throw err;
      }
      i += batch.length;
      for (const v of vectors) {
        if (v.length !== this.dimensions) {
          throw new EmbedderError(
            `the embedding server now answers with ${v.length}-dimension vectors where model ${this.resolved.model} gave ${this.dimensions}: ` +
              'it is serving another model, whose vectors cannot be mixed with the stored ones. Point EMBEDDINGS_URL back at the old model, ' +
              'or restart Paperboy so it re-embeds every paper with the new one (or run `paperboy reindex --reembed`).',
          );
        }
        out.push(v);
      }
    }
    return out;
  }
}

/** Ollama before 0.3 answers `/api/embed` with a plain-text 404; a missing model is a JSON 404. */
async function usesLegacyOllama(opts: HttpEmbedderOptions, signal?: AbortSignal): Promise<boolean> {
  try {
    await call(opts, { method: 'POST', url: `${serverRoot(opts.url)}/api/embed`, body: ollamaBody(opts.model, ['probe']), signal });
    return false;
  } catch (err) {
    if (err instanceof EmbedderError && /answered 404: 404 page not found/.test(err.message)) return true;
    throw err;
  }
}

function call(opts: HttpEmbedderOptions, c: { method: 'GET' | 'POST'; url: string; body?: unknown; signal?: AbortSignal }): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  return callJson({ ...c, headers, onRetry: opts.onRetry }, { ...DEFAULT_RETRY, ...opts.retry }).catch((err) => {
    throw err instanceof HttpCallError ? new EmbedderError(`embedding server: ${err.message}`, err.status) : err;
  });
}

/** One batch through the chosen API: raw vectors, checked and normalised. */
async function request(opts: HttpEmbedderOptions, r: Resolved, texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
  if (!texts.length) return [];
  // Servers reject empty inputs (TEI: "`inputs` cannot be empty"): send a space instead.
  const input = texts.map((t) => (t.trim() ? t.slice(0, opts.maxChars ?? 8000) : ' '));
  const root = serverRoot(opts.url);
  let raw: number[][];
  try {
    if (r.api === 'tei') {
      raw = readMatrix(await call(opts, { method: 'POST', url: `${root}/embed`, body: teiBody(input), signal }), input.length, 'a list of vectors');
    } else if (r.api === 'ollama' && r.legacyOllama) {
      raw = [];
      for (const prompt of input) raw.push(readOllamaLegacy(await call(opts, { method: 'POST', url: `${root}/api/embeddings`, body: { model: r.model, prompt }, signal })));
    } else if (r.api === 'ollama') {
      raw = readOllama(await call(opts, { method: 'POST', url: `${root}/api/embed`, body: ollamaBody(r.model, input), signal }), input.length);
    } else {
      raw = readOpenAi(await call(opts, { method: 'POST', url: endpointOf(opts.url), body: openAiBody(r.model, input, opts.encoding ?? 'float'), signal }), input.length);
    }
  } catch (err) {
    if (err instanceof EmbeddingAnswerError) throw new EmbedderError(`embedding server ${root}: ${err.message}`);
    throw err;
  }
  return raw.map((v, i) => {
    if (!v.length) throw new EmbedderError(`embedding server ${root} returned an empty vector for text ${i}`);
    let norm = 0;
    for (const x of v) {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new EmbedderError(`embedding server ${root} returned a vector with ${x === null ? 'null' : 'a non-finite number'} for text ${i}`);
      norm += x * x;
    }
    if (norm === 0) throw new EmbedderError(`embedding server ${root} returned an all-zero vector for text ${i}`);
    return normalise(Float32Array.from(v));
  });
}
