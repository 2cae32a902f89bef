import type { Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { createLogger } from '../../logger.ts';
import { openStore } from '../../store/index.ts';
import { createServices } from '../../services/index.ts';
import { JobScheduler } from '../../jobs/scheduler.ts';
import { scheduledJobs } from '../../jobs/index.ts';
import { untilSignal } from '../signals.ts';

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
    const opened = await openStore(config.db, { connectTimeoutMs: config.storeConnectTimeoutMs, poolWaitMs: config.storePoolWaitMs });
    if (opened.migrated.length) logger.info({ migrations: opened.migrated }, 'migrated the store');
    const services = createServices({ config, logger, store: opened.store, poolStats: opened.connection.poolStats });
    const scheduler = new JobScheduler(opened.store, logger);
    const jobs = scheduledJobs(services);
    scheduler.start(jobs);
    logger.info({ jobs: jobs.map((j) => j.name), holder: scheduler.holder, store: opened.connection.describe }, 'Paperboy worker running');
    if (!jobs.length) logger.warn('no job is enabled by the settings: the worker has nothing to do');

    await untilSignal(logger, 'shutting down: stopping schedules, waiting for running jobs', async () => {
      await scheduler.stop(); // running jobs stop at their next checkpoint and release their leases
      await opened.close();
    });
    return 0;
  },
};
