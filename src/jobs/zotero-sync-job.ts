import type { ZoteroService } from '../services/zotero.ts';
import type { Job } from './scheduler.ts';

/** Keeps connected Zotero libraries in step (ZOTERO_SYNC_SCHEDULE); each sync reads only what changed. */
export function zoteroSyncJob(zotero: ZoteroService, schedule: string): Job {
  return { name: 'zotero-sync', schedule, timezone: 'UTC', run: (signal) => zotero.syncAll(signal) };
}
