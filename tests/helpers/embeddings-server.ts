import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashVector } from './hash-embedder.ts';

/** Which server to play. */
export type ServerKind = 'openai' | 'tei' | 'ollama' | 'ollama-legacy';

export interface ReceivedRequest {
  method: string;
  path: string;
  authorization?: string;
  body: Record<string, unknown>;
}

export interface ScriptedAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface EmbeddingsServer {
  url: string;
  kind: ServerKind;
  /** Every request received, body parsed. */
  requests: ReceivedRequest[];
  /** Answers to give instead of the normal one, first in first out (one per request to an embedding route). */
  script: ScriptedAnswer[];
  /** Replace to make the server misbehave on every embedding request: return an answer to send instead. */
  override?: (body: Record<string, unknown>) => ScriptedAnswer | undefined;
  /** Milliseconds every embedding answer is delayed (a slow server). */
  delayMs: number;
  /** Vector size; change it to play a server that was switched to another model. */
  dimensions: number;
  close(): Promise<void>;
}

export interface EmbeddingsServerOptions {
  kind?: ServerKind;
  dimensions?: number;
  apiKey?: string;
  /** TEI: `max_client_batch_size` (its default is 32) and `max_input_length` in tokens (words here). */
  maxClientBatchSize?: number;
  maxInputLength?: number;
  /** TEI's model id in `/info`; the model name Ollama serves. */
  model?: string;
}

/**
 * Local stand-ins for the embedding servers Paperboy talks to, answering with hashed bag-of-words
 * vectors (scaled, so clients must normalise) in each server's own shapes, errors included:
 * - `openai`: `POST /v1/embeddings` → `{object: "list", data: [{object, index, embedding}], model, usage}`,
 *   data in reverse order (servers may reorder; clients sort by index), base64 when asked; errors
 *   `{error: {message, type, param, code}}`.
 * - `tei` (text-embeddings-inference 1.x): `GET /info`; `POST /embed` `{inputs, truncate, normalize}` →
 *   `number[][]`; errors `{error, error_type}` with its status map (Validation 413 — too many inputs or,
 *   without `truncate`, too long an input —, Tokenizer 422, Backend 424, Overloaded 429, Empty 400);
 *   its OpenAI route `POST /v1/embeddings` with errors `{message, code, type}`.
 * - `ollama` (0.3+): `POST /api/embed` `{model, input, truncate}` → `{model, embeddings, total_duration, …}`;
 *   a model it does not have is a 404 `{error: "model \"x\" not found, try pulling it first"}`;
 *   `POST /api/embeddings` `{model, prompt}` → `{embedding}` (the older route, still served).
 * - `ollama-legacy` (before 0.3): only `/api/embeddings`; `/api/embed` is Go's plain-text 404.
 */
