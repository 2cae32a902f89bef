import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { PaperWithStats } from '../../domain/paper.ts';
import { AccountContext } from '../views/account-context.ts';
import type { CardViewer } from '../views/components.tsx';
import { cardViewerOf } from '../card-viewer.ts';
import { parseDay, parsePeriod, periodOf, type PeriodKind } from '../../domain/period.ts';
import type { AppEnv } from '../env.ts';
import { AuthorPageView } from '../views/author-page.tsx';
import { NotFoundPage } from '../views/error-page.tsx';
import { FeedPageView, TrendingPageView, periodUrl, type FeedFilterView } from '../views/feed-page.tsx';
import { KIND_SEGMENT } from '../../domain/site-paths.ts';
import { PaperPageView } from '../views/paper-page.tsx';
import { SearchPageView, type SearchForm } from '../views/search-page.tsx';
import { paperUrl } from '../views/components.tsx';
import { findSimilar, runSearch, SIMILAR_FALLBACK_CACHE_MS, type PageSearch } from '../site-search.ts';
import { SEARCH_LIMITS } from '../../services/search.ts';
import { paperIdFromPagePath } from '../params.ts';
import { ServiceError } from '../../services/errors.ts';
import { parseSort } from '../../search/query.ts';
import type { SearchSort } from '../../domain/search-query.ts';
import type { FollowViewer } from '../views/follow-button.tsx';
import { pageDependsOn, pageFreshFor, paperDep, periodDeps, VOTES_DEP } from '../page-deps.ts';

/** Cards on a feed, trending or author page (the largest page there is: the page-size test renders it). */
export const PER_PAGE = 50;
const SEARCH_PER_PAGE = 25;
/** The last page the service pages to (`SEARCH_LIMITS.maxOffset`). */
const SEARCH_MAX_PAGE = Math.floor(SEARCH_LIMITS.maxOffset / SEARCH_PER_PAGE) + 1;
const KINDS: PeriodKind[] = ['day', 'week', 'month'];

const pageNumber = (c: Ctx) => {
  const n = Number(c.req.query('page') ?? '1');
  return Number.isInteger(n) && n >= 1 && n <= 10_000 ? n : 1;
};

type Ctx = Context<AppEnv>;

/** Renders a page with the signed-in account available to the layout's header. */
function render(c: Ctx, page: Child, status: ContentfulStatusCode = 200) {
  return c.html(<AccountContext.Provider value={{ user: c.var.user, csrfToken: c.var.csrfToken }}>{page}</AccountContext.Provider>, status);
}

/** The viewer's follows, for the follow buttons on paper and author pages. */
async function followViewerOf(c: Ctx): Promise<FollowViewer> {
  const user = c.var.user;
  const url = new URL(c.req.url);
  return { signedIn: Boolean(user), csrfToken: c.var.csrfToken, next: url.pathname + url.search, follows: user ? await c.var.services.following.followedKeys(user.id) : new Map() };
}

/** The view's filter as the store's: the category, and the reader whose seen papers are left out. */
const storeFilter = (c: Ctx, f: FeedFilterView) => ({ category: f.category, unseenBy: f.hideSeen && c.var.user ? c.var.user.id : undefined });

const notFoundPage = (c: Ctx) => render(c, <NotFoundPage path={c.req.path} />, 404);

/** The viewer of a list of papers (upvotes, seen marks, enrichments: one read each for the page). */
const viewerOf = (c: Ctx, items: Array<{ paper: { id: string } }>): Promise<CardViewer> => cardViewerOf(c, items.map((i) => i.paper.id));

const CATEGORY_RE = /^[A-Za-z][A-Za-z-]*(\.[A-Za-z][A-Za-z-]*)?$/;

