import type { Migration } from 'kysely';
import * as m0001 from './0001_papers.ts';

/**
 * Every migration, by name. Names sort in the order they run; each feature's migrations use their
 * own number range, so features developed side by side do not collide.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_papers': m0001,
};