export async function startEmbeddingsServer(opts: EmbeddingsServerOptions = {}): Promise<EmbeddingsServer> {
  const kind = opts.kind ?? 'openai';
  const state: EmbeddingsServer = { url: '', kind, requests: [], script: [], delayMs: 0, dimensions: opts.dimensions ?? 256, close: async () => {} };
  const maxBatch = opts.maxClientBatchSize ?? 32;
  const maxInput = opts.maxInputLength ?? 512;
  const model = opts.model ?? 'BAAI/bge-small-en-v1.5';
  const vector = (t: string) => Array.from(hashVector(t, state.dimensions)).map((x) => x * 3);

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => void answer(req, res, raw));
  });

  const answer = async (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': typeof body === 'string' && !text.startsWith('{') && !text.startsWith('[') ? 'text/plain; charset=utf-8' : 'application/json', ...headers });
      res.end(text);
    };
    const path = (req.url ?? '').split('?')[0];
    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        if (kind === 'tei') return send(422, 'Failed to parse the request body as JSON');
        if (kind.startsWith('ollama')) return send(400, { error: 'invalid character in request body' });
        return send(400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
      }
    }
    state.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });

    if (kind === 'tei' && req.method === 'GET' && path === '/info') {
      return send(200, {
        model_id: model,
        model_sha: null,
        model_dtype: 'float32',
        model_type: { embedding: { pooling: 'cls' } },
        max_concurrent_requests: 512,
        max_input_length: maxInput,
        max_batch_tokens: 16384,
        max_batch_requests: null,
        max_client_batch_size: maxBatch,
        auto_truncate: false,
        tokenization_workers: 2,
        version: '1.5.0',
        sha: null,
        docker_label: null,
      });
    }
    const route = routeOf(kind, req.method ?? '', path);
    if (!route) {
      if (kind.startsWith('ollama')) return send(404, '404 page not found');
      if (kind === 'tei') return send(404, '');
      return send(404, { error: { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', param: null, code: null } });
    }
    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      if (kind === 'tei') return send(401, '');
      return send(401, { error: { message: 'Incorrect API key provided: sk-wr***ng.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    }
    const scripted = state.script.shift() ?? state.override?.(body);
    if (scripted?.delayMs || state.delayMs) await new Promise((r) => setTimeout(r, scripted?.delayMs ?? state.delayMs));
    if (scripted) return send(scripted.status, scripted.body, scripted.headers);

    if (route === 'openai') {
      const inputs = typeof body.input === 'string' ? [body.input] : body.input;
      if (!Array.isArray(inputs) || !inputs.every((x) => typeof x === 'string')) {
        if (kind === 'tei') return send(422, { message: 'Failed to deserialize the JSON body into the target type: input: data did not match any variant', code: 422, type: 'Validation' });
        return send(400, { error: { message: "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", type: 'invalid_request_error', param: null, code: null } });
      }
      if (kind === 'tei') {
        const err = teiValidate(inputs as string[], false);
        if (err) return send(err.status, { message: err.error, code: err.status, type: err.error_type });
      }
      const base64 = body.encoding_format === 'base64';
      const data = (inputs as string[]).map((t, index) => ({ object: 'embedding', index, embedding: base64 ? floatsToBase64(vector(t)) : vector(t) })).reverse();
      const tokens = (inputs as string[]).reduce((n, t) => n + t.split(/\s+/).filter(Boolean).length, 0);
      return send(200, { object: 'list', data, model: body.model ?? model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
    }
    if (route === 'tei-embed') {
      const inputs = typeof body.inputs === 'string' ? [body.inputs] : body.inputs;
      if (!Array.isArray(inputs) || !inputs.every((x) => typeof x === 'string')) return send(422, 'Failed to deserialize the JSON body into the target type: inputs: data did not match any variant of untagged enum Input');
      const err = teiValidate(inputs as string[], body.truncate === true);
      if (err) return send(err.status, { error: err.error, error_type: err.error_type });
      return send(200, (inputs as string[]).map((t) => vector(t)));
    }
    if (route === 'ollama-embed') {
      if (body.model !== model) return send(404, { error: `model "${String(body.model)}" not found, try pulling it first` });
      const inputs = typeof body.input === 'string' ? [body.input] : body.input;
      if (!Array.isArray(inputs)) return send(400, { error: 'invalid input type' });
      // Ollama's /api/embed answers unit vectors.
      return send(200, { model, embeddings: (inputs as string[]).map((t) => Array.from(hashVector(t, state.dimensions))), total_duration: 14143917, load_duration: 1019500, prompt_eval_count: inputs.length });
    }
    // ollama /api/embeddings
    if (body.model !== model) return send(404, { error: `model "${String(body.model)}" not found, try pulling it first` });
    return send(200, { embedding: vector(typeof body.prompt === 'string' ? body.prompt : '') });
  };

  /** TEI's checks on `/embed` and its OpenAI route, with its messages. */
  const teiValidate = (inputs: string[], truncate: boolean): { status: number; error: string; error_type: string } | null => {
    if (!inputs.length) return { status: 400, error: 'Input validation error: `inputs` cannot be empty', error_type: 'Empty' };
    if (inputs.length > maxBatch) return { status: 413, error: `batch size ${inputs.length} > maximum allowed batch size ${maxBatch}`, error_type: 'Validation' };
    for (const t of inputs) {
      const tokens = t.split(/\s+/).filter(Boolean).length + 2;
      if (!truncate && tokens > maxInput) return { status: 413, error: `Input validation error: \`inputs\` must have less than ${maxInput} tokens. Given: ${tokens}`, error_type: 'Validation' };
    }
    return null;
  };

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

function routeOf(kind: ServerKind, method: string, path: string): 'openai' | 'tei-embed' | 'ollama-embed' | 'ollama-embeddings' | null {
  if (method !== 'POST') return null;
  if (path === '/v1/embeddings' && kind !== 'ollama-legacy') return 'openai';
  if (kind === 'tei' && path === '/embed') return 'tei-embed';
  if (kind === 'ollama' && path === '/api/embed') return 'ollama-embed';
  if (kind.startsWith('ollama') && path === '/api/embeddings') return 'ollama-embeddings';
  return null;
}

function floatsToBase64(v: number[]): string {
  const b = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => b.writeFloatLE(x, i * 4));
  return b.toString('base64');
}

/** TEI's 429 body when its queue is full. */
export const TEI_OVERLOADED: ScriptedAnswer = { status: 429, body: JSON.stringify({ error: 'Model is overloaded', error_type: 'Overloaded' }) };
/** OpenAI's 429, with the `retry-after` header it sends. */
export function openAiRateLimited(retryAfterSeconds: number): ScriptedAnswer {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: JSON.stringify({ error: { message: 'Rate limit reached for text-embedding-3-small in organization org-x on requests per min (RPM): Limit 3000, Used 3000, Requested 1. Please try again in 20ms.', type: 'requests', param: null, code: 'rate_limit_exceeded' } }),
  };
}
