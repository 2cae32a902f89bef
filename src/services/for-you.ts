import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { canonicalPaperId } from '../domain/arxiv-id.ts';
import { normalizeValue, type Interest, type InterestKind } from '../domain/discovery.ts';
import type { FeedItem, PaperWithStats } from '../domain/paper.ts';
import { addDays } from '../domain/period.ts';
import { FeatureIndex } from '../discovery/feature-index.ts';
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

interface Meta {
  title: string;
  categories: string[];
  authors: string[];
  day: string;
}

/** Papers standing in for one category or author interest. */
const PSEUDO_PER_INTEREST = 15;
const MAX_INTERESTS = 50;
/** Feed items per read while the index is built. */
const FEED_PAGE = 200;

/**
 * "For you": a per-reader logistic regression over TF-IDF features of title and abstract, trained on
 * each request from the reader's upvotes, collections and interests (positives), "not interested"
 * marks and a seeded sample of other papers (negatives), ranking the last `recentDays` feed days.
 * The feature index is built once from the store and extended as new feed days arrive.
 */
export class ForYouService {
  private index: FeatureIndex | null = null;
  private readonly meta = new Map<string, Meta>();
  private indexedThrough: string | null = null;
  private indexKey = '';
  private refreshing: Promise<void> | null = null;
  private split: { key: string; candidates: string[]; older: string[] } | null = null;

  constructor(
    private readonly store: Store,
    private readonly opts: { recentDays: number; indexDays: number; model?: ModelKind },
  ) {}

  private remember(p: PaperWithStats, day: string): void {
    this.meta.set(p.id, { title: p.title, categories: p.categories, authors: p.authors, day });
  }

  /** Brings the index up to date with the feed: built on first use, then extended with new papers. */
  private async refresh(): Promise<string | null> {
    const newest = await this.store.feed.newestDay();
    if (!newest) return null;
    const key = `${newest}:${await this.store.feed.countItems(newest, newest)}`;
    if (key === this.indexKey && this.index) return newest;
    this.refreshing ??= (async () => {
      const from = this.index && this.indexedThrough ? this.indexedThrough : addDays(newest, -this.opts.indexDays + 1);
      // Read a day at a time, handing the event loop back between days: SQLite's driver is
      // synchronous, so awaiting its queries alone never lets a request in (two-week slices held
      // it for hundreds of milliseconds each, and back to back for the whole read).
      const items: FeedItem[] = [];
      // Pages of 200: a whole day (1,000+ papers with their abstracts) still held it 100–200 ms.
      for (let day = from; day <= newest; day = addDays(day, 1)) {
        for (let offset = 0; ; offset += FEED_PAGE) {
          const page = await this.store.feed.items(day, day, { limit: FEED_PAGE, offset });
          items.push(...page);
          await yieldToLoop();
          if (page.length < FEED_PAGE) break;
        }
      }
      if (!this.index) {
        this.index = await FeatureIndex.buildAsync(items.map((i) => i.paper));
      } else {
        for (let k = 0; k < items.length; k++) {
          this.index.add(items[k].paper);
          if (k % 500 === 499) await yieldToLoop();
        }
      }
      for (const i of items) this.remember(i.paper, i.entry.day);
      this.indexedThrough = newest;
      this.indexKey = key;
    })().finally(() => {
      this.refreshing = null;
    });
    await this.refreshing;
    return newest;
  }

  /** Builds the feature index ahead of the first reader (serve calls it in the background); returns how many papers it holds. */
  async warm(): Promise<number> {
    await this.refresh();
    return this.index?.size ?? 0;
  }

  /** Vectors for papers the index may not hold yet (old upvotes): fetched and added. */
  private async ensureIndexed(ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !this.index!.has(id));
    if (!missing.length) return;
    for (const p of await this.store.papers.getMany(missing)) {
      this.index!.add(p);
      if (!this.meta.has(p.id)) this.remember(p, (p.publishedAt ?? '').slice(0, 10));
    }
  }

  /** The recent window's candidates and the older papers (the background pool), split once per index state. */
  private partition(from: string, to: string): { candidates: string[]; older: string[] } {
    const key = `${this.indexKey}|${this.meta.size}|${from}|${to}`;
    if (this.split?.key !== key) {
      const candidates: string[] = [];
      const older: string[] = [];
      for (const [id, m] of this.meta) {
        if (m.day >= from && m.day <= to) candidates.push(id);
        else if (m.day < from && this.index!.has(id)) older.push(id);
      }
      this.split = { key, candidates, older };
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
    if (!newest || !this.index) return { ...empty, coldStart: ex.upvoted.length + ex.collected.length + interests.length + orgFollows.length === 0 };
    const index = this.index;
    const paperInterests = interests.filter((i) => i.kind === 'paper').map((i) => i.value);
    await this.ensureIndexed([...ex.upvoted, ...ex.collected.map((c) => c.paperId), ...ex.notInterested, ...paperInterests, ...orgFollows.flatMap((o) => o.paperIds)]);

    const examples: Example[] = [];
    const taken = new Set<string>();
    const add = (id: string, label: 0 | 1, source: ExampleSource, detail?: string) => {
      const vector = index.get(id);
      if (!vector || taken.has(id)) return;
      taken.add(id);
      examples.push({ id, vector, label, source, title: this.meta.get(id)?.title, detail });
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
      for (const id of this.papersFor(i, recentFrom)) if (!taken.has(id)) add(id, 1, i.kind === 'category' ? 'interest-category' : 'interest-author', i.value);
    }
    // A followed organisation stands in like an author interest: its papers, before the recent window when it has enough.
    for (const o of orgFollows) {
      const older = o.paperIds.filter((id) => (this.meta.get(id)?.day ?? '') < recentFrom);
      for (const id of (older.length >= 3 ? older : o.paperIds).slice(0, PSEUDO_PER_INTEREST)) if (!taken.has(id)) add(id, 1, 'follow-org', o.name);
    }
    const positives = examples.filter((e) => e.label === 1).length;
    if (!positives) return { ...empty, coldStart: true, negatives: examples.length };

    const split = this.partition(recentFrom, end);
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
  private papersFor(i: Interest, recentFrom: string): string[] {
    const v = i.value.toLowerCase();
    const match = (m: Meta) => (i.kind === 'category' ? m.categories.some((c) => c.toLowerCase() === v) : m.authors.some((a) => a.toLowerCase() === v));
    const all = [...this.meta.entries()].filter(([, m]) => match(m)).sort((a, b) => (a[1].day < b[1].day ? 1 : a[1].day > b[1].day ? -1 : 0));
    const older = all.filter(([, m]) => m.day < recentFrom);
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
    const counts = new Map<string, number>();
    for (const m of this.meta.values()) for (const c of m.categories) counts.set(c, (counts.get(c) ?? 0) + 1);
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, limit)
      .map(([category, papers]) => ({ category, papers }));
  }
}

