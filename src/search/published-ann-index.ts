import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/store.ts';
import type { IndexVersion } from '../store/search-index-files.ts';
import { IndexFileError, readIndexFile, writeIndexFile } from './index-file.ts';
import { openPublished, publishedFile, publishFile, type Publication } from './published-files.ts';
import type { VectorIndex, VectorIndexMeta } from './vector-index.ts';

/**
 * The ANN index of an embedding space published like the keyword index (`published-files.ts`), for
 * servers on PostgreSQL, which have no index file beside a database file: each start inserted every
 * stored vector into a new graph again (14–23 s of CPU per server at 75k vectors). The file is the
 * checksummed index-file layout (kind `ann-index`) holding usearch's own serialisation as one byte
 * section and the index's meta (embedder, dimensions, count, newest vector, graph layout). A file
 * that is corrupt, of an old format or of another layout is detected and the graph is rebuilt from
 * the stored vectors, never served.
 */
export const ANN_INDEX_KIND = 'ann-index';

/** The version rows' name of a space's ANN index. */
export const annIndexName = (embedderId: string) => `ann:${embedderId}`;
const prefixOf = (embedderId: string) => `ann-${embedderId.replace(/[^A-Za-z0-9_-]+/g, '_')}`;

export class PublishedAnnIndex {
  private readonly pub: Publication;

  constructor(store: Store, opts: Omit<Publication, 'store'>) {
    this.pub = { store, ...opts };
  }

  latest(embedderId: string): Promise<IndexVersion | null> {
    return this.pub.store.searchIndexFiles.latest(annIndexName(embedderId));
  }

  fileFor(embedderId: string, v: { version: number; checksum: string }): string {
    return publishedFile(this.pub.dir, prefixOf(embedderId), v);
  }

  /**
   * Loads a published version into `index` (fetched from the store when this server has no good
   * copy); an `IndexFileError` when it cannot be served.
   */
  async open(index: VectorIndex, v: IndexVersion): Promise<void> {
    const embedderId = index.meta.embedderId;
    await openPublished(this.pub, v, this.fileFor(embedderId, v), async (file) => {
      const f = await readIndexFile(file, { kind: ANN_INDEX_KIND, checksum: v.checksum, bytes: v.bytes });
      const graph = f.sections.graph;
      if (!(graph instanceof Uint8Array)) throw new IndexFileError('header', `${file}: no graph section`);
      // usearch reads a graph only from a path: the verified bytes go to a file of their own.
      const raw = `${file}.usearch-${process.pid}`;
      await fs.promises.writeFile(raw, graph);
      try {
        if (!index.loadFrom(raw, f.meta as unknown as VectorIndexMeta)) throw new IndexFileError('header', `${file}: built for another embedder, dimension or graph layout`);
      } catch (err) {
        // The checksum held, so a graph usearch refuses is a writer's bug: still never served.
        throw err instanceof IndexFileError ? err : new IndexFileError('header', `${file}: ${(err as Error).message}`);
      } finally {
        await fs.promises.rm(raw, { force: true });
      }
    });
  }

  /** Publishes `index` as the next version of its space. The caller holds the publishing lease. */
  publish(index: VectorIndex): Promise<IndexVersion> {
    const embedderId = index.meta.embedderId;
    const prefix = prefixOf(embedderId);
    let meta: VectorIndexMeta = { ...index.meta };
    return publishFile(
      this.pub,
      annIndexName(embedderId),
      prefix,
      async (file) => {
        const raw = path.join(this.pub.dir, `${prefix}.saving-${process.pid}`);
        await fs.promises.mkdir(this.pub.dir, { recursive: true });
        // The meta and the graph of one moment: vectors may be added while the file is written.
        meta = { ...index.meta, count: index.size };
        index.saveTo(raw);
        try {
          const graph = new Uint8Array(await fs.promises.readFile(raw));
          return await writeIndexFile(file, { kind: ANN_INDEX_KIND, meta: meta as unknown as Record<string, unknown>, sections: { graph } });
        } finally {
          await fs.promises.rm(raw, { force: true });
        }
      },
      () => ({ papers: meta.count, cursor: { modifiedAt: meta.newest ?? '', id: '' } }),
    );
  }
}
