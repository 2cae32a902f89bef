import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { EmbeddingSpace, SpaceSource } from '../store/embedding-spaces.ts';
import type { Embedder } from '../search/embedder.ts';

/**
 * How to open a space's model again: as recorded, or — for spaces that had vectors before spaces
 * were recorded (migration 0460) — read from the id (`local-…`, `http:<model>:<dimensions>`).
 */
export function sourceOf(space: EmbeddingSpace): SpaceSource {
  if (space.source.provider) return space.source;
  if (space.embedderId.startsWith('local-')) return { provider: 'local' };
  const http = /^http:(.+):\d+$/.exec(space.embedderId);
  return http ? { provider: 'http', model: http[1] } : {};
}

/** The space search and similar papers answer from, and the model that embeds queries in it. */
export interface ServingSpace {
  embedderId: string;
  dimensions: number;
  /** Embeds queries in this space; null when its model cannot be opened (then only stored vectors serve). */
  embedder: Embedder | null;
}

export interface EmbeddingSpacesOptions {
  /** Opens the configured embedder (the target space); null when semantic search is off. */
  openTarget: () => Promise<Embedder | null>;
  /** What the configured embedder is, recorded with its space so it can be reopened later. */
  source?: SpaceSource;
  /**
   * The id the configured embedder opens as now, when it can change under a running process (the
   * `local` model, retrained by `paperboy reindex`). Once that model's space covers the corpus, the
   * process opens it and moves to it: its queries and its vectors together (`choose`).
   */
  targetIdNow?: () => Promise<string | null>;
  /** Opens the model of an older space to embed queries in it while the target is being embedded. */
  reopen?: (space: EmbeddingSpace) => Promise<Embedder | null>;
  logger?: Logger;
  /** After a failed open, how long until the next try (ms); default 60 s. */
  retryOpenMs?: number;
  /** How long the serving choice is reused before the store is asked again (ms); default 5 s. */
  refreshMs?: number;
}

interface Opening {
  promise: Promise<Embedder | null>;
  failedAt?: number;
}

/**
 * One embedding space serves at a time. Vectors are stored per embedder id (model, version and
 * dimensions), so two models' vectors are never mixed. When the configured embedder changes, its
 * space starts empty: the re-embed job fills it in the background while search keeps answering from
 * the newest space that covers the corpus; once the new one does, it serves.
 */
