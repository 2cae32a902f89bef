import type { Services } from '../services/index.ts';
import { harvestJob } from './harvest-job.ts';
import { digestJob } from './digest-job.ts';
import { communityCleanupJob } from './community-cleanup-job.ts';
import type { Job } from './scheduler.ts';

/** The jobs `serve` schedules, as the settings allow. */
export function scheduledJobs(services: Services): Job[] {
  const jobs: Job[] = [];
  if (services.config.harvestEnabled) jobs.push(harvestJob(services.ingest, services.config));
  jobs.push(digestJob(services), communityCleanupJob(services.store));
  return jobs;
}
