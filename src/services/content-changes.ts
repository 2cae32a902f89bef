/**
 * Says that something readers see changed in this process outside a request — an enrichment
 * arrived, a harvest or an import stored papers — to whoever keeps rendered pages (the anonymous
 * page cache subscribes in `createApp`). Writes made through requests are seen by the cache itself.
 */
export class ContentChanges {
  private readonly listeners = new Set<() => void>();

  /** Calls `fn` on every change; returns the way to stop. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify(): void {
    for (const fn of this.listeners) fn();
  }
}
