import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { LocalEmbedder, type TrainingText } from '../search/local-embedder.ts';
import { LOCAL_MODEL_NAME } from '../search/local-embedder-provider.ts';
import { DEFAULT_REFINE, isRefinedModelId, REFINED_SUFFIX, type RefineOptions } from '../search/local-embedder-refine.ts';
import { LocalEmbedderThreads, refineOnThread } from '../search/local-embedder-threads.ts';
import { EMBED_LEASE, embedAll } from './embedding-runs.ts';
import { nextSlice } from '../slices.ts';

const PAGE = 5000;
/** Papers a batch of the refined model's embedding (as the re-embed job's). */
const EMBED_BATCH = 128;
/**
 * How long the embedding lease (`EMBED_LEASE`, the re-embed job's) outlives a refinement process
 * that died while it embedded (renewed every third of it while it lives): the re-embed job's own.
 */
const EMBED_LEASE_MS = 10 * 60_000;

export interface RefineRun {
  from: string;
  to: string;
  /** Papers it trained on and the refinement's wall time (0 when an earlier run refined it). */
  papers: number;
  seconds: number;
  /** Papers embedded with the refined model by this run, and whether its space is complete. */
  embedded: number;
  complete: boolean;
}

/**
 * The contrastive refinement of the offline model (`SEARCH_EMBEDDER=local`), in the background:
 * once `paperboy reindex` has stored a newly trained (LSA) model, the job `search:refine-model`
 * refines it on every paper (`refineModel`, on a worker thread at background priority — about
 * 100 s of one core at 75k papers, BENCHMARKS "Round 25 (branch `contrast-serve`)") and stores the
 * result as the local model under a new id, then fills the new model's space while search answers
 * from the old one, and each server moves to it once it covers the corpus
 * (`EmbeddingSpaces.followTarget`); hybrid search fuses the refined model adaptively (`REFINED_FUSION`).
 * Kept out of `paperboy reindex` itself, whose wall time stays within 3× the import's.
 *
 * The embedding is done under the re-embed job's lease (`EMBED_LEASE`): a server started after the
 * refined model was stored serves the old space but targets the new one, and its re-embed job
 * embedded the same papers again beside this run (the two jobs' own leases differ). Whichever
 * takes the lease first embeds; the other finds it held and leaves the space to it. A refinement
 * process that dies while it embeds loses the lease when it expires, and the next re-embed job or
 * refinement run finishes the space.
 */
