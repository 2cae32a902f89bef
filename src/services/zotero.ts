import type { User } from '../domain/community.ts';
import { zoteroEntry } from '../domain/zotero-item.ts';
import type { Logger } from '../logger.ts';
import { ZoteroClient, ZoteroError } from '../ingest/zotero.ts';
import type { Store } from '../store/store.ts';
import type { ZoteroLink } from '../store/zotero.ts';
import type { CollectionService } from './collections.ts';
import type { LibraryService } from './library.ts';
import { ServiceError } from './errors.ts';

export const ZOTERO_COLLECTION = 'Zotero library';

/** What a reader sees of their link: everything but the key (and their own id). */
export type ZoteroStatus = Omit<ZoteroLink, 'userId' | 'apiKey'>;

/**
 * A reader's Zotero library, kept in step: each sync reads what changed since the last one
 * (incremental, by library version), matches the items to papers here as a BibTeX import does, and
 * keeps the matched papers in the reader's private "Zotero library" collection — which, like any
 * collection, seeds For you (as zotero-arxiv-daily recommends from a Zotero library). Items deleted
 * in Zotero leave the collection.
 */
export class ZoteroService {
  constructor(
    private readonly store: Store,
    private readonly collections: CollectionService,
    private readonly library: LibraryService,
    private readonly client: ZoteroClient,
    private readonly logger: Logger,
  ) {}

  async status(user: User): Promise<ZoteroStatus | null> {
    const link = await this.store.zotero.get(user.id);
    return link ? present(link) : null;
  }

  /** Connects a library and syncs it once; a refused key or unknown user is a 400 and stores nothing. */
  async connect(user: User, zoteroUser: string, apiKey: string): Promise<ZoteroStatus> {
    const id = zoteroUser.trim();
    const key = apiKey.trim();
    if (!/^\d{1,12}$/.test(id)) throw new ServiceError(400, 'bad_zotero_user', 'the Zotero user id is a number (shown at zotero.org/settings/keys as "Your userID")');
    if (!/^[A-Za-z0-9]{8,64}$/.test(key)) throw new ServiceError(400, 'bad_zotero_key', 'a Zotero API key is 8 to 64 letters and digits');
    // Check the key before keeping anything.
    try {
      await this.client.changes(id, key, 0).then(() => undefined);
    } catch (err) {
      if (err instanceof ZoteroError) throw new ServiceError(err.status === 403 || err.status === 404 ? 400 : 502, 'zotero_refused', err.message);
      throw err;
    }
    const own = (await this.collections.listOwn(user)).find((c) => c.name === ZOTERO_COLLECTION);
    const collection = own ?? (await this.collections.create(user, { name: ZOTERO_COLLECTION, description: 'Papers from your Zotero library, kept in step by Paperboy.', isPublic: false }));
    await this.store.zotero.save({ userId: user.id, zoteroUser: id, apiKey: key, collectionId: collection.id });
    await this.sync(user.id);
    return (await this.status(user))!;
  }

  /** Forgets the link and its key; the collection and its papers stay the reader's. */
  async disconnect(user: User): Promise<void> {
    await this.store.zotero.remove(user.id);
  }

  /** One incremental sync; failures are recorded on the link (shown on the settings page) and returned. */
  async sync(userId: number): Promise<{ added: number; removed: number; error: string | null }> {
    const link = await this.store.zotero.get(userId);
    if (!link) throw new ServiceError(404, 'not_connected', 'no Zotero library is connected');
    try {
      const changes = await this.client.changes(link.zoteroUser, link.apiKey, link.libraryVersion);
      if (changes.notModified) {
        await this.store.zotero.recordSync(userId, { error: null });
        return { added: 0, removed: 0, error: null };
      }
      const entries = changes.items.map((it) => ({ key: it.key, entry: zoteroEntry(it) }));
      const matches = await this.library.match(entries.flatMap((e) => (e.entry ? [e.entry] : [])));
      let added = 0;
      const rows = entries.map(({ key, entry }) => {
        const paper = entry ? matches.get(entry)?.paper : undefined;
        return { key, paperId: paper?.id ?? null, title: entry?.title ?? null };
      });
      for (const r of rows) if (r.paperId && (await this.collections.addVisiblePaper(link.collectionId, r.paperId))) added++;
      // Notes and attachments are not references: remember nothing of them.
      await this.store.zotero.putItems(userId, rows.filter((r, i) => entries[i].entry !== null));
      let removed = 0;
      for (const paperId of await this.store.zotero.dropItems(userId, changes.deleted)) {
        if (await this.store.collections.removePaper(link.collectionId, paperId)) removed++;
      }
      await this.store.zotero.recordSync(userId, { libraryVersion: changes.version, error: null });
      return { added, removed, error: null };
    } catch (err) {
      if (!(err instanceof ZoteroError)) throw err;
      await this.store.zotero.recordSync(userId, { error: err.message });
      return { added: 0, removed: 0, error: err.message };
    }
  }

  /** The scheduled sync: every connected library, one after the other. */
  async syncAll(signal?: AbortSignal): Promise<{ libraries: number; added: number; removed: number; failed: number }> {
    const out = { libraries: 0, added: 0, removed: 0, failed: 0 };
    for (const link of await this.store.zotero.all()) {
      if (signal?.aborted) break;
      const r = await this.sync(link.userId);
      out.libraries++;
      out.added += r.added;
      out.removed += r.removed;
      if (r.error) {
        out.failed++;
        this.logger.warn({ user: link.userId, err: r.error }, 'zotero sync failed');
      }
    }
    return out;
  }
}

function present({ userId: _user, apiKey: _key, ...status }: ZoteroLink): ZoteroStatus {
  return status;
}
