import type { FeedItem } from '../../domain/paper.ts';
import { isoWeekOf, periodHeading, type Period, type PeriodKind } from '../../domain/period.ts';
import type { PeriodPage } from '../../services/feed.ts';
import { FeedList, SubscribeBanner, type CardViewer } from './components.tsx';
import { Layout, type NavKey } from './layout.tsx';
import { DAILY_FEEDS } from './feed-links.tsx';
import { VisibleFeeds } from './visible-feeds.tsx';

const TITLES: Record<PeriodKind, string> = { day: 'Daily Papers', week: 'Weekly Papers', month: 'Monthly Papers' };
const NAVS: Record<PeriodKind, NavKey> = { day: 'daily', week: 'weekly', month: 'monthly' };
/** The URL segment of each kind: `/papers/date/2025-08-01`, `/papers/week/2025-W31`, `/papers/month/2025-08`. */
export const KIND_SEGMENT: Record<PeriodKind, string> = { day: 'date', week: 'week', month: 'month' };

export const periodUrl = (p: Pick<Period, 'kind' | 'label'>) => `/papers/${KIND_SEGMENT[p.kind]}/${p.label}`;

/** Previous / next periods that have papers (the service skips empty ones). */
function Pager({ page }: { page: PeriodPage }) {
  const unit = page.period.kind;
  return (
    <nav aria-label={`Other ${unit}s`}>
      <ul class="pager">
        <li>
          {page.previous ? (
            <a href={periodUrl(page.previous)} rel="prev">
              ← Previous {unit}
            </a>
          ) : (
            <span>No earlier {unit}</span>
          )}
        </li>
        <li>
          {page.next ? (
            <a href={periodUrl(page.next)} rel="next">
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
    <form class="picker" method="get" action={`/papers/${type}`}>
      <label for={id}>Go to {kind}</label>
      <input id={id} type={type} name="value" value={value} required />
      <button type="submit" class="quiet">
        Go
      </button>
    </form>
  );
}

function PeriodTabs({ period }: { period: Period }) {
  const day = period.from;
  const tabs: Array<[PeriodKind, string, string]> = [
    ['day', `/papers/date/${day}`, 'Day'],
    ['week', `/papers/week/${isoWeekOf(day)}`, 'Week'],
    ['month', `/papers/month/${day.slice(0, 7)}`, 'Month'],
  ];
  return (
    <nav aria-label="Period">
      <ul class="tabs">
        {tabs.map(([k, href, label]) => (
          <li>
            <a href={href} aria-current={k === period.kind ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export interface FeedPageProps {
  page: PeriodPage | null;
  /** The home page: the banner and the newest day. */
  home?: boolean;
  pageNum?: number;
  perPage?: number;
  viewer?: CardViewer;
}

export function FeedPageView({ page, home = false, pageNum = 1, perPage = 50, viewer }: FeedPageProps) {
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
        <VisibleFeeds feeds={[DAILY_FEEDS[0]]} compact />
      </div>
      {!page ? (
        <p class="empty">
          No papers yet. Import some with <code>paperboy import</code>.
        </p>
      ) : (
        <>
          <div class="period-bar">
            <PeriodTabs period={page.period} />
            <Pager page={page} />
            <PeriodPicker kind={kind} value={kind === 'day' ? page.period.from : page.period.label} />
          </div>
          <h2 class="period-label">{label}</h2>
          {page.items.length === 0 ? (
            <p class="empty">
              No papers on the feed this {kind}. {page.previous && <a href={periodUrl(page.previous)}>See the nearest earlier {kind}</a>}
            </p>
          ) : (
            <>
              <p class="tagline">
                {page.total} {page.total === 1 ? 'paper' : 'papers'}, most upvoted first
                {pages > 1 && ` — page ${pageNum} of ${pages}`}
              </p>
              <FeedList items={page.items} viewer={viewer} />
              {pages > 1 && (
                <nav aria-label="Pages">
                  <ul class="pager">
                    <li>{pageNum > 1 ? <a href={`${periodUrl(page.period)}?page=${pageNum - 1}`}>← Previous page</a> : <span>First page</span>}</li>
                    <li>{pageNum < pages ? <a href={`${periodUrl(page.period)}?page=${pageNum + 1}`}>More papers →</a> : <span>Last page</span>}</li>
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
