import type { Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { createLogger } from '../../logger.ts';
import { openRuntime } from '../../services/runtime.ts';
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
    const runtime = await openRuntime(config, logger, { serving: true });
    const { services } = runtime;
    if (runtime.migrated.length) logger.info({ migrations: runtime.migrated }, 'migrated the store');
    const scheduler = new JobScheduler(services.runs, logger);
    const jobs = scheduledJobs(services);
    scheduler.start(jobs);
    logger.info({ jobs: jobs.map((j) => j.name), holder: scheduler.holder, store: runtime.describe }, 'Paperboy worker running');
    if (!jobs.length) logger.warn('no job is enabled by the settings: the worker has nothing to do');

    await untilSignal(logger, 'shutting down: stopping schedules, waiting for running jobs', async () => {
      await scheduler.stop(); // running jobs stop at their next checkpoint and release their leases
      await runtime.close();
    });
    return 0;
  },
};
