import type { FeedItem } from '../../domain/paper.ts';
import { monthOf, periodLabel, weekOf, type Period, type PeriodKind } from '../../domain/periods.ts';
import type { PeriodPage } from '../../services/feed.ts';
import { FeedList, SubscribeBanner, type CardViewer } from './components.tsx';
import { Layout, type NavKey } from './layout.tsx';

const TITLES: Record<PeriodKind, string> = { date: 'Daily Papers', week: 'Weekly Papers', month: 'Monthly Papers' };
const NAVS: Record<PeriodKind, NavKey> = { date: 'daily', week: 'weekly', month: 'monthly' };
const UNIT: Record<PeriodKind, string> = { date: 'day', week: 'week', month: 'month' };

export const periodUrl = (p: Pick<Period, 'kind' | 'key'>) => `/papers/${p.kind}/${p.key}`;

/** Previous / next periods that have papers (the service skips empty ones). */
function Pager({ page }: { page: PeriodPage }) {
  const unit = UNIT[page.period.kind];
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
  const type = kind === 'date' ? 'date' : kind;
  const id = `pick-${kind}`;
  return (
    <form class="picker" method="get" action={`/papers/${kind}`}>
      <label for={id}>Go to {UNIT[kind]}</label>
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
    ['date', `/papers/date/${period.kind === 'date' ? day : day}`, 'Day'],
    ['week', `/papers/week/${weekOf(day)}`, 'Week'],
    ['month', `/papers/month/${monthOf(day)}`, 'Month'],
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
  const kind = page?.period.kind ?? 'date';
  const title = TITLES[kind];
  const label = page ? periodLabel(page.period) : '';
  const pages = page ? Math.max(1, Math.ceil(page.total / perPage)) : 1;
  return (
    <Layout title={page ? `${title}: ${label} · Paperboy` : 'Daily Papers · Paperboy'} nav={home || kind !== 'date' ? NAVS[kind] : 'daily'}>
      {home && <SubscribeBanner csrfToken={viewer?.signedIn ? viewer.csrfToken : undefined} />}
      <div class="page-head">
        <h1>{title}</h1>
        <p class="tagline">by the research community</p>
      </div>
      {!page ? (
        <p class="empty">
          No papers yet. Import some with <code>paperboy import</code>.
        </p>
      ) : (
        <>
          <div class="period-bar">
            <h2>{label}</h2>
            <Pager page={page} />
          </div>
          <PeriodTabs period={page.period} />
          <PeriodPicker kind={kind} value={kind === 'date' ? page.period.from : page.period.key} />
          {page.items.length === 0 ? (
            <p class="empty">
              No papers on the feed this {UNIT[kind]}. {page.previous && <a href={periodUrl(page.previous)}>See the nearest earlier {UNIT[kind]}</a>}
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
      </div>
      <p class="tagline">
        As of <time datetime={asOf.toISOString()}>{asOf.toISOString().slice(0, 10)}</time>
      </p>
      {items.length === 0 ? <p class="empty">Nothing is trending yet.</p> : <FeedList items={items} viewer={viewer} headingLevel={2} />}
    </Layout>
  );
}
