/**
 * What changed: a vote (one paper's count, which can reorder the rankings of its feed days and the
 * site-wide ones), or anything else readers see (`all`).
 */
export type ContentChange = { kind: 'vote'; paperId: string; days: readonly string[] } | { kind: 'all' };

/**
 * Says that something readers see changed in this process — an enrichment arrived, a harvest or an
 * import stored papers, a vote changed a paper's count — to whoever keeps rendered pages (the
 * anonymous page cache subscribes in `createApp`). Other writes made through requests are seen by
 * the cache itself.
 */
export class ContentChanges {
  private readonly listeners = new Set<(change: ContentChange) => void>();

  /** Calls `fn` on every change; returns the way to stop. */
  subscribe(fn: (change: ContentChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify(change: ContentChange = { kind: 'all' }): void {
    for (const fn of this.listeners) fn(change);
  }
}
