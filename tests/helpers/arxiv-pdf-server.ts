import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake arXiv answers for one paper id. */
export type PdfAnswer =
  | { kind: 'pdf'; bytes: Uint8Array }
  /** Sends the bytes without a Content-Length (chunked), as a proxy might: only streaming can cap it. */
  | { kind: 'chunked'; bytes: Uint8Array }
  /** A 200 whose body is not a PDF (an HTML page), with `application/pdf` as arXiv's CDN might claim. */
  | { kind: 'html' }
  /** A declared Content-Length over any cap, then the server keeps sending slowly. */
  | { kind: 'huge'; bytes: number }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Headers at once, then one byte and silence. */
  | { kind: 'stall' }
  | { kind: 'redirect'; location: string };

export interface PdfRequest {
  path: string;
  at: number;
}

export interface ArxivPdfServer {
  /** ARXIV_PDF_URL for this server: `{url}/pdf`. */
  pdfUrl: string;
  url: string;
  requests: PdfRequest[];
  answers: Map<string, PdfAnswer>;
  close(): Promise<void>;
}

const NOT_FOUND_HTML = '<!DOCTYPE html><html><head><title>Not Found</title></head><body><h1>Not Found</h1><p>The requested paper was not found.</p></body></html>';

/**
 * A local HTTP server answering as arxiv.org/pdf does: `GET /pdf/{id}` gives `application/pdf`
 * with its Content-Length, an unknown id a 404 HTML page, and per id whatever a test scripts
 * (429 with Retry-After, a huge file, a stall, a redirect). Every request is logged with its time.
 */
export async function startArxivPdfServer(answers: Record<string, PdfAnswer> = {}): Promise<ArxivPdfServer> {
  const requests: PdfRequest[] = [];
  const map = new Map(Object.entries(answers));
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push({ path, at: Date.now() });
    const id = path.startsWith('/pdf/') ? decodeURI(path.slice(5)) : null;
    const answer = id ? map.get(id) : undefined;
    if (!answer) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(NOT_FOUND_HTML) });
      res.end(NOT_FOUND_HTML);
      return;
    }
    switch (answer.kind) {
      case 'pdf':
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': answer.bytes.byteLength, 'cache-control': 'max-age=86400' });
        res.end(answer.bytes);
        return;
      case 'chunked': {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        const step = 64 * 1024;
        let at = 0;
        const pump = () => {
          while (at < answer.bytes.byteLength) {
            const ok = res.write(answer.bytes.subarray(at, at + step));
            at += step;
            if (!ok) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
        return;
      }
      case 'html': {
        const body = '<!DOCTYPE html><html><body><h1>Just a moment…</h1>' + 'x'.repeat(4000) + '</body></html>';
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': answer.bytes });
        res.write('%PDF-1.5\n');
        const t = setInterval(() => res.write(Buffer.alloc(1024)), 50);
        res.on('close', () => clearInterval(t));
        return;
      }
      case 'status':
        res.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8', ...answer.headers });
        res.end(`<html><body>${answer.status}</body></html>`);
        return;
      case 'stall':
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': 100_000 });
        res.write('%');
        return;
      case 'redirect':
        res.writeHead(302, { location: answer.location });
        res.end();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    pdfUrl: `${url}/pdf`,
    requests,
    answers: map,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
