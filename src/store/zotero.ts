import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface ZoteroLink {
  userId: number;
  zoteroUser: string;
  apiKey: string;
  collectionId: number;
  libraryVersion: number;
  items: number;
  matched: number;
  syncedAt: string | null;
  lastError: string | null;
}

/** Connected Zotero libraries and the items each sync matched (see migration 1101). */
export class ZoteroRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(userId: number): Promise<ZoteroLink | null> {
    const r = await this.db.selectFrom('zotero_links').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return r ? toLink(r) : null;
  }

  /** Every link, for the scheduled sync. */
  async all(): Promise<ZoteroLink[]> {
    return (await this.db.selectFrom('zotero_links').selectAll().orderBy('user_id').execute()).map(toLink);
  }

  /** Connects (or re-connects with a new key, starting over from version 0). */
  async save(link: { userId: number; zoteroUser: string; apiKey: string; collectionId: number }, now = new Date().toISOString()): Promise<void> {
    const values = { user_id: link.userId, zotero_user: link.zoteroUser, api_key: link.apiKey, collection_id: link.collectionId, library_version: 0, created_at: now, synced_at: null, last_error: null };
    await this.db
      .insertInto('zotero_links')
      .values(values)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ zotero_user: link.zoteroUser, api_key: link.apiKey, collection_id: link.collectionId, library_version: 0, synced_at: null, last_error: null }))
      .execute();
    await this.db.deleteFrom('zotero_items').where('user_id', '=', link.userId).execute();
  }

  async remove(userId: number): Promise<void> {
    await this.db.deleteFrom('zotero_items').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('zotero_links').where('user_id', '=', userId).execute();
  }

  /** Records what a sync reached; the version moves only with a sync that finished. */
  async recordSync(userId: number, r: { libraryVersion?: number; error: string | null }, now = new Date().toISOString()): Promise<void> {
    const counts = await this.db
      .selectFrom('zotero_items')
      .select((eb) => [eb.fn.countAll<number>().as('items'), eb.fn.count<number>('paper_id').as('matched')])
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    await this.db
      .updateTable('zotero_links')
      .set({
        ...(r.libraryVersion !== undefined ? { library_version: r.libraryVersion } : {}),
        items: Number(counts.items),
        matched: Number(counts.matched),
        synced_at: now,
        last_error: r.error,
      })
      .where('user_id', '=', userId)
      .execute();
  }

  /** Remembers items (new or changed) with the paper each matched, or null. */
  async putItems(userId: number, items: Array<{ key: string; paperId: string | null; title: string | null }>): Promise<void> {
    for (const it of items) {
      await this.db
        .insertInto('zotero_items')
        .values({ user_id: userId, item_key: it.key, paper_id: it.paperId, title: it.title })
        .onConflict((oc) => oc.columns(['user_id', 'item_key']).doUpdateSet({ paper_id: it.paperId, title: it.title }))
        .execute();
    }
  }

  /** Forgets items deleted in Zotero; returns the papers no remaining item of this library matches. */
  async dropItems(userId: number, keys: readonly string[]): Promise<string[]> {
    if (!keys.length) return [];
    const gone = await this.db.selectFrom('zotero_items').select('paper_id').where('user_id', '=', userId).where('item_key', 'in', [...keys]).where('paper_id', 'is not', null).execute();
    await this.db.deleteFrom('zotero_items').where('user_id', '=', userId).where('item_key', 'in', [...keys]).execute();
    const candidates = [...new Set(gone.map((g) => g.paper_id!))];
    if (!candidates.length) return [];
    const still = await this.db.selectFrom('zotero_items').select('paper_id').where('user_id', '=', userId).where('paper_id', 'in', candidates).execute();
    const kept = new Set(still.map((s) => s.paper_id));
    return candidates.filter((p) => !kept.has(p));
  }
}

function toLink(r: { user_id: number; zotero_user: string; api_key: string; collection_id: number; library_version: number | string; items: number; matched: number; synced_at: string | null; last_error: string | null }): ZoteroLink {
  return {
    userId: Number(r.user_id),
    zoteroUser: r.zotero_user,
    apiKey: r.api_key,
    collectionId: Number(r.collection_id),
    libraryVersion: Number(r.library_version),
    items: Number(r.items),
    matched: Number(r.matched),
    syncedAt: r.synced_at,
    lastError: r.last_error,
  };
}
