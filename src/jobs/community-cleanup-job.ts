import type { Job } from './scheduler.ts';
import type { HousekeepingService } from '../services/housekeeping.ts';

/** Hourly housekeeping for the community tables (`HousekeepingService.prune`). */
export function communityCleanupJob(housekeeping: HousekeepingService): Job {
  return {
    name: 'community-cleanup',
    schedule: '17 * * * *',
    timezone: 'UTC',
    run: () => housekeeping.prune(),
  };
}
