import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from '../logger.ts';
import type { App } from './app.ts';

export interface RunningServer {
  port: number;
  url: string;
  /** Stops accepting connections and waits for in-flight requests (at most `timeoutMs`). */
  close(timeoutMs?: number): Promise<void>;
}

export function startServer(app: App, opts: { host: string; port: number; logger: Logger }): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, (info: AddressInfo) => {
      const host = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
      const url = `http://${host}:${info.port}`;
      resolve({
        port: info.port,
        url,
        close: (timeoutMs = 10_000) =>
          new Promise<void>((done) => {
            const s = server as Server;
            const timer = setTimeout(() => {
              s.closeAllConnections?.();
              done();
            }, timeoutMs);
            timer.unref();
            s.close(() => {
              clearTimeout(timer);
              done();
            });
            s.closeIdleConnections?.();
          }),
      });
    }) as Server;
    server.once('error', reject);
  });
}