/** A feed page's `?category=` and `?seen=hide` (the latter only for a signed-in reader); a malformed category is ignored. */
function feedFilterOf(c: Ctx): FeedFilterView {
  const raw = (c.req.query('category') ?? '').trim();
  const category = raw && raw.length <= 40 && CATEGORY_RE.test(raw) ? raw : undefined;
  const signedIn = Boolean(c.var.user);
  const hideSeen = signedIn && c.req.query('seen') === 'hide';
  const order = c.req.query('sort') === 'stars' ? 'stars' : undefined;
  const offered = c.var.services.config.feedCategories;
  const categories = category && !offered.some((x) => x.toLowerCase() === category.toLowerCase()) ? [...offered, category] : offered;
  return { category: category ? (offered.find((x) => x.toLowerCase() === category.toLowerCase()) ?? category) : undefined, hideSeen, categories, signedIn, order };
}

const searchQuery = z.object({
  q: z.string().trim().max(300).default(''),
  from: z.string().optional().transform((s) => (s ? parseDay(s)?.from : undefined)),
  to: z.string().optional().transform((s) => (s ? parseDay(s)?.from : undefined)),
  category: z
    .string()
    .trim()
    .max(40)
    .optional()
    .transform((s) => (s && /^[A-Za-z][A-Za-z0-9.-]*$/.test(s) ? s : undefined)),
  // One vocabulary with the API (`date`); the site's old `newest` is read as `date`.
  sort: z
    .string()
    .optional()
    .transform((s): SearchSort => (s ? (parseSort(s) ?? 'relevance') : 'relevance')),
  page: z.coerce.number().int().min(1).max(SEARCH_MAX_PAGE).catch(1).default(1),
});

