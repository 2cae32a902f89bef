import { z } from 'zod';

/**
 * The wire formats of the embedding servers people run. Each says where to send a batch, what to
 * send and how to read the answer back into one raw vector per text (in order); the HTTP embedder
 * does the rest (batching, retries, checks). Shapes follow the servers' own documentation:
 * - `openai`: `POST /v1/embeddings` `{model, input, encoding_format}` → `{data: [{index, embedding}], model, usage}`
 *   (OpenAI, vLLM, llama.cpp, LiteLLM, and the OpenAI routes of text-embeddings-inference and Ollama);
 * - `tei`: text-embeddings-inference's own `POST /embed` `{inputs, truncate, normalize}` → `number[][]`, `GET /info`;
 * - `ollama`: `POST /api/embed` `{model, input, truncate}` → `{model, embeddings}`; servers older than
 *   0.3 only have `POST /api/embeddings` `{model, prompt}` → `{embedding}`, one text per request.
 */
export const EMBEDDINGS_APIS = ['openai', 'tei', 'ollama'] as const;
export type EmbeddingsApi = (typeof EMBEDDINGS_APIS)[number];

export class EmbeddingAnswerError extends Error {
  override name = 'EmbeddingAnswerError';
}

/** `http://host:8080`, `http://host:8080/`, `http://host:8080/v1` → `http://host:8080`. */
export function serverRoot(base: string): string {
  return base.replace(/\/+$/, '').replace(/\/v1(\/embeddings)?$/, '').replace(/\/api(\/embed(dings)?)?$/, '').replace(/\/embed$/, '');
}

const OpenAiAnswer = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative().optional(), embedding: z.union([z.array(z.number().nullable()), z.string()]) })),
  model: z.string().optional(),
});

/** A base64 `embedding` (OpenAI `encoding_format: "base64"`): little-endian float32s. */
export function decodeBase64Floats(s: string): number[] {
  const buf = Buffer.from(s, 'base64');
  if (!buf.length || buf.length % 4) throw new EmbeddingAnswerError(`a base64 embedding of ${buf.length} bytes is not a list of float32s`);
  const out: number[] = new Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

export function openAiBody(model: string, input: string[], encoding: 'float' | 'base64'): unknown {
  return { model, input, encoding_format: encoding };
}

export function readOpenAi(json: unknown, count: number): number[][] {
  const parsed = OpenAiAnswer.safeParse(json);
  if (!parsed.success) throw new EmbeddingAnswerError(`the server answered with something other than {data: [{index, embedding}]}: ${brief(json)}`);
  const data = parsed.data.data;
  if (data.length !== count) throw new EmbeddingAnswerError(`the server returned ${data.length} vectors for ${count} texts`);
  let ordered = data;
  if (data.every((d) => d.index !== undefined)) {
    ordered = [...data].sort((a, b) => a.index! - b.index!);
    if (ordered.some((d, i) => d.index !== i)) throw new EmbeddingAnswerError(`the server's indexes are not 0..${count - 1}: ${ordered.map((d) => d.index).join(',')}`);
  }
  return ordered.map((d) => (typeof d.embedding === 'string' ? decodeBase64Floats(d.embedding) : (d.embedding as number[])));
}

const Matrix = z.array(z.array(z.number().nullable()));

export function teiBody(input: string[]): unknown {
  // Truncate at the model's window instead of a 413 for a long abstract; we normalise anyway.
  return { inputs: input, truncate: true, normalize: true };
}

export function readMatrix(json: unknown, count: number, what: string): number[][] {
  const parsed = Matrix.safeParse(json);
  if (!parsed.success) throw new EmbeddingAnswerError(`the server answered with something other than ${what}: ${brief(json)}`);
  if (parsed.data.length !== count) throw new EmbeddingAnswerError(`the server returned ${parsed.data.length} vectors for ${count} texts`);
  return parsed.data as number[][];
}

const TeiInfo = z.object({ model_id: z.string().min(1), max_client_batch_size: z.number().int().positive().optional(), max_input_length: z.number().int().positive().optional() });
export type TeiInfo = z.infer<typeof TeiInfo>;

export function readTeiInfo(json: unknown): TeiInfo {
  const parsed = TeiInfo.safeParse(json);
  if (!parsed.success) throw new EmbeddingAnswerError(`GET /info did not answer like text-embeddings-inference (no model_id): ${brief(json)}`);
  return parsed.data;
}

export function ollamaBody(model: string, input: string[]): unknown {
  return { model, input, truncate: true };
}

export function readOllama(json: unknown, count: number): number[][] {
  const parsed = z.object({ embeddings: z.unknown() }).safeParse(json);
  if (!parsed.success) throw new EmbeddingAnswerError(`the server answered with something other than {embeddings: [[...]]}: ${brief(json)}`);
  return readMatrix(parsed.data.embeddings, count, '{embeddings: [[...]]}');
}

export function readOllamaLegacy(json: unknown): number[] {
  const parsed = z.object({ embedding: z.array(z.number().nullable()) }).safeParse(json);
  if (!parsed.success) throw new EmbeddingAnswerError(`the server answered with something other than {embedding: [...]}: ${brief(json)}`);
  return parsed.data.embedding as number[];
}

function brief(json: unknown): string {
  const s = JSON.stringify(json) ?? String(json);
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}
