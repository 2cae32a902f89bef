import type { Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { createLogger } from '../../logger.ts';
import { openRuntime } from '../../services/runtime.ts';
import { createApp } from '../../http/app.ts';
import { startServer } from '../../http/server.ts';
import { JobScheduler } from '../../jobs/scheduler.ts';
import { scheduledJobs } from '../../jobs/index.ts';
import { GracefulShutdown } from '../shutdown.ts';
import { untilDone } from '../../shutdown.ts';
import { sitePaths } from '../../domain/site-paths.ts';

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
    const shutdown = new GracefulShutdown(logger, config.shutdownTimeoutMs);
    const runtime = await openRuntime(config, logger, { serving: true, loadDemo: config.demo, deps: { shutdown: shutdown.deadline } });
    const { services } = runtime;
    if (runtime.migrated.length) logger.info({ migrations: runtime.migrated }, 'migrated the store');
    if (runtime.demo) logger.info({ inserted: runtime.demo.inserted }, 'the store was empty: loaded the demo set');
    const app = createApp(services);
    // The first request of a fresh process pays for compiling the page templates and the request
    // path (about 100 ms at 75k papers): the home page is rendered once here, before the port opens,
    // so that the first reader does not wait for it (BENCHMARKS, start-up, round 17).
    const warmUp = performance.now();
    const home = await Promise.resolve(app.request(sitePaths.home())).catch((err: unknown) => {
      logger.warn({ err }, 'the warm-up render of the home page failed');
      return null;
    });
    logger.debug({ ms: Math.round(performance.now() - warmUp), status: home?.status }, 'rendered the home page once before listening');
    const server = await startServer(app, { host: config.host, port: config.port, logger });
    logger.info({ url: server.url, store: runtime.describe }, `Paperboy is serving ${server.url}`);
    const scheduler = new JobScheduler(services.runs, logger);
    scheduler.start(scheduledJobs(services));
    const stopIndexing = services.searchIndex.keepInStep();
    if (!services.mail.configured) logger.warn({ dir: config.mailDir }, 'mail is not configured (SMTP_URL): mails are written as .eml files');
    // The "For you" features take seconds to build on a large store: load (or build) them now, not on the first reader's request.
    const warmStart = Date.now();
    services.forYou.warm().then(
      (papers) => {
        const { source, delta, rejected } = services.forYou.lastLoad;
        logger.info({ papers, ms: Date.now() - warmStart, source, version: services.forYou.servedVersion, delta, rejected }, source === 'file' ? 'loaded the "For you" index' : 'built the "For you" index');
      },
      (err) => logger.error({ err }, 'could not load or build the "For you" index'),
    );

    return shutdown.untilSignal('shutting down: finishing in-flight requests and job steps', async () => {
      // Stop accepting connections and stop the schedules at once; requests, the job step and the
      // search catch-up under way finish (their outbound calls are aborted at the deadline).
      await Promise.all([server.drain(shutdown.deadline), scheduler.stop(shutdown.deadline), untilDone(stopIndexing(), shutdown.deadline)]);
      // Last: nothing that uses the store is running any more (services first, then the store).
      await runtime.close();
    });
  },
};
