import type { FeedItem } from '../../domain/paper.ts';
import { isoWeekOf, periodHeading, type Period, type PeriodKind } from '../../domain/period.ts';
import type { PeriodPage } from '../../services/feed.ts';
import { FeedList, SubscribeBanner, type CardViewer } from './components.tsx';
import { Layout, type NavKey } from './layout.tsx';
import { DAILY_FEEDS, feedLinksFor } from './feed-links.tsx';
import { VisibleFeeds } from './visible-feeds.tsx';
import { KIND_SEGMENT, sitePaths } from '../../domain/site-paths.ts';

const TITLES: Record<PeriodKind, string> = { day: 'Daily Papers', week: 'Weekly Papers', month: 'Monthly Papers' };
const NAVS: Record<PeriodKind, NavKey> = { day: 'daily', week: 'weekly', month: 'monthly' };
/** The URL segment of each kind: `/papers/date/2025-08-01`, `/papers/week/2025-W31`, `/papers/month/2025-08`. */
export { KIND_SEGMENT };

export const periodUrl = sitePaths.period;

/** What narrows a feed page: one category, and (signed in) hiding the papers the reader has seen. */
export interface FeedFilterView {
  category?: string;
  hideSeen: boolean;
  /** Categories offered as filter chips. */
  categories: string[];
  /** Whether the reader is signed in (the "Hide seen" toggle is theirs only). */
  signedIn: boolean;
  /** `stars`: most GitHub stars first instead of most upvoted. */
  order?: 'stars';
}

const NO_FILTER: FeedFilterView = { hideSeen: false, categories: [], signedIn: false };

