/**
 * What the main thread and the side build's thread (`full-text-side-build-worker.ts`) share: kept
 * apart from `full-text-side-build.ts` so that the worker's bundle holds nothing else.
 */

/** The flag's values (an Int32 in shared memory): rows still coming, the import's rows are all committed, stop. */
export const SIDE_ROWS_COMING = 0;
export const SIDE_ROWS_DONE = 1;
export const SIDE_ABORT = 2;

export interface SideBuildData {
  /** better-sqlite3's entry file, resolved by the main thread. */
  driver: string;
  storeFile: string;
  sideFile: string;
  flag: SharedArrayBuffer;
  /** Papers per transaction of the scratch index. */
  batch: number;
  /** FTS5 `automerge` while the scratch index is written. */
  automerge: number;
}

export type SideBuildReply = { kind: 'done'; adopted: boolean; upTo: number; indexed: number; moveMs: number } | { kind: 'failed'; message: string };