export class EmbeddingSpaces {
  private target?: Opening;
  private readonly reopened = new Map<string, Opening>();
  private choice?: { at: number; value: Promise<ServingSpace | null> };
  private servingId?: string;
  /** A move to the configured model as retrained since it was opened (`followTarget`), under way. */
  private following?: Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly opts: EmbeddingSpacesOptions,
  ) {}

  /** The configured embedder, opened once; a failure is logged and tried again after `retryOpenMs`. */
  openTarget(): Promise<Embedder | null> {
    this.target = this.reuse(this.target, async () => {
      const e = await this.opts.openTarget();
      if (e) await this.store.embeddingSpaces.ensure(e.id, e.dimensions, this.opts.source ?? {});
      return e;
    }, 'embedder unavailable: keyword search only');
    return this.target.promise;
  }

  /** Where search answers from now (cached for `refreshMs`). */
  serving(): Promise<ServingSpace | null> {
    if (!this.choice || Date.now() - this.choice.at >= (this.opts.refreshMs ?? 5000)) {
      const value = this.choose().catch((err) => {
        this.opts.logger?.warn({ err: (err as Error).message }, 'cannot choose an embedding space: keyword search only');
        return null;
      });
      this.choice = { at: Date.now(), value };
    }
    return this.choice.value;
  }

  /** Resolves when a check for a retrained configured model (and the move to it), started by `serving`, is done. */
  switched(): Promise<void> {
    return this.following ?? Promise.resolve();
  }

  /** Forget the cached choice: a space was just completed or deleted. */
  invalidate(): void {
    this.choice = undefined;
  }

  private async choose(): Promise<ServingSpace | null> {
    const target = await this.openTarget();
    const spaces = await this.store.embeddingSpaces.list();
    this.followTarget(spaces);
    const own = target && spaces.find((s) => s.embedderId === target.id);
    let chosen: ServingSpace | null = null;
    if (target && own?.completeAt) chosen = { embedderId: target.id, dimensions: target.dimensions, embedder: target };
    else {
      const older = spaces.filter((s) => s.completeAt && s.embedderId !== target?.id).sort((a, b) => (a.completeAt! < b.completeAt! ? 1 : -1))[0];
      if (older) chosen = { embedderId: older.embedderId, dimensions: older.dimensions, embedder: await this.reopen(older) };
      else if (target) chosen = { embedderId: target.id, dimensions: target.dimensions, embedder: target };
    }
    if (chosen?.embedderId !== this.servingId) {
      this.servingId = chosen?.embedderId;
      if (chosen && target && chosen.embedderId !== target.id) {
        this.opts.logger?.info(
          { serving: chosen.embedderId, embedding: target.id, done: own?.papersDone ?? 0, total: own?.papersTotal ?? 0, queries: chosen.embedder ? 'embedded by the old model' : 'keyword only' },
          'search answers from the old embedding space until the new model covers the corpus',
        );
      } else if (chosen) this.opts.logger?.info({ serving: chosen.embedderId }, 'search answers from embedding space');
    }
    return chosen;
  }

  /**
   * The configured model was replaced under this process (`paperboy reindex` trained the `local`
   * one again): once the new model's space covers the corpus, opens it in the background while the
   * current choice serves, then makes it the target and drops the cached choice, so that the next
   * choice serves the new space with the new model. A request holds one `ServingSpace` (a space and
   * the model of its queries) throughout, so it never mixes the two; until the new space is
   * complete the old model serves with its own vectors and stays the target (this process neither
   * searches a half-filled space nor embeds it alongside the reindex).
   */
  private followTarget(spaces: readonly EmbeddingSpace[]): void {
    const idNow = this.opts.targetIdNow;
    if (!idNow || this.following) return;
    this.following = (async () => {
      // The target as it is now, not as the choice that started this check read it (a move may have just happened).
      const [id, current] = await Promise.all([idNow(), this.openTarget()]);
      if (!id || id === current?.id || !spaces.some((s) => s.embedderId === id && s.completeAt)) return;
      // Already open when it served as an older space (a process started before its first training).
      const next = (await this.reopened.get(id)?.promise) ?? (await this.opts.openTarget());
      this.reopened.delete(id);
      // Trained again meanwhile (its space not yet checked): the next choice looks again.
      if (!next || next.id !== id) return;
      this.target = { promise: Promise.resolve(next) };
      this.invalidate();
      this.opts.logger?.info({ from: current?.id ?? null, to: next.id }, 'the configured model was retrained and its space covers the corpus: search moves to it');
    })()
      .catch((err) => this.opts.logger?.warn({ err: (err as Error).message }, 'cannot open the retrained model: search stays on the model it has'))
      .finally(() => (this.following = undefined));
  }

  private reopen(space: EmbeddingSpace): Promise<Embedder | null> {
    const reopen = this.opts.reopen;
    if (!reopen) return Promise.resolve(null);
    const opening = this.reuse(this.reopened.get(space.embedderId), async () => {
      const e = await reopen(space);
      if (e && (e.id !== space.embedderId || e.dimensions !== space.dimensions)) {
        this.opts.logger?.warn({ space: space.embedderId, opened: e.id }, 'the old model answers as another model now: its queries are keyword only');
        return null;
      }
      return e;
    }, 'cannot open the old embedding model: queries are keyword only until the new one serves');
    this.reopened.set(space.embedderId, opening);
    return opening.promise;
  }

  /** Keeps a successful open; after a failure, opens again once `retryOpenMs` has passed. */
  private reuse(prev: Opening | undefined, open: () => Promise<Embedder | null>, failure: string): Opening {
    if (prev && (prev.failedAt === undefined || Date.now() - prev.failedAt < (this.opts.retryOpenMs ?? 60_000))) return prev;
    const opening: Opening = { promise: Promise.resolve(null) };
    opening.promise = open().catch((err) => {
      opening.failedAt = Date.now();
      this.opts.logger?.warn({ err: (err as Error).message }, failure);
      return null;
    });
    return opening;
  }
}
