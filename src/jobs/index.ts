import type { Services } from '../services/index.ts';
import { harvestJob } from './harvest-job.ts';
import type { Job } from './scheduler.ts';

/** The jobs `serve` schedules, as the settings allow. */
export function scheduledJobs(services: Services): Job[] {
  const jobs: Job[] = [];
  if (services.config.harvestEnabled) jobs.push(harvestJob(services.ingest, services.config));
  return jobs;
}
