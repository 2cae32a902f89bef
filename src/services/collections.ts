import { z } from 'zod';
import type { Collection, User } from '../domain/community.ts';
import type { PaperWithStats } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import { ServiceError } from './errors.ts';
import { visiblePaperOr404 } from './papers.ts';

export const CollectionInput = z.object({
  name: z.string().trim().min(1, 'a collection needs a name').max(100, 'a collection name has at most 100 characters'),
  description: z.string().trim().max(1000, 'a description has at most 1000 characters').nullish(),
  isPublic: z.boolean().default(false),
});

/** Named collections of papers: public ones anyone may read, private ones only their owner. */
export class CollectionService {
  constructor(private readonly store: Store) {}

  async create(user: User, input: z.input<typeof CollectionInput>): Promise<Collection> {
    const parsed = CollectionInput.safeParse(input);
    if (!parsed.success) throw new ServiceError(400, 'invalid_collection', parsed.error.issues.map((i) => i.message).join('; '));
    return this.store.collections.create({ userId: user.id, name: parsed.data.name, description: parsed.data.description || null, isPublic: parsed.data.isPublic });
  }

  /** A collection the viewer may see (private ones look missing to everyone but their owner). */
  async get(viewer: User | null, id: number, limit?: number): Promise<{ collection: Collection; papers: PaperWithStats[] }> {
    const collection = await this.store.collections.get(id);
    if (!collection || (!collection.isPublic && collection.userId !== viewer?.id)) throw new ServiceError(404, 'not_found', `collection ${id} not found`);
    return { collection, papers: await this.store.collections.papers(id, limit) };
  }

  async listOwn(user: User): Promise<Collection[]> {
    return this.store.collections.forUser(user.id);
  }

  async listPublicOf(username: string): Promise<Collection[]> {
    const u = await this.store.users.byUsername(username);
    return u ? this.store.collections.forUser(u.id, { publicOnly: true }) : [];
  }

  /** Adds a paper the caller already found visible; false when the collection held it. */
  addVisiblePaper(id: number, paperId: string): Promise<boolean> {
    return this.store.collections.addPaper(id, paperId);
  }

  /** The user's own collection, or the 404 / 403 that changing someone else's gets. */
  async requireOwn(user: User, id: number): Promise<Collection> {
    const c = await this.store.collections.get(id);
    if (!c || (c.userId !== user.id && !c.isPublic)) throw new ServiceError(404, 'not_found', `collection ${id} not found`);
    if (c.userId !== user.id) throw new ServiceError(403, 'not_yours', 'only the owner can change a collection');
    return c;
  }

  async update(user: User, id: number, input: Partial<z.input<typeof CollectionInput>>): Promise<Collection> {
    await this.requireOwn(user, id);
    const parsed = CollectionInput.partial().safeParse(input);
    if (!parsed.success) throw new ServiceError(400, 'invalid_collection', parsed.error.issues.map((i) => i.message).join('; '));
    await this.store.collections.update(id, { name: parsed.data.name, description: parsed.data.description, isPublic: input.isPublic });
    return (await this.store.collections.get(id))!;
  }

  async delete(user: User, id: number): Promise<void> {
    await this.requireOwn(user, id);
    await this.store.collections.delete(id);
  }

  async addPaper(user: User, id: number, paperId: string): Promise<Collection> {
    await this.requireOwn(user, id);
    await visiblePaperOr404(this.store, paperId);
    await this.store.collections.addPaper(id, paperId);
    return (await this.store.collections.get(id))!;
  }

  async removePaper(user: User, id: number, paperId: string): Promise<Collection> {
    await this.requireOwn(user, id);
    await this.store.collections.removePaper(id, paperId);
    return (await this.store.collections.get(id))!;
  }
}
