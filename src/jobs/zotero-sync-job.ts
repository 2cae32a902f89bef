import type { ZoteroService } from '../services/zotero.ts';
import type { Job } from './scheduler.ts';

/** Keeps connected Zotero libraries in step (ZOTERO_SYNC_SCHEDULE); each sync reads only what changed. */
export function zoteroSyncJob(zotero: ZoteroService, schedule: string): Job {
  return {
    name: 'zotero-sync',
    schedule,
    timezone: 'UTC',
    // A shutdown stops it between libraries: recorded as interrupted, the next sync catches up.
    run: async (signal) => {
      const synced = await zotero.syncAll(signal);
      return signal.aborted ? { ...synced, stopped: true } : synced;
    },
  };
}
