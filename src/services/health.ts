import type { Store } from '../store/store.ts';

/** What /readyz reports: each check is `ok` or says what is wrong. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

/** Whether this process can serve: the store answers with the schema this code expects, and the search index is loaded. */
export class HealthService {
  constructor(private readonly store: Store) {}

  /** `searchIndexReady`: the search service's `indexReady` (null when this process keeps no index warm). */
  async readiness(searchIndexReady: boolean | null): Promise<Readiness> {
    const checks: Record<string, string> = {};
    try {
      const { pendingMigrations } = await this.store.health();
      checks.store = 'ok';
      checks.migrations = pendingMigrations.length ? `pending: ${pendingMigrations.join(', ')}` : 'ok';
    } catch (err) {
      checks.store = `unreachable: ${(err as Error).message}`;
    }
    if (searchIndexReady !== null) checks.searchIndex = searchIndexReady ? 'ok' : 'building';
    return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
  }
}
