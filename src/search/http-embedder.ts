import { z } from 'zod';
import type { Embedder } from './embedder.ts';
import { eitherSignal } from '../shutdown.ts';

/**
 * Embeddings from any server with the OpenAI-compatible `POST /v1/embeddings` endpoint
 * (text-embeddings-inference, Ollama, vLLM, OpenAI). The URL is the server's base (`http://host:8080`
 * or `.../v1`); vectors are normalised to unit length here, whatever the server returns.
 */
export interface HttpEmbedderOptions {
  url: string;
  model: string;
  apiKey?: string;
  /** Texts per request. */
  batchSize?: number;
  timeoutMs?: number;
  /** Characters per text sent (servers reject inputs beyond their context). */
  maxChars?: number;
  /** The process's shutdown deadline: aborts a request still waiting then. */
  signal?: AbortSignal;
}

const ResponseSchema = z.object({
  data: z.array(z.object({ embedding: z.array(z.number()), index: z.number().int().optional() })),
});

export class EmbedderError extends Error {
  override name = 'EmbedderError';
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

export class HttpEmbedder implements Embedder {
  readonly id: string;

  private constructor(
    private readonly opts: HttpEmbedderOptions,
    readonly dimensions: number,
  ) {
    this.id = `http:${opts.model}:${dimensions}`;
  }

  /** Asks the server once for the model's dimensions. */
  static async connect(opts: HttpEmbedderOptions): Promise<HttpEmbedder> {
    const [probe] = await request(opts, ['dimension probe']);
    return new HttpEmbedder(opts, probe.length);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const size = this.opts.batchSize ?? 64;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += size) {
      const vectors = await request(this.opts, texts.slice(i, i + size));
      for (const v of vectors) {
        if (v.length !== this.dimensions) throw new EmbedderError(`embedding server returned ${v.length} dimensions, expected ${this.dimensions}`);
        out.push(v);
      }
    }
    return out;
  }
}

async function request(opts: HttpEmbedderOptions, texts: string[]): Promise<Float32Array[]> {
  if (!texts.length) return [];
  const input = texts.map((t) => (t.trim() ? t.slice(0, opts.maxChars ?? 8000) : ' '));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  let res: Response;
  try {
    res = await fetch(endpointOf(opts.url), {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: opts.model, input, encoding_format: 'float' }),
      signal: eitherSignal(AbortSignal.timeout(opts.timeoutMs ?? 60_000), opts.signal),
    });
  } catch (err) {
    if (opts.signal?.aborted) throw new EmbedderError(`embedding request to ${endpointOf(opts.url)} stopped: ${(opts.signal.reason as Error)?.message ?? 'aborted'}`);
    throw new EmbedderError(`embedding server ${endpointOf(opts.url)} unreachable: ${(err as Error).message}`);
  }
  if (!res.ok) {
    const body = (await res.text().catch(() => '')).slice(0, 300);
    throw new EmbedderError(`embedding server answered ${res.status}: ${body}`);
  }
  const parsed = ResponseSchema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new EmbedderError('embedding server answered with something other than {data: [{embedding: [...]}]}');
  const data = parsed.data.data;
  if (data.length !== texts.length) throw new EmbedderError(`embedding server returned ${data.length} vectors for ${texts.length} texts`);
  const ordered = data.every((d) => d.index !== undefined) ? [...data].sort((a, b) => a.index! - b.index!) : data;
  return ordered.map((d) => {
    if (!d.embedding.length) throw new EmbedderError('embedding server returned an empty vector');
    return normalise(Float32Array.from(d.embedding));
  });
}
