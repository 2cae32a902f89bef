import { nextSlice as yieldToLoop } from '../slices.ts';
import { canonicalPaperId } from '../domain/arxiv-id.ts';
import { normalizeValue, type Interest, type InterestKind } from '../domain/discovery.ts';
import type { FeedItem, PaperWithStats } from '../domain/paper.ts';
import { addDays } from '../domain/period.ts';
import { FeatureIndex } from '../discovery/feature-index.ts';
import type { ForYouFeatures } from '../discovery/for-you-features-file.ts';
import { ForYouPapers, type ForYouPaper } from '../discovery/for-you-papers.ts';
import type { Logger } from '../logger.ts';
import { IndexFileError } from '../search/index-file.ts';
import { PUBLISH_LEASE_MS, type PublishedIndex } from '../search/published-index.ts';
import { PublishedVersionFollower } from '../search/published-version-follower.ts';
import { rankCandidates, reasonText, sampleBackground, trainModel, type Example, type ExampleSource, type ModelKind } from '../discovery/reader-model.ts';
import type { Store } from '../store/store.ts';
import { ServiceError, paperNotFound } from './errors.ts';
import { visiblePaperOr404 } from './papers.ts';

export interface ForYouPick {
  paper: PaperWithStats;
  score: number;
  /** Cosine similarity of the pick to the example named in its reason. */
  similarity: number;
  /** "like “X”, which you upvoted". */
  reason: string;
  because: { paperId: string; title: string; source: ExampleSource; detail: string | null };
}

export interface ForYouResult {
  picks: ForYouPick[];
  /** The reader has no upvotes, collections or interests yet: show the interest picker. */
  coldStart: boolean;
  /** How many positive and negative examples the model learned from. */
  positives: number;
  negatives: number;
}

/** Papers standing in for one category or author interest. */
const PSEUDO_PER_INTEREST = 15;
const MAX_INTERESTS = 50;
/** Feed items per read while the index is built. */
const FEED_PAGE = 200;
export const FOR_YOU_PUBLISH_LEASE = 'for-you:features:publish';

/** Where the For-you features are published (`SEARCH_INDEX_FILES`), as for the keyword index. */
export interface ForYouPersist {
  files: PublishedIndex<ForYouFeatures>;
  /** How often the version row is checked for a newer published file; default 30 s. */
  pollMs?: number;
  logger?: Logger;
}

/**
 * The features in memory: the vectors, what For you keeps of each paper, and how far into the feed
 * they go. Replaced whole when a new version is loaded or built, so work on the old one (a delta
 * being read) never mixes into the new.
 */
interface Features {
  serial: number;
  index: FeatureIndex;
  /** A loaded file's papers stay in its columns (`ForYouPapers`). */
  meta: ForYouPapers;
  through: { day: string; items: number };
}

let serials = 0;

/**
 * "For you": a per-reader logistic regression over TF-IDF features of title and abstract, trained on
 * each request from the reader's upvotes, collections and interests (positives), "not interested"
 * marks and a seeded sample of other papers (negatives), ranking the last `recentDays` feed days.
 * The feature index is built once from the store and extended as new feed days arrive.
 *
 * With `persist`, the features are not built at every start: the newest published file is loaded
 * (its vectors read as views on one buffer) and the feed items that arrived after it was built are
 * added in memory (the delta, as a long-running server always did). The version row is polled every
 * `pollMs`, so a version published by `reindex`, the worker's merge or another server replaces the
 * one in memory without a restart. When no file can be served — none yet, corrupt, truncated, an
 * old format, another FOR_YOU_INDEX_DAYS — the features are built from the store as before and
 * published for the others; a worn delta is merged (rebuilt and published) by the holder of the lease.
 */
