import type { Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { createLogger } from '../../logger.ts';
import { openRuntime } from '../../services/runtime.ts';
import { JobScheduler } from '../../jobs/scheduler.ts';
import { scheduledJobs } from '../../jobs/index.ts';
import { GracefulShutdown } from '../shutdown.ts';
import { untilDone } from '../../shutdown.ts';

/**
 * The scheduled jobs without the HTTP server, for deployments whose web processes should only
 * serve. Any number of workers and servers may share a store: each job's lease makes a scheduled
 * run happen once.
 */
export const workerCommand: Command = {
  name: 'worker',
  summary: 'run the scheduled jobs (harvest, …) without serving HTTP',
  usage: 'paperboy worker [--db LOCATION]',
  options: {},
  async run({ values }) {
    const config = configFromFlags(values);
    const logger = createLogger(config.logLevel, config.logFormat);
    const shutdown = new GracefulShutdown(logger, config.shutdownTimeoutMs);
    const runtime = await openRuntime(config, logger, { serving: true, deps: { shutdown: shutdown.deadline } });
    const { services } = runtime;
    if (runtime.migrated.length) logger.info({ migrations: runtime.migrated }, 'migrated the store');
    // As `serve` does: follows the serving space (a model retrained under it moved to, the old
    // space's ANN index let go); the searching side of it is serve's alone (`searches: false`).
    const stopIndexing = services.searchIndex.keepInStep(undefined, { searches: false });
    const scheduler = new JobScheduler(services.runs, logger);
    const jobs = scheduledJobs(services);
    scheduler.start(jobs);
    logger.info({ jobs: jobs.map((j) => j.name), holder: scheduler.holder, store: runtime.describe }, 'Paperboy worker running');
    if (!jobs.length) logger.warn('no job is enabled by the settings: the worker has nothing to do');

    return shutdown.untilSignal('shutting down: stopping schedules, letting running jobs finish their step', async () => {
      // Running jobs stop after their current step (their outbound calls are aborted at the deadline),
      // record their runs as interrupted and release their leases; the store closes last.
      await Promise.all([scheduler.stop(shutdown.deadline), untilDone(stopIndexing(), shutdown.deadline)]);
      await runtime.close();
    });
  },
};
