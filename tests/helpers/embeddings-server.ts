import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashVector } from './hash-embedder.ts';

export interface EmbeddingsServer {
  url: string;
  /** Every request body received, parsed. */
  requests: { path: string; authorization?: string; body: { model?: string; input?: unknown } }[];
  /** Replace to make the server misbehave: return a status and body to send instead. */
  override?: (body: { model?: string; input?: unknown }) => { status: number; body: string } | undefined;
  close(): Promise<void>;
}

/**
 * A local server speaking the OpenAI-compatible embeddings protocol (`POST /v1/embeddings`,
 * `{model, input}` → `{object: "list", data: [{object: "embedding", index, embedding}], model, usage}`),
 * answering with hashed bag-of-words vectors. Data come back in reverse order with their `index`
 * set, as servers are allowed to, so clients must reorder.
 */
export async function startEmbeddingsServer(opts: { dimensions?: number; apiKey?: string } = {}): Promise<EmbeddingsServer> {
  const dimensions = opts.dimensions ?? 256;
  const state: EmbeddingsServer = { url: '', requests: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      let body: { model?: string; input?: unknown };
      try {
        body = JSON.parse(raw);
      } catch {
        return send(400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
      }
      state.requests.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') return send(404, { error: { message: 'not found' } });
      if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) return send(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
      const o = state.override?.(body);
      if (o) return send(o.status, o.body);
      const inputs = typeof body.input === 'string' ? [body.input] : body.input;
      if (!Array.isArray(inputs) || !inputs.every((x) => typeof x === 'string')) return send(400, { error: { message: "'input' must be a string or an array of strings" } });
      const data = inputs.map((t, index) => ({ object: 'embedding', index, embedding: Array.from(hashVector(t as string, dimensions)).map((x) => x * 3) })).reverse();
      send(200, { object: 'list', data, model: body.model, usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((r) => server.close(() => r()));
  return state;
}