export class ForYouService {
  private state: Features | null = null;
  private refreshing: Promise<void> | null = null;
  private split: { key: string; candidates: string[]; older: string[] } | null = null;
  /** The published version in memory and the polls for a newer one. */
  private readonly follower: PublishedVersionFollower;
  private publishing?: Promise<'published' | 'busy' | 'empty'>;
  private readonly holder = `for-you:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  /** What the start did, for logs and benchmarks. */
  readonly lastLoad = { source: 'none' as 'none' | 'file' | 'build', ms: 0, papers: 0, delta: 0, rejected: null as string | null };

  constructor(
    private readonly store: Store,
    private readonly opts: { recentDays: number; indexDays: number; model?: ModelKind },
    private readonly persist?: ForYouPersist,
  ) {
    this.follower = new PublishedVersionFollower({
      latest: async () => (this.persist ? this.persist.files.latest() : null),
      swapIn: () => this.swapInPublished(),
      pollMs: persist?.pollMs,
      logger: persist?.logger,
      what: 'newer "For you" features',
    });
  }

  /** Whether the features are published as files (the merge job runs only then). */
  get persistent(): boolean {
    return !!this.persist;
  }

  /** The published version this process serves (null when built here without publishing). */
  get servedVersion(): number | null {
    return this.follower.version;
  }

  /** Brings the features up to date with the feed: loaded or built on first use, then extended with new papers. */
  private async refresh(): Promise<string | null> {
    this.pollInBackground();
    // A few rounds: a new version may be swapped in while a delta is read for the old one.
    for (let round = 0; round < 3; round++) {
      const newest = await this.store.feed.newestDay();
      if (!newest) return null;
      const items = await this.store.feed.countItems(newest, newest);
      const s = this.state;
      if (s && s.through.day === newest && s.through.items === items) return newest;
      this.refreshing ??= (s ? this.extend(s, newest, items) : this.start()).finally(() => {
        this.refreshing = null;
      });
      await this.refreshing;
    }
    return this.state?.through.day ?? null;
  }

  /** Feed items of the days `from`..`to`, read a page at a time. */
  private async readFeed(from: string, to: string): Promise<FeedItem[]> {
    // Read a day at a time, handing the event loop back between days: SQLite's driver is
    // synchronous, so awaiting its queries alone never lets a request in (two-week slices held
    // it for hundreds of milliseconds each, and back to back for the whole read).
    const items: FeedItem[] = [];
    // Pages of 200: a whole day (1,000+ papers with their abstracts) still held it 100–200 ms.
    for (let day = from; day <= to; day = addDays(day, 1)) {
      for (let offset = 0; ; offset += FEED_PAGE) {
        const page = await this.store.feed.items(day, day, { limit: FEED_PAGE, offset });
        items.push(...page);
        await yieldToLoop();
        if (page.length < FEED_PAGE) break;
      }
    }
    return items;
  }

  /** The features of the last `indexDays` feed days, built from the store (null: no feed yet). */
  private async buildFromStore(): Promise<Features | null> {
    const newest = await this.store.feed.newestDay();
    if (!newest) return null;
    const through = { day: newest, items: await this.store.feed.countItems(newest, newest) };
    const items = await this.readFeed(addDays(newest, -this.opts.indexDays + 1), newest);
    const index = await FeatureIndex.buildAsync(items.map((i) => i.paper));
    const meta = ForYouPapers.empty();
    for (const i of items) meta.set(i.paper.id, paperOf(i.paper, i.entry.day));
    return { serial: ++serials, index, meta, through };
  }

  /** The delta: feed items that arrived after `s` was built or last extended, added to it. */
  private async extend(s: Features, newest: string, count: number): Promise<void> {
    const items = await this.readFeed(s.through.day, newest);
    for (let k = 0; k < items.length; k++) {
      s.index.add(items[k].paper);
      if (k % 500 === 499) await yieldToLoop();
    }
    for (const i of items) s.meta.set(i.paper.id, paperOf(i.paper, i.entry.day));
    s.through = { day: newest, items: count };
  }

  /** First use: the published file when it can be served, else a build (published for the others). */
  private async start(): Promise<void> {
    const t = performance.now();
    let source: 'file' | 'build' = 'build';
    const opened = this.persist ? await this.openPublished() : null;
    if (opened) {
      this.state = opened.features;
      this.follower.loaded(opened.version);
      source = 'file';
    } else if (!this.persist || (await this.buildAndPublish()) === 'busy') {
      // No persistence, or another process holds the lease and is building: build here as well rather than wait on it.
      this.state = await this.buildFromStore();
    }
    const s = this.state;
    if (!s) return;
    const before = s.index.size;
    const newest = await this.store.feed.newestDay();
    const items = newest ? await this.store.feed.countItems(newest, newest) : 0;
    if (newest && (newest !== s.through.day || items !== s.through.items)) await this.extend(s, newest, items);
    Object.assign(this.lastLoad, { source, ms: performance.now() - t, papers: s.index.size, delta: s.index.size - before });
  }

  /** The newest published version, opened; null when there is none or it cannot be served (logged, and noted in `lastLoad`). */
  private async openPublished(): Promise<{ features: Features; version: number } | null> {
    const opened = await this.persist!.files.openLatest((snap) => {
      if (snap.indexDays !== this.opts.indexDays) throw new IndexFileError('header', `published For-you features cover ${snap.indexDays} feed days, FOR_YOU_INDEX_DAYS is ${this.opts.indexDays}`);
    });
    if (!opened || 'rejected' in opened) {
      if (opened) this.lastLoad.rejected = opened.rejected;
      return null;
    }
    const { snap, version } = opened;
    return { features: { serial: ++serials, index: await FeatureIndex.fromParts(snap.features), meta: snap.papers instanceof ForYouPapers ? snap.papers : ForYouPapers.from(snap.papers), through: snap.through }, version };
  }

  /** The state to publish, taken at once: requests may add papers to the served index while it is written. */
  private frozen(s: Features): ForYouFeatures {
    return { features: s.index.parts(), papers: new Map(s.meta), through: { ...s.through }, indexDays: this.opts.indexDays };
  }

  /**
   * Builds from the store, serves the build and publishes it, under the publishing lease (one
   * build at a time in this process too). 'busy': another process holds the lease (its version
   * comes in at the next poll); 'empty': there is no feed to build from.
   */
  private buildAndPublish(): Promise<'published' | 'busy' | 'empty'> {
    this.publishing ??= this.buildAndPublishOnce().finally(() => {
      this.publishing = undefined;
    });
    return this.publishing;
  }

  private async buildAndPublishOnce(): Promise<'published' | 'busy' | 'empty'> {
    const p = this.persist!;
    const leased = await this.store.leases.hold(FOR_YOU_PUBLISH_LEASE, this.holder, PUBLISH_LEASE_MS, async () => {
      const built = await this.buildFromStore();
      if (!built) return 'empty' as const;
      const snap = this.frozen(built);
      this.state = built;
      this.follower.version = null;
      try {
        const v = await p.files.publish(snap);
        this.follower.version = v.version;
        p.logger?.info({ version: v.version, papers: v.papers, bytes: v.bytes }, 'published the "For you" features');
      } catch (err) {
        p.logger?.warn({ err: (err as Error).message }, 'could not publish the "For you" features; serving them from memory');
      }
      return 'published' as const;
    });
    return leased.held ? leased.value : 'busy';
  }


  /** Checks the version row now and then (never more than once at a time, never awaited by a reader). */
  private pollInBackground(): void {
    if (this.persist && this.state) this.follower.pollInBackground();
  }

  /** Loads a newer published version than the one in memory, if there is one, and swaps it in. Returns whether it swapped. */
  pollVersion(): Promise<boolean> {
    return this.follower.poll();
  }

  /** The newest published version swapped in, with the feed items that arrived after it was built. */
  private async swapInPublished(): Promise<boolean> {
    const t = performance.now();
    const opened = await this.openPublished();
    if (!opened) return false;
    this.state = opened.features;
    this.follower.version = opened.version;
    const before = opened.features.index.size;
    await this.refresh();
    this.persist?.logger?.info({ version: opened.version, papers: opened.features.index.size, delta: opened.features.index.size - before, ms: Math.round(performance.now() - t) }, 'loaded newer "For you" features');
    return true;
  }

  /**
   * Writes the For-you features file now (reindex): a fresh build from the store, published as the
   * next version. Returns its version, or null without persistence or without a feed.
   */
  async publish(): Promise<number | null> {
    if (!this.persist) return null;
    const done = await this.buildAndPublish();
    if (done === 'busy') throw new Error('another process is publishing the "For you" features; try again when it is done');
    if (done === 'empty') return null;
    if (this.follower.version === null) throw new Error('could not publish the "For you" features (see the log)');
    return this.follower.version;
  }

  /**
   * The worker's merge: rebuild and publish when nothing is published yet, the published file
   * cannot be served, or more feed items arrived since it was built than a tenth of its papers
   * (at least 1,000). Returns the new version, or null when the published one is fine.
   */
  async mergeIfWorn(): Promise<number | null> {
    if (!(await this.mergeDue())) return null;
    return (await this.buildAndPublish()) === 'published' ? this.follower.version : null;
  }

  /** Whether `mergeIfWorn` would rebuild: cheap (two counts; the file is only checked by its 64-byte head). */
  async mergeDue(): Promise<boolean> {
    // Not while this process is still loading or building: that publishes by itself.
    if (!this.persist || this.publishing || (this.refreshing && !this.state)) return false;
    const newest = await this.store.feed.newestDay();
    if (!newest) return false;
    const latest = await this.persist.files.latest();
    if (!latest || latest.format !== this.persist.files.codec.format) return true;
    const through = { day: latest.cursor.modifiedAt, items: Number(latest.cursor.id) };
    const sameDay = Math.max(0, (await this.store.feed.countItems(through.day, through.day)) - through.items);
    const later = through.day < newest ? await this.store.feed.countItems(addDays(through.day, 1), newest) : 0;
    if (sameDay + later > Math.max(1000, 0.1 * latest.papers)) return true;
    // The published bytes are gone from a shared directory and not in the store: publish again.
    return !latest.stored && !(await this.persist.files.headMatches(latest));
  }

  /** Loads or builds the features ahead of the first reader (serve calls it in the background); returns how many papers they hold. */
  async warm(): Promise<number> {
    await this.refresh();
    return this.state?.index.size ?? 0;
  }

  /** Vectors for papers the index may not hold yet (old upvotes): fetched and added. */
  private async ensureIndexed(s: Features, ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !s.index.has(id));
    if (!missing.length) return;
    for (const p of await this.store.papers.getMany(missing)) {
      s.index.add(p);
      if (!s.meta.has(p.id)) s.meta.set(p.id, paperOf(p, (p.publishedAt ?? '').slice(0, 10)));
    }
  }

  /** The recent window's candidates and the older papers (the background pool), split once per index state. */
  private partition(s: Features, from: string, to: string): { candidates: string[]; older: string[] } {
    const key = `${s.serial}:${s.through.day}:${s.through.items}|${s.meta.size}|${from}|${to}`;
    if (this.split?.key !== key) {
      this.split = { key, ...s.meta.splitByDay(from, to, (id) => s.index.has(id)) };
    }
    return this.split;
  }

  /**
   * The reader's picks among the recent papers (the last `recentDays` feed days up to the newest,
   * or up to `until`), leaving out `exclude` (e.g. what a digest already holds or sent).
   */
  async picksFor(userId: number, limit = 20, opts: { exclude?: ReadonlySet<string>; until?: string } = {}): Promise<ForYouResult> {
    const newest = await this.refresh();
    const [ex, interests, orgFollows] = await Promise.all([this.store.discovery.examples(userId), this.store.discovery.interests(userId), this.followedOrgPapers(userId)]);
    const empty = { picks: [], positives: 0, negatives: 0 };
    // One state for the whole request: a newer version swapped in meanwhile serves the next one.
    const s = this.state;
    if (!newest || !s) return { ...empty, coldStart: ex.upvoted.length + ex.collected.length + interests.length + orgFollows.length === 0 };
    const index = s.index;
    const paperInterests = interests.filter((i) => i.kind === 'paper').map((i) => i.value);
    await this.ensureIndexed(s, [...ex.upvoted, ...ex.collected.map((c) => c.paperId), ...ex.notInterested, ...paperInterests, ...orgFollows.flatMap((o) => o.paperIds)]);

    const examples: Example[] = [];
    const taken = new Set<string>();
    const add = (id: string, label: 0 | 1, source: ExampleSource, detail?: string) => {
      const vector = index.get(id);
      if (!vector || taken.has(id)) return;
      taken.add(id);
      examples.push({ id, vector, label, source, title: s.meta.title(id), detail });
    };
    for (const id of ex.upvoted) add(id, 1, 'upvote');
    for (const c of ex.collected) add(c.paperId, 1, 'collection', c.collection);
    for (const id of paperInterests) add(id, 1, 'interest-paper');
    for (const id of ex.notInterested) add(id, 0, 'not-interested');
    const seen = new Set(taken);
    const end = opts.until && opts.until < newest ? opts.until : newest;
    const recentFrom = addDays(end, -this.opts.recentDays + 1);
    for (const i of interests) {
      if (i.kind === 'paper') continue;
      for (const id of await this.papersFor(s, i, recentFrom)) if (!taken.has(id)) add(id, 1, i.kind === 'category' ? 'interest-category' : 'interest-author', i.value);
    }
    // A followed organisation stands in like an author interest: its papers, before the recent window when it has enough.
    for (const o of orgFollows) {
      const older = o.paperIds.filter((id) => (s.meta.day(id) ?? '') < recentFrom);
      for (const id of (older.length >= 3 ? older : o.paperIds).slice(0, PSEUDO_PER_INTEREST)) if (!taken.has(id)) add(id, 1, 'follow-org', o.name);
    }
    const positives = examples.filter((e) => e.label === 1).length;
    if (!positives) return { ...empty, coldStart: true, negatives: examples.length };

    const split = this.partition(s, recentFrom, end);
    const candidates: { id: string; vector: NonNullable<ReturnType<FeatureIndex['get']>> }[] = [];
    for (const id of split.candidates) if (!seen.has(id) && !opts.exclude?.has(id)) candidates.push({ id, vector: index.get(id)! });
    const older = split.older;
    // Background negatives come from outside the recent window, unless too few papers are older (a young instance).
    const pool = older.length >= 20 ? older : [...index.ids()];
    const background = sampleBackground(pool, Math.min(1000, Math.max(100, 2 * positives)), taken, userId);
    for (const id of background) add(id, 0, 'background');

    const model = trainModel(this.opts.model ?? 'logistic', examples, userId);
    const ranked = rankCandidates(model, candidates, examples, limit * 2);
    const papers = new Map((await this.store.papers.visibleMany(ranked.map((r) => r.id))).map((p) => [p.id, p]));
    const picks: ForYouPick[] = [];
    for (const r of ranked) {
      const paper = papers.get(r.id);
      if (!paper) continue;
      picks.push({
        paper,
        score: r.score,
        similarity: r.similarity,
        reason: reasonText(r.because),
        because: { paperId: r.because.id, title: r.because.title ?? r.because.id, source: r.because.source, detail: r.because.detail ?? null },
      });
      if (picks.length >= limit) break;
    }
    return { picks, coldStart: false, positives, negatives: examples.length - positives };
  }

  /** The listed organisations the reader follows, each with its newest papers (For you's stand-ins for it). */
  private async followedOrgPapers(userId: number): Promise<Array<{ name: string; paperIds: string[] }>> {
    const out: Array<{ name: string; paperIds: string[] }> = [];
    for (const f of await this.store.discovery.follows(userId)) {
      if (f.kind !== 'org') continue;
      const org = await this.store.organisations.bySlug(f.value);
      if (org?.status === 'listed') out.push({ name: org.name, paperIds: await this.store.organisations.paperIds(org.id, 4 * PSEUDO_PER_INTEREST) });
    }
    return out;
  }

  /** Papers standing in for a category or author interest: the newest ones before the recent window first. */
  private async papersFor(s: Features, i: Interest, recentFrom: string): Promise<string[]> {
    const all = (await s.meta.matching(i.kind === 'category' ? 'category' : 'author', i.value)).sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0));
    const older = all.filter(([, day]) => day < recentFrom);
    return (older.length >= 3 ? older : all).slice(0, PSEUDO_PER_INTEREST).map(([id]) => id);
  }

  private async paperOr404(raw: string): Promise<PaperWithStats> {
    const id = canonicalPaperId(raw);
    if (!id) throw paperNotFound(raw);
    return visiblePaperOr404(this.store, id);
  }

  /** Marks a paper "not interested": it leaves the reader's picks and counts as a negative example. */
  async markNotInterested(userId: number, paperId: string): Promise<{ paperId: string; notInterested: boolean }> {
    const paper = await this.paperOr404(paperId);
    await this.store.discovery.markNotInterested(userId, paper.id);
    return { paperId: paper.id, notInterested: true };
  }

  async unmarkNotInterested(userId: number, paperId: string): Promise<{ paperId: string; notInterested: boolean }> {
    const paper = await this.paperOr404(paperId);
    await this.store.discovery.unmarkNotInterested(userId, paper.id);
    return { paperId: paper.id, notInterested: false };
  }

  interests(userId: number): Promise<Interest[]> {
    return this.store.discovery.interests(userId);
  }

  /** Cold start: a category (`cs.CV`), an author's name or a paper id the reader cares about. */
  async addInterest(userId: number, kind: InterestKind, raw: string): Promise<Interest> {
    let value = normalizeValue(raw);
    if (!value) throw new ServiceError(400, 'invalid_interest', 'an interest needs a value of 1 to 200 characters');
    if (kind === 'category' && !/^[a-z-]+(\.[A-Za-z-]+)?$/.test(value)) throw new ServiceError(400, 'invalid_interest', `"${value}" is not an arXiv category (e.g. cs.CV)`);
    if (kind === 'paper') value = (await this.paperOr404(value)).id;
    if ((await this.store.discovery.interests(userId)).length >= MAX_INTERESTS) throw new ServiceError(409, 'too_many_interests', `at most ${MAX_INTERESTS} interests`);
    return this.store.discovery.addInterest(userId, kind, value);
  }

  async removeInterest(userId: number, id: number): Promise<void> {
    if (!(await this.store.discovery.removeInterest(userId, id))) throw new ServiceError(404, 'not_found', `interest ${id} not found`);
  }

  /** The categories of the recent papers, most common first: what the cold-start picker offers. */
  async popularCategories(limit = 20): Promise<{ category: string; papers: number }[]> {
    await this.refresh();
    const counts = this.state?.meta.categoryCounts() ?? new Map<string, number>();
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, limit)
      .map(([category, papers]) => ({ category, papers }));
  }
}

function paperOf(p: PaperWithStats, day: string): ForYouPaper {
  return { title: p.title, categories: p.categories, authors: p.authors, day };
}