/** `?category=cs.LG&seen=hide&page=2`: the filter carried through every link of a feed page. */
export function filterQuery(f: Pick<FeedFilterView, 'category' | 'hideSeen' | 'order'>, page = 1): string {
  const q = new URLSearchParams();
  if (f.category) q.set('category', f.category);
  if (f.hideSeen) q.set('seen', 'hide');
  if (f.order) q.set('sort', f.order);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Previous / next periods that have papers (the service skips empty ones). */
function Pager({ page, filter }: { page: PeriodPage; filter: FeedFilterView }) {
  const unit = page.period.kind;
  const keep = filterQuery(filter);
  return (
    <nav aria-label={`Other ${unit}s`}>
      <ul class="pager">
        <li>
          {page.previous ? (
            <a href={periodUrl(page.previous) + keep} rel="prev">
              ← Previous {unit}
            </a>
          ) : (
            <span>No earlier {unit}</span>
          )}
        </li>
        <li>
          {page.next ? (
            <a href={periodUrl(page.next) + keep} rel="next">
              Next {unit} →
            </a>
          ) : (
            <span>No later {unit}</span>
          )}
        </li>
      </ul>
    </nav>
  );
}

/** A plain GET form: `/papers/{kind}?value=…` redirects to the period's page, no JS needed. */
export function PeriodPicker({ kind, value }: { kind: PeriodKind; value: string }) {
  const type = KIND_SEGMENT[kind];
  const id = `pick-${type}`;
  return (
    <form class="picker" method="get" action={sitePaths.periodPicker(kind)}>
      <label for={id}>Go to {kind}</label>
      <input id={id} type={type} name="value" value={value} required />
      <button type="submit" class="quiet">
        Go
      </button>
    </form>
  );
}

function PeriodTabs({ period, filter }: { period: Period; filter: FeedFilterView }) {
  const day = period.from;
  const keep = filterQuery(filter);
  const tabs: Array<[PeriodKind, string, string]> = [
    ['day', sitePaths.day(day), 'Day'],
    ['week', sitePaths.period({ kind: 'week', label: isoWeekOf(day) }), 'Week'],
    ['month', sitePaths.period({ kind: 'month', label: day.slice(0, 7) }), 'Month'],
  ];
  return (
    <nav aria-label="Period">
      <ul class="tabs">
        {tabs.map(([k, href, label]) => (
          <li>
            <a href={href + keep} aria-current={k === period.kind ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Category chips ("All", then each category) and the signed-in reader's "Hide seen" toggle, as plain links. */
function FilterBar({ period, filter }: { period: Period; filter: FeedFilterView }) {
  const base = periodUrl(period);
  const chips = [undefined, ...filter.categories];
  return (
    <div class="filters">
      <nav aria-label="Category filter">
        <ul class="tabs">
          {chips.map((cat) => (
            <li>
              <a href={base + filterQuery({ category: cat, hideSeen: filter.hideSeen, order: filter.order })} aria-current={cat === filter.category ? 'page' : undefined}>
                {cat ?? 'All categories'}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <a class="follow" href={base + filterQuery({ category: filter.category, hideSeen: filter.hideSeen, order: filter.order ? undefined : 'stars' })}>
        {filter.order ? 'Most upvoted first' : 'Most GitHub stars first'}
      </a>
      {filter.signedIn && (
        <a class="follow" href={base + filterQuery({ category: filter.category, hideSeen: !filter.hideSeen, order: filter.order })}>
          {filter.hideSeen ? 'Show seen papers' : 'Hide seen'}
        </a>
      )}
    </div>
  );
}

export interface FeedPageProps {
  page: PeriodPage | null;
  /** The home page: the banner and the newest day. */
  home?: boolean;
  pageNum?: number;
  perPage?: number;
  viewer?: CardViewer;
  filter?: FeedFilterView;
}

export function FeedPageView({ page, home = false, pageNum = 1, perPage = 50, viewer, filter = NO_FILTER }: FeedPageProps) {
  const kind = page?.period.kind ?? 'day';
  const title = TITLES[kind];
  const label = page ? periodHeading(page.period) : '';
  const pages = page ? Math.max(1, Math.ceil(page.total / perPage)) : 1;
  return (
    <Layout title={page ? `${title}: ${label} · Paperboy` : 'Daily Papers · Paperboy'} nav={NAVS[kind]}>
      {home && <SubscribeBanner csrfToken={viewer?.signedIn ? viewer.csrfToken : undefined} />}
      <div class="page-head">
        <h1>{title}</h1>
        <p class="tagline">by the research community</p>
        <VisibleFeeds feeds={filter.category ? [feedLinksFor.category(filter.category)] : [DAILY_FEEDS[0]]} compact />
      </div>
      {!page ? (
        <p class="empty">
          No papers yet. Import some with <code>paperboy import</code>.
        </p>
      ) : (
        <>
          <div class="period-bar">
            <PeriodTabs period={page.period} filter={filter} />
            <Pager page={page} filter={filter} />
            <PeriodPicker kind={kind} value={kind === 'day' ? page.period.from : page.period.label} />
          </div>
          {/* The home page keeps its first paper high on a phone: the filters are one click away, on the day's own page. */}
          {!home && <FilterBar period={page.period} filter={filter} />}
          <h2 class="period-label">
            {label}
            {filter.category && ` · ${filter.category}`}
          </h2>
          {page.items.length === 0 ? (
            <p class="empty">
              {filter.category || filter.hideSeen ? (
                <>
                  No {filter.hideSeen ? 'unseen ' : ''}papers{filter.category ? ` in ${filter.category}` : ''} this {kind}. <a href={periodUrl(page.period)}>See all papers of this {kind}</a>
                </>
              ) : (
                <>
                  No papers on the feed this {kind}. {page.previous && <a href={periodUrl(page.previous)}>See the nearest earlier {kind}</a>}
                </>
              )}
            </p>
          ) : (
            <>
              <p class="tagline">
                {page.total} {filter.hideSeen ? 'unseen ' : ''}
                {page.total === 1 ? 'paper' : 'papers'}
                {filter.category ? ` in ${filter.category}` : ''}, {filter.order === 'stars' ? 'most GitHub stars first' : 'most upvoted first'}
                {pages > 1 && ` — page ${pageNum} of ${pages}`}
              </p>
              <FeedList items={page.items} viewer={viewer} />
              {pages > 1 && (
                <nav aria-label="Pages">
                  <ul class="pager">
                    <li>{pageNum > 1 ? <a href={periodUrl(page.period) + filterQuery(filter, pageNum - 1)}>← Previous page</a> : <span>First page</span>}</li>
                    <li>{pageNum < pages ? <a href={periodUrl(page.period) + filterQuery(filter, pageNum + 1)}>More papers →</a> : <span>Last page</span>}</li>
                  </ul>
                </nav>
              )}
            </>
          )}
        </>
      )}
    </Layout>
  );
}

export function TrendingPageView({ items, asOf, viewer }: { items: FeedItem[]; asOf: Date; viewer?: CardViewer }) {
  return (
    <Layout title="Trending papers · Paperboy" nav="trending">
      <div class="page-head">
        <h1>Trending papers</h1>
        <p class="tagline">Upvotes and comments of the last week, fresher papers first</p>
        <VisibleFeeds feeds={[DAILY_FEEDS[1]]} compact />
      </div>
      <p class="tagline">
        As of <time datetime={asOf.toISOString()}>{asOf.toISOString().slice(0, 10)}</time>
      </p>
      {items.length === 0 ? <p class="empty">Nothing is trending yet.</p> : <FeedList items={items} viewer={viewer} headingLevel={2} />}
    </Layout>
  );
}
