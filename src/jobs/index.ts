import type { Services } from '../services/index.ts';
import { communityCleanupJob } from './community-cleanup-job.ts';
import { digestJob } from './digest-job.ts';
import { harvestJob } from './harvest-job.ts';
import { zoteroSyncJob } from './zotero-sync-job.ts';
import { reembedJob } from './reembed-job.ts';
import { similarListsJob } from './similar-lists-job.ts';
import { refineModelJob } from './refine-model-job.ts';
import { notifyJob } from './notify-job.ts';
import { keywordIndexJob } from './keyword-index-job.ts';
import { forYouFeaturesJob } from './for-you-features-job.ts';
import { enrichJob } from './enrich-job.ts';
import type { Job } from './scheduler.ts';

/** The jobs `serve` (and `worker`) schedule, as the settings allow. */
export function scheduledJobs(services: Services): Job[] {
  const jobs: Job[] = [
    digestJob(services),
    communityCleanupJob(services.housekeeping),
    zoteroSyncJob(services.zotero, services.config.zoteroSyncSchedule),
    reembedJob(services.searchIndex, services.config.searchEmbedSchedule),
    similarListsJob(services.similarLists, services.config.searchEmbedSchedule),
    refineModelJob(services.modelRefinement, services.config.searchEmbedSchedule),
    notifyJob(services),
  ];
  if (services.config.enrichEnabled) jobs.push(enrichJob(services.enrichment, services.config.enrichSchedule));
  if (services.config.harvestEnabled) jobs.push(harvestJob(services.ingest, services.config));
  if (services.keywordIndex?.persistent) jobs.push(keywordIndexJob(services.keywordIndex));
  if (services.forYou.persistent) jobs.push(forYouFeaturesJob(services.forYou));
  return jobs;
}
