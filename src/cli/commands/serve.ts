import type { Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { createLogger } from '../../logger.ts';
import { openRuntime } from '../../services/runtime.ts';
import { createApp } from '../../http/app.ts';
import { createHttpServer } from '../../http/server.ts';
import { JobScheduler } from '../../jobs/scheduler.ts';
import { scheduledJobs } from '../../jobs/index.ts';
import { GracefulShutdown } from '../shutdown.ts';
import { untilDone } from '../../shutdown.ts';
import { warmUpPages } from '../../http/warm-up.ts';
import { startReaderThread } from '../../search/index-file-thread.ts';
import { setTimeout as after } from 'node:timers/promises';

/** The longest the job schedules wait for the start-up loading (the keyword index, the "For you" features). */
const START_JOBS_WITHIN_MS = 5 * 60_000;

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
    const http = createHttpServer(app, { host: config.host, logger });
    // The first request of a fresh process pays for compiling the page templates and the request
    // path: the home page is rendered before the port opens, through the HTTP server itself, the last
    // render into the page cache, then answered from it as readers are, so that the first readers
    // neither wait for a cold render nor run the request path for the first time
    // (`src/http/warm-up.ts`; BENCHMARKS, start-up, rounds 17, 23 and 27).
    const warmUp = performance.now();
    const home = await warmUpPages(http).catch((err: unknown) => {
      logger.warn({ err }, 'the warm-up render of the home page failed');
      return null;
    });
    logger.debug({ ms: Math.round(performance.now() - warmUp), status: home?.status, renders: home?.renders, hits: home?.hits }, 'rendered the home page before listening');
    // The background start-up work — loading the keyword index (its reader thread started here too)
    // and the "For you" features — begins before the port opens, and the port opens one turn of the
    // event loop later: what each of them does before its first real wait (creating the reader
    // thread, the first statements and their garbage) ran in the same turn as the listen, with the
    // job schedules' set-up, and held the first readers' requests (BENCHMARKS, start-up, round 19).
    const readerStarted = startReaderThread();
    const stopIndexing = services.searchIndex.keepInStep();
    // The "For you" features take seconds to build on a large store: load (or build) them now, not on the first reader's request.
    const warmStart = Date.now();
    const forYouWarm = services.forYou.warm();
    forYouWarm.then(
      (papers) => {
        const { source, delta, rejected } = services.forYou.lastLoad;
        logger.info({ papers, ms: Date.now() - warmStart, source, version: services.forYou.servedVersion, delta, rejected }, source === 'file' ? 'loaded the "For you" index' : 'built the "For you" index');
      },
      (err) => logger.error({ err }, 'could not load or build the "For you" index'),
    );
    // The job schedules begin once that loading is done (or after START_JOBS_WITHIN_MS at most): a job's
    // first check is synchronous SQL on SQLite — the enrichment job's `due()` at 75k papers is five
    // statements of 200–260 ms of CPU each at load 18 — and its two-minute tick fell inside a start
    // of 20–30 s one time in three (round 19: a feed request waited 10.8 s for it at load 18).
    const scheduler = new JobScheduler(services.runs, logger);
    void Promise.race([Promise.all([forYouWarm.catch(() => undefined), services.searchIndex.indexLoaded]), after(START_JOBS_WITHIN_MS, undefined, { ref: false })]).then(() => scheduler.start(scheduledJobs(services)));
    // A timer, not an immediate: an immediate can run in the same turn, before the loop's timers and
    // I/O. And the reader thread running (a few ms: it is a bundled script), its priority lowered.
    await Promise.all([readerStarted, after(0)]);
    const server = await http.listen(config.port).catch(async (err: unknown) => {
      // The port is taken (say): what began above stops, so that the process can exit with the error.
      await Promise.all([scheduler.stop(shutdown.deadline), stopIndexing()]);
      throw err;
    });
    logger.info({ url: server.url, store: runtime.describe }, `Paperboy is serving ${server.url}`);
    if (!services.mail.configured) logger.warn({ dir: config.mailDir }, 'mail is not configured (SMTP_URL): mails are written as .eml files');

    return shutdown.untilSignal('shutting down: finishing in-flight requests and job steps', async () => {
      // Stop accepting connections and stop the schedules at once; requests, the job step and the
      // search catch-up under way finish (their outbound calls are aborted at the deadline).
      await Promise.all([server.drain(shutdown.deadline), scheduler.stop(shutdown.deadline), untilDone(stopIndexing(), shutdown.deadline)]);
      // Last: nothing that uses the store is running any more (services first, then the store).
      await runtime.close();
    });
  },
};