export function pageRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const { feed } = c.var.services;
    const newest = await feed.newestDay();
    const filter = feedFilterOf(c);
    const page = newest ? await feed.period(parseDay(newest)!, { limit: PER_PAGE, filter: storeFilter(c, filter) }) : null;
    pageDependsOn(c, newest ? periodDeps(parseDay(newest)!) : []);
    return render(c, <FeedPageView page={page} home viewer={await viewerOf(c, page?.items ?? [])} filter={filter} />);
  });

  app.get('/papers/trending', async (c) => {
    const now = new Date();
    const { items, asOf } = await c.var.services.trending.items({ now, limit: PER_PAGE });
    pageDependsOn(c, [VOTES_DEP]);
    return render(c, <TrendingPageView items={items} asOf={asOf ?? now} viewer={await viewerOf(c, items)} />);
  });

  for (const kind of KINDS) {
    // The picker's GET form and the bare nav links land here: redirect to a period's page.
    app.get(`/papers/${KIND_SEGMENT[kind]}`, async (c) => {
      const value = c.req.query('value');
      if (value) {
        const p = parsePeriod(kind, value.trim());
        return p ? c.redirect(periodUrl(p), 302) : notFoundPage(c);
      }
      const newest = await c.var.services.feed.newestDay();
      if (!newest) return c.redirect('/', 302);
      return c.redirect(periodUrl(periodOf(kind, newest)), 302);
    });

    app.get(`/papers/${KIND_SEGMENT[kind]}/:key`, async (c) => {
      const period = parsePeriod(kind, c.req.param('key'));
      if (!period) return notFoundPage(c);
      const pageNum = pageNumber(c);
      const filter = feedFilterOf(c);
      const page = await c.var.services.feed.period(period, { limit: PER_PAGE, offset: (pageNum - 1) * PER_PAGE, filter: storeFilter(c, filter), order: filter.order });
      // Ranked by votes within the period: a vote on any of its papers can reorder this page.
      pageDependsOn(c, periodDeps(period));
      return render(c, <FeedPageView page={page} pageNum={pageNum} perPage={PER_PAGE} viewer={await viewerOf(c, page.items)} filter={filter} />);
    });
  }

  app.get('/search/suggest', async (c) => {
    const q = (c.req.query('q') ?? '').slice(0, 100);
    // Each suggestion names its page: picking one opens the paper instead of searching for its title.
    const list = (await c.var.services.browse.suggestTitles(q, 8)).map((s) => ({ ...s, url: paperUrl(s.id) }));
    return c.json(list, 200, { 'cache-control': 'public, max-age=60' });
  });

  app.get('/search', async (c) => {
    const parsed = searchQuery.safeParse(c.req.query());
    const form: SearchForm = parsed.success ? parsed.data : { q: '', sort: 'relevance', page: 1 };
    const notice = parsed.success ? undefined : 'Some of the search options were not understood and were ignored.';
    const categories = await c.var.services.browse.categories();
    let found: PageSearch | null = null;
    let message = notice;
    if (form.q || form.category || form.from || form.to) {
      found = await runSearch(c.var.services, form, SEARCH_PER_PAGE);
      if (found.paperId) return c.redirect(paperUrl(found.paperId), 302);
      if (found.warnings.length) message = [notice, ...found.warnings].filter(Boolean).join(' ');
    }
    return render(
      c,
      <SearchPageView form={form} results={found?.hits ?? null} enrichments={found?.enrichments} hasMore={found?.hasMore ?? false} total={found?.total} didYouMean={found?.didYouMean} categories={categories} notice={message} follow={await followViewerOf(c)} />,
      parsed.success ? 200 : 400,
    );
  });

  app.get('/authors/:name', async (c) => {
    const name = c.req.param('name').trim();
    if (!name || name.length > 300) return notFoundPage(c);
    const page = pageNumber(c);
    // A verified author's claimed name variants ("J. Smith", "John Smith") are one page.
    const variants = await c.var.services.claims.nameVariants(name);
    const items = await c.var.services.browse.byAnyAuthor(variants.names, { limit: PER_PAGE + 1, offset: (page - 1) * PER_PAGE });
    const shown = items.slice(0, PER_PAGE);
    return render(
      c,
      <AuthorPageView name={name} items={shown} page={page} hasMore={items.length > PER_PAGE} viewer={await viewerOf(c, shown)} follow={await followViewerOf(c)} verified={variants.users.map((u) => u.username)} variants={variants.names} />,
      items.length || page > 1 ? 200 : 404,
    );
  });

  // A wildcard, not PAPER_ID: next to the static /papers/… routes Hono's routers cannot match a
  // pattern containing `/`, so the id is read from the path and checked here.
  app.get('/papers/*', async (c, next) => {
    const id = paperIdFromPagePath(c.req.path);
    if (!id) return next();
    const user = c.var.user;
    const [data, follow, enriched] = await Promise.all([
      c.var.services.papers.page(id, user).catch((err) => (err instanceof ServiceError && err.status === 404 ? null : Promise.reject(err))),
      followViewerOf(c),
      c.var.services.enrichment.detail(id),
    ]);
    if (!data) return notFoundPage(c);
    const { paper, entry, comments, upvoted, collections, inCollections } = data;
    // Its similar papers are listed by title only: no other paper's vote shows here.
    pageDependsOn(c, [paperDep(paper.id)]);
    // Read state: a signed-in reader who opens a paper has seen it (dimmed or hidden on feeds);
    // recorded beside the similar-papers look-up rather than before it.
    const [similar, , authorship, watching] = await Promise.all([
      findSimilar(c.var.services, paper, entry, 5),
      user ? c.var.services.readState.opened(user.id, id) : undefined,
      // Verified authors, author-set links and affiliations: one read.
      c.var.services.claims.paperAuthorship(paper.id, user),
      user ? c.var.services.notifications.watching(user.id, paper.id) : false,
    ]);
    // Same-day papers standing in for late similar papers: cached briefly, not as the paper's page.
    if (!similar.complete) pageFreshFor(c, SIMILAR_FALLBACK_CACHE_MS);
    return render(
      c,
      <PaperPageView paper={paper} entry={entry} similar={similar.papers} comments={comments} upvoted={upvoted} viewer={user} csrfToken={c.var.csrfToken} editMinutes={c.var.services.config.commentEditMinutes} collections={collections} inCollections={inCollections} follow={follow} authorship={authorship} affiliations={authorship.affiliations} enriched={enriched} hubUrl={c.var.services.config.hfHubUrl} watching={watching} thumbnail={enriched.enrichment.thumbnails?.page} />,
    );
  });

  return app;
}
