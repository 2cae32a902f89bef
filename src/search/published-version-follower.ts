import type { Logger } from '../logger.ts';
import type { IndexVersion } from '../store/search-index-files.ts';

export interface FollowerOptions {
  /** The newest published version's row (`PublishedIndex.latest`); null when nothing is published. */
  latest: () => Promise<IndexVersion | null>;
  /**
   * Opens the newest published version and swaps it in for the one in memory (which serves until
   * then), bringing it up to date as its kind does; false when it cannot be served. Sets `version`.
   */
  swapIn: () => Promise<boolean>;
  /** How often the version row is checked; default 30 s. */
  pollMs?: number;
  logger?: Logger;
  /** What a failed check could not find, for the log: `a newer keyword index`. */
  what: string;
}

/**
 * How a server follows a published index (`published-index.ts`): it remembers the version it
 * serves, checks the store's version row now and then, and swaps a newer version in without a
 * restart — the keyword index (`InvertedIndexEngine`) and the For-you features (`ForYouService`)
 * alike. A check never runs twice at a time and is never awaited by a search or a reader.
 */
export class PublishedVersionFollower {
  /** The published version in memory (null: built here and not published, or nothing loaded yet). */
  version: number | null = null;
  private lastPoll = 0;
  private polling?: Promise<boolean>;

  constructor(private readonly opts: FollowerOptions) {}

  /** A published version was just loaded: it is served, and the next check is `pollMs` away. */
  loaded(version: number): void {
    this.version = version;
    this.lastPoll = Date.now();
  }

  /** Checks the version row when `pollMs` has passed since the last check, in the background. */
  pollInBackground(): void {
    if (this.polling || Date.now() - this.lastPoll < (this.opts.pollMs ?? 30_000)) return;
    this.lastPoll = Date.now();
    void this.poll().catch((err) => this.opts.logger?.warn({ err: (err as Error).message }, `could not check for ${this.opts.what}`));
  }

  /** Swaps in a newer published version than the one in memory, if there is one. Returns whether it swapped. */
  poll(): Promise<boolean> {
    this.polling ??= (async () => {
      const latest = await this.opts.latest();
      if (!latest || (this.version !== null && latest.version <= this.version)) return false;
      return this.opts.swapIn();
    })().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }
}
