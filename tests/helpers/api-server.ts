import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { createApp, type App } from '../../src/http/app.ts';
import { startServer } from '../../src/http/server.ts';
import type { Store } from '../../src/store/store.ts';

export interface RunningApp {
  url: string;
  app: App;
  services: Services;
  /** The store under the app, for setting up and checking rows. */
  store: Store;
  close(): Promise<void>;
}

/** The real app on a real port (0: any free one), over `store`, with settings from `env`. */
export async function startApiServer(store: Store, env: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadConfig({ PAPERBOY_DB: ':memory:', LOG_LEVEL: 'silent', PAPERBOY_DEMO: 'false', API_RATE_LIMIT_IP: '100000', API_RATE_LIMIT_TOKEN: '100000', ...env });
  const services = createServices({ config, logger: silentLogger, store });
  const app = createApp(services);
  const server = await startServer(app, { host: '127.0.0.1', port: 0, logger: silentLogger });
  return { url: server.url, app, services, store, close: () => server.close(1000) };
}
