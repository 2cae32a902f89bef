import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReplayRequest {
  url: URL;
  at: number;
}

export type ReplayHandler = (req: ReplayRequest, res: http.ServerResponse) => void | Promise<void>;

/**
 * A local HTTP server on a random port standing in for arXiv: each request is logged and handed
 * to `handler`, which answers with fixture files in arXiv's real formats.
 */
export async function startReplayServer(handler: ReplayHandler): Promise<{ url: string; requests: ReplayRequest[]; close(): Promise<void> }> {
  const requests: ReplayRequest[] = [];
  const server = http.createServer((req, res) => {
    const r = { url: new URL(req.url ?? '/', 'http://localhost'), at: Date.now() };
    requests.push(r);
    Promise.resolve(handler(r, res)).catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendXml(res: http.ServerResponse, body: string, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/xml; charset=utf-8', ...headers });
  res.end(body);
}
