import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/store.ts';
import type { IndexVersion } from '../store/search-index-files.ts';
import { IndexFileError, readIndexFile, writeIndexFile } from './index-file.ts';
import { PublishedIndex, type IndexCodec, type PublishedIndexOptions } from './published-index.ts';
import type { VectorIndex, VectorIndexMeta } from './vector-index.ts';

/**
 * The ANN index of an embedding space published like the keyword index (`published-index.ts`), for
 * servers on PostgreSQL, which have no index file beside a database file: each start inserted every
 * stored vector into a new graph again (14–23 s of CPU per server at 75k vectors). The file is the
 * checksummed index-file layout (kind `ann-index`) holding usearch's own serialisation as one byte
 * section and the index's meta (embedder, dimensions, count, newest vector, graph layout). A file
 * that is corrupt, of an old format or of another layout is detected and the graph is rebuilt from
 * the stored vectors, never served.
 */
export const ANN_INDEX_KIND = 'ann-index';
/** The layout version of ANN index files: a file or published version of another is rebuilt. */
export const ANN_INDEX_FORMAT = 1;

const ANN_NAME_PREFIX = 'ann:';
/** The version rows' name of a space's ANN index. */
export const annIndexName = (embedderId: string) => `${ANN_NAME_PREFIX}${embedderId}`;
/** Embedder ids hold `:` and `/` (hub model ids): the file prefix keeps only what a file name may. */
const prefixOf = (embedderId: string) => `ann-${embedderId.replace(/[^A-Za-z0-9_-]+/g, '_')}`;

export class PublishedAnnIndex {
  constructor(
    private readonly store: Store,
    readonly opts: PublishedIndexOptions,
  ) {}

  latest(embedderId: string): Promise<IndexVersion | null> {
    return this.store.searchIndexFiles.latest(annIndexName(embedderId));
  }

  fileFor(embedderId: string, v: { version: number; checksum: string }): string {
    return this.publication(embedderId, undefined).fileFor(v);
  }

  /**
   * Loads a published version into `index` (fetched from the store when this server has no good
   * copy); an `IndexFileError` when it cannot be served.
   */
  async open(index: VectorIndex, v: IndexVersion): Promise<void> {
    await this.publication(index.meta.embedderId, index).open(v);
  }

  /**
   * Publishes `index` as the next version of its space. The caller holds the publishing lease.
   * Like every published index it keeps its previous version (a server may still be loading it);
   * of the other spaces' ANN indexes — a model replaced by another, about 30 MB a version at 75k
   * papers, which nothing dropped — only the newest version of the space published last before
   * this one stays (servers not yet switched to this model, or still answering from the old space
   * while this one is embedded, load it); the rest go.
   */
  async publish(index: VectorIndex): Promise<IndexVersion> {
    const published = await this.publication(index.meta.embedderId, index).publish(index);
    await this.pruneOtherSpaces(published.name);
    return published;
  }

  private async pruneOtherSpaces(current: string): Promise<void> {
    const others = (await this.store.searchIndexFiles.latestOfEach(ANN_NAME_PREFIX)).filter((v) => v.name !== current);
    for (const [i, v] of others.entries()) {
      const space = this.publication(v.name.slice(ANN_NAME_PREFIX.length), undefined);
      // The list is newest publication first: the first is the space served before this one.
      if (i === 0) await space.dropBefore(v.version);
      else await space.dropAll();
    }
  }

  /** One space's publication; `into` is the index a read loads the graph into. */
  private publication(embedderId: string, into: VectorIndex | undefined): PublishedIndex<VectorIndex> {
    return new PublishedIndex(this.store, this.opts, annCodec(embedderId, this.opts.dir, into));
  }
}

function annCodec(embedderId: string, dir: string, into: VectorIndex | undefined): IndexCodec<VectorIndex> {
  const prefix = prefixOf(embedderId);
  // The meta of the graph as written: vectors may be added while the file is written.
  let written: VectorIndexMeta | undefined;
  return {
    name: annIndexName(embedderId),
    filePrefix: prefix,
    format: ANN_INDEX_FORMAT,
    async write(file, index) {
      const raw = path.join(dir, `${prefix}.saving-${process.pid}`);
      await fs.promises.mkdir(dir, { recursive: true });
      try {
        // Written by the graph's thread while this one serves.
        written = await index.saveTo(raw);
        const graph = new Uint8Array(await fs.promises.readFile(raw));
        return await writeIndexFile(file, { kind: ANN_INDEX_KIND, format: ANN_INDEX_FORMAT, meta: written as unknown as Record<string, unknown>, sections: { graph } });
      } finally {
        await fs.promises.rm(raw, { force: true });
      }
    },
    async read(file, expect) {
      if (!into) throw new Error('an ANN publication opened without an index to load into');
      const f = await readIndexFile(file, { kind: ANN_INDEX_KIND, format: ANN_INDEX_FORMAT, ...expect });
      const graph = f.sections.graph;
      if (!(graph instanceof Uint8Array)) throw new IndexFileError('header', `${file}: no graph section`);
      // usearch reads a graph only from a path: the verified bytes go to a file of their own.
      const raw = `${file}.usearch-${process.pid}`;
      await fs.promises.writeFile(raw, graph);
      try {
        if (!(await into.loadFrom(raw, f.meta as unknown as VectorIndexMeta))) throw new IndexFileError('header', `${file}: built for another embedder, dimension or graph layout`);
      } catch (err) {
        // The checksum held, so a graph usearch refuses is a writer's bug: still never served.
        throw err instanceof IndexFileError ? err : new IndexFileError('header', `${file}: ${(err as Error).message}`);
      } finally {
        await fs.promises.rm(raw, { force: true });
      }
      return into;
    },
    describe(index) {
      const meta = written ?? { ...index.meta, count: index.size };
      return { papers: meta.count, cursor: { modifiedAt: meta.newest ?? '', id: '' } };
    },
  };
}
