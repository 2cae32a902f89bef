import type { Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { createLogger } from '../../logger.ts';
import { openStore } from '../../store/index.ts';
import { createServices } from '../../services/index.ts';
import { createApp } from '../../http/app.ts';
import { startServer } from '../../http/server.ts';
import { loadDemoIfEmpty } from '../../services/demo.ts';
import { JobScheduler } from '../../jobs/scheduler.ts';
import { scheduledJobs } from '../../jobs/index.ts';
import { untilSignal } from '../signals.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the site and API (loads the demo set into an empty store)',
  usage: 'paperboy serve [--port N] [--host ADDR] [--db LOCATION] [--no-demo]',
  options: { port: { type: 'string', short: 'p' }, host: { type: 'string' }, 'no-demo': { type: 'boolean' } },
  async run({ values }) {
    const config = configFromFlags(values, {
      ...(values.port !== undefined ? { port: values.port } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(values['no-demo'] ? { demo: false } : {}),
    });
    const logger = createLogger(config.logLevel, config.logFormat);
    const opened = await openStore(config.db, { connectTimeoutMs: config.storeConnectTimeoutMs, poolWaitMs: config.storePoolWaitMs });
    if (opened.migrated.length) logger.info({ migrations: opened.migrated }, 'migrated the store');
    if (config.demo) {
      const demo = await loadDemoIfEmpty(opened.store);
      if (demo) logger.info({ inserted: demo.inserted }, 'the store was empty: loaded the demo set');
    }
    const services = createServices({ config, logger, store: opened.store, poolStats: opened.connection.poolStats });
    const server = await startServer(createApp(services), { host: config.host, port: config.port, logger });
    logger.info({ url: server.url, store: opened.connection.describe }, `Paperboy is serving ${server.url}`);
    const scheduler = new JobScheduler(opened.store, logger);
    scheduler.start(scheduledJobs(services));
    const stopIndexing = services.search.keepInStep();
    if (!services.mail.configured) logger.warn({ dir: config.mailDir }, 'mail is not configured (SMTP_URL): mails are written as .eml files');
    // The "For you" text index takes seconds on a large store: build it now, not on the first reader's request.
    const warmStart = Date.now();
    services.forYou.warm().then(
      (papers) => logger.info({ papers, ms: Date.now() - warmStart }, 'built the "For you" index'),
      (err) => logger.error({ err }, 'could not build the "For you" index'),
    );

    await untilSignal(logger, 'shutting down: finishing in-flight requests', async () => {
      // Jobs first: a harvest stops after its current page (its checkpoint is committed) and releases its lease.
      await scheduler.stop();
      await server.close(config.shutdownTimeoutMs);
      stopIndexing();
      await services.close();
      await opened.close();
    });
    return 0;
  },
};
