import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local OpenAI-compatible chat server (`POST /v1/chat/completions`) answering as OpenAI, vLLM and
 * llama.cpp do: `{id, object: "chat.completion", created, model, choices: [{index, message: {role,
 * content}, finish_reason}], usage}`; `401 {"error": {message, type, code: "invalid_api_key"}}`
 * for a wrong key; `429` with `Retry-After`. `reply` decides the message content per request; a
 * reply of `{hang: true}` never answers (a timeout), `{status, retryAfter}` answers an error, and
 * `{raw}` sends a body that is not the API's JSON.
 */
export type ChatReply = string | { hang: true } | { status: number; retryAfter?: number } | { raw: string };

export interface ChatServer {
  url: string;
  requests: Array<{ authorization?: string; body: { model: string; messages: Array<{ role: string; content: string }> } }>;
  reply: (body: { model: string; messages: Array<{ role: string; content: string }> }) => ChatReply;
  apiKey?: string;
  close(): Promise<void>;
}

export async function startChatServer(reply: ChatServer['reply'], opts: { apiKey?: string } = {}): Promise<ChatServer> {
  const state: Omit<ChatServer, 'url' | 'close'> = { requests: [], reply, apiKey: opts.apiKey };
  const sockets = new Set<Socket>();
  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return send(res, 404, { error: { message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
    let body: ChatServer['requests'][number]['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
    }
    state.requests.push({ authorization: req.headers.authorization, body });
    if (state.apiKey && req.headers.authorization !== `Bearer ${state.apiKey}`) {
      return send(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    }
    const r = state.reply(body);
    if (typeof r === 'object' && 'hang' in r) return; // never answers
    if (typeof r === 'object' && 'raw' in r) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(r.raw);
    }
    if (typeof r === 'object' && 'status' in r) {
      return send(res, r.status, { error: { message: r.status === 429 ? 'Rate limit reached for requests' : 'The server had an error while processing your request.', type: r.status === 429 ? 'requests' : 'server_error', param: null, code: null } }, r.retryAfter !== undefined ? { 'retry-after': String(r.retryAfter) } : {});
    }
    send(res, 200, {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: r }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  }) as ChatServer;
}