export class ModelRefinementService {
  /** A base model whose refinement failed: not tried again by this process (the job would fail every minute). */
  private failedFor: string | null = null;
  /** This service's holder of the embedding lease (apart from the scheduler's, which holds the job's own). */
  private readonly holder = `refine-model:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;

  constructor(
    private readonly store: Store,
    private readonly opts: { enabled: boolean; logger?: Logger; options?: Partial<RefineOptions>; /** Papers per message to the refinement's thread (tests). */ sendChunk?: number },
  ) {}

  private get minPapers(): number {
    return this.opts.options?.minPapers ?? DEFAULT_REFINE.minPapers;
  }

  /**
   * Whether there is work: an unrefined local model to refine (and papers enough), or a refined one
   * whose space is not complete yet (a run stopped by a shutdown while it embedded) and that no
   * process is embedding now (the embedding lease is free: a re-embed job holding it fills the space).
   */
  async due(): Promise<boolean> {
    if (!this.opts.enabled) return false;
    const id = await this.store.search.modelId(LOCAL_MODEL_NAME);
    if (!id || id === this.failedFor) return false;
    if (isRefinedModelId(id)) return !(await this.store.embeddingSpaces.get(id))?.completeAt && !(await this.store.leases.holder(EMBED_LEASE));
    // At most minPapers rows read, not a count of the whole corpus every minute (an instance whose
    // corpus stays below the floor asks this on every tick).
    return this.store.papers.hasAtLeast(this.minPapers);
  }

  /**
   * Refines the stored local model and stores the refined one, unless the stored model changed
   * meanwhile (a reindex trained another: that one is refined by a later run); then embeds every
   * paper with it (on a worker thread at background priority; this thread writes), so that every
   * server moves to it, under the embedding lease: when another process holds it (a re-embed job,
   * which may be filling this very space) nothing is embedded (`embedded: 0`, not complete) and the
   * space is left to it. Null when there is nothing to do.
   */
  async run(opts: { signal?: AbortSignal } = {}): Promise<RefineRun | null> {
    if (!this.opts.enabled) return null;
    const stored = await this.store.search.loadModel(LOCAL_MODEL_NAME);
    if (!stored) return null;
    let model: LocalEmbedder;
    let from = stored.modelId;
    let papers = 0;
    let seconds = 0;
    if (isRefinedModelId(stored.modelId)) {
      if ((await this.store.embeddingSpaces.get(stored.modelId))?.completeAt) return null;
      from = stored.modelId.slice(0, -REFINED_SUFFIX.length);
      // Another process embeds (this space, likely): the model is not even opened.
      const other = await this.store.leases.holder(EMBED_LEASE);
      if (other && other !== this.holder) return this.leftTo(other, { from, to: stored.modelId, papers: 0, seconds: 0 });
      // Refined by an earlier run that stopped while it embedded: only the embedding is left.
      model = await LocalEmbedder.fromBufferSliced(stored.data);
    } else {
      const texts: TrainingText[] = [];
      // Every paper by primary key (the order the refinement's pairs are drawn in: the same on every server).
      for (let after = ''; ; ) {
        opts.signal?.throwIfAborted();
        const page = await this.store.papers.textsById(PAGE, after);
        for (const p of page) texts.push({ title: p.title, abstract: p.abstract });
        if (page.length < PAGE) break;
        after = page[page.length - 1].id;
        await nextSlice();
      }
      if (texts.length < this.minPapers) return null;
      papers = texts.length;
      const t = performance.now();
      try {
        model = await refineOnThread(stored.data, texts, this.opts.options, opts.signal, this.opts.sendChunk);
      } catch (err) {
        if (!opts.signal?.aborted) this.failedFor = stored.modelId;
        throw err;
      }
      seconds = Math.round((performance.now() - t) / 100) / 10;
      // Stored only over the model it refined (one statement): a reindex that stored another meanwhile wins.
      if (!(await this.store.search.replaceModel(LOCAL_MODEL_NAME, stored.modelId, model.id, model.toBuffer()))) {
        this.opts.logger?.info({ base: stored.modelId }, 'the local model was retrained during its refinement: the refined one is not stored');
        return null;
      }
      this.opts.logger?.info({ from: stored.modelId, to: model.id, papers, seconds }, 'refined the local embedder: embedding every paper with it; search moves to it once complete');
    }
    await this.store.embeddingSpaces.ensure(model.id, model.dimensions, { provider: 'local' });
    const embedding = model;
    const leased = await this.store.leases.hold(
      EMBED_LEASE,
      this.holder,
      EMBED_LEASE_MS,
      async () => {
        const threads = new LocalEmbedderThreads(embedding, 1);
        try {
          return await embedAll(this.store, threads, { batch: EMBED_BATCH, signal: opts.signal, logger: this.opts.logger });
        } finally {
          await threads.close();
        }
      },
      (err) => this.opts.logger?.warn({ err, lease: EMBED_LEASE }, 'lease renewal failed'),
    );
    if (!leased.held) return this.leftTo(await this.store.leases.holder(EMBED_LEASE), { from, to: model.id, papers, seconds });
    return { from, to: model.id, papers, seconds, embedded: leased.value.embedded, complete: leased.value.complete };
  }

  /** A run that leaves the refined model's embedding to the process holding the embedding lease. */
  private leftTo(holder: string | null, run: Omit<RefineRun, 'embedded' | 'complete'>): RefineRun {
    this.opts.logger?.info({ model: run.to, embeddingBy: holder }, 'another process holds the embedding lease: the refined model is embedded by it, or by a later run');
    return { ...run, embedded: 0, complete: false };
  }
}
