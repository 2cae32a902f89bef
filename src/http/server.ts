import http, { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from '../logger.ts';
import type { App } from './app.ts';
import { servingRequest } from '../slices.ts';

export interface RunningServer {
  port: number;
  url: string;
  /**
   * Stops accepting connections and waits until every request already received has been answered
   * and its handler has returned (requests arriving meanwhile on open keep-alive connections are
   * answered too, with `Connection: close`). When `deadline` aborts, it waits a moment more for
   * handlers whose outbound calls that same signal aborted, then closes every connection and
   * resolves. After it resolves no handler uses the store any more, unless one was stuck past that.
   */
  drain(deadline: AbortSignal): Promise<void>;
  /** `drain` with a deadline `timeoutMs` from now. */
  close(timeoutMs?: number): Promise<void>;
}

/** How long drain waits, once nothing is in flight, for bytes clients already sent on idle connections. */
const LINGER_MS = 100;
/** After the deadline: how long handlers whose outbound calls were aborted get to answer. */
const AFTER_DEADLINE_MS = 300;
const POLL_MS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Resolves after the event loop's next poll phase: a timer's callback runs before the poll, an
 * immediate's after it. In that poll the loop accepts the connections the kernel has queued and reads
 * the bytes that have arrived, so a request already sent has been seen (its 'request' emitted).
 */
const afterNextPoll = () => new Promise<void>((r) => setTimeout(() => setImmediate(r), 0));

/** An answer given over an in-memory connection (`HttpServer.request`): the body as sent (compressed when asked). */
export interface InMemoryAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The site's HTTP server before its port opens. */
export interface HttpServer {
  /**
   * Answers a GET of `path` through the server's own request listener — node:http's request
   * parsing, the Node adapter's request and response objects, the app, the response written to a
   * socket — over an in-memory connection: no port is open. `serve` warms the reader's path with it
   * before listening (`src/http/warm-up.ts`).
   */
  request(path: string, headers?: Record<string, string>): Promise<InMemoryAnswer>;
  /** Opens the port. */
  listen(port: number): Promise<RunningServer>;
}

export function startServer(app: App, opts: { host: string; port: number; logger: Logger }): Promise<RunningServer> {
  return createHttpServer(app, opts).listen(opts.port);
}

/**
 * The server, not yet listening. Making it installs the Node adapter's `Request` and `Response` as
 * the globals (its lighter objects, which every request then uses), so what runs after this —
 * a warm-up included — runs the classes readers' requests run.
 */
export function createHttpServer(app: App, opts: { host: string; logger: Logger }): HttpServer {
  // Handlers still running, and responses not yet finished (a streamed body outlives its handler).
  let handlers = 0;
  const responses = new Set<ServerResponse>();
  let draining = false;
  const fetch: App['fetch'] = async (req, ...rest) => {
    handlers++;
    try {
      // Background slices (start-up loading, job steps) wait while requests are in flight (src/slices.ts).
      return await servingRequest(() => app.fetch(req, ...rest));
    } finally {
      handlers--;
    }
  };
  const idle = () => handlers === 0 && responses.size === 0;
  const server = createAdaptorServer({ fetch, hostname: opts.host }) as Server;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    responses.add(res);
    res.once('close', () => responses.delete(res));
    // While draining, each answer closes its connection, so a client's next request is refused, not cut off.
    if (draining) res.setHeader('connection', 'close');
  });

  return {
    request: (path, headers = {}) => inMemoryRequest(server, path, headers),
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, opts.host, () => {
          const info = server.address() as AddressInfo;
          const host = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
          const url = `http://${host}:${info.port}`;
          let drained: Promise<void> | undefined;
          const drain = (deadline: AbortSignal) => (drained ??= drainServer(server, deadline));
          resolve({ port: info.port, url, drain, close: (timeoutMs = 10_000) => drain(AbortSignal.timeout(timeoutMs)) });
        });
      }),
  };

  async function drainServer(server: Server, deadline: AbortSignal): Promise<void> {
    draining = true;
    for (const res of responses) if (!res.headersSent) res.setHeader('connection', 'close');
    // Closing the listening socket resets every connection the kernel completed but the loop has not
    // accepted yet — requests sent before the signal, on a busy server. One poll first accepts them.
    await afterNextPoll();
    // Stop listening, without http.Server.close()'s closing of idle keep-alive connections: a request
    // a client already sent on one may not have been read yet, and it deserves an answer.
    let closed = false;
    net.Server.prototype.close.call(server, () => (closed = true));
    while (!deadline.aborted && !closed) {
      if (idle()) {
        await sleep(LINGER_MS);
        // A request whose bytes arrived since the last poll is not read yet, so its connection looks
        // idle: read them first, then close at once what is still idle.
        await afterNextPoll();
        if (idle()) server.closeIdleConnections();
      }
      await sleep(POLL_MS);
    }
    if (closed && idle()) return;
    // The deadline: outbound calls were aborted with the same signal, so handlers answer now.
    const t0 = Date.now();
    while (!idle() && Date.now() - t0 < AFTER_DEADLINE_MS) await sleep(POLL_MS);
    server.closeAllConnections();
    while (handlers > 0 && Date.now() - t0 < 2 * AFTER_DEADLINE_MS) await sleep(POLL_MS);
    if (handlers > 0) opts.logger.warn({ handlers }, 'requests still running after the shutdown deadline: their connections were closed');
  }
}

/** One end of an in-memory connection: what is written to it is read from the other end. */
class ConnectionEnd extends Duplex {
  other!: ConnectionEnd;
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.other.push(chunk);
    done();
  }
  override _final(done: (err?: Error | null) => void): void {
    this.other.push(null);
    done();
  }
  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (!this.other.readableEnded) this.other.push(null);
    done(err);
  }
}

/** A GET of `path` handed to `server` as a connection of its own (`'connection'` with a stream pair), read by node:http's client. */
function inMemoryRequest(server: Server, path: string, headers: Record<string, string>): Promise<InMemoryAnswer> {
  const client = new ConnectionEnd();
  const side = new ConnectionEnd();
  client.other = side;
  side.other = client;
  server.emit('connection', side);
  return new Promise((resolve, reject) => {
    const req = http.request({ createConnection: () => client as unknown as net.Socket, path, headers: { host: 'localhost', connection: 'close', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}
