import type { Period, PeriodKind } from './period.ts';

/**
 * Every path of the site, built in one place: views, feeds, mail and services link through these,
 * and tests/site/site-paths.test.ts asks a seeded app for each kind (a link the site does not serve
 * fails there). Pure: paths only, no host (the mail and feed code prefix their absolute base).
 */

/** The URL segment of each period kind: `/papers/date/2025-08-01`, `/papers/week/2025-W31`, `/papers/month/2025-08`. */
export const KIND_SEGMENT: Record<PeriodKind, string> = { day: 'date', week: 'week', month: 'month' };

/** A paper id as a path: old-style ids keep their slash (`hep-th/9901001`), `source:id` keeps its colon. */
export function paperPath(id: string): string {
  return id
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/%3A/gi, ':'))
    .join('/');
}

export interface SearchParams {
  q?: string;
  category?: string;
  from?: string;
  to?: string;
  sort?: string;
}

export const sitePaths = {
  home: () => '/',
  /** A paper's page. */
  paper: (id: string) => `/papers/${paperPath(id)}`,
  paperDiscussion: (id: string) => `/papers/${paperPath(id)}/discussion`,
  paperUpvote: (id: string) => `/papers/${paperPath(id)}/upvote`,
  paperComments: (id: string) => `/papers/${paperPath(id)}/comments`,
  /** A day, week or month of the feed. */
  period: (p: Pick<Period, 'kind' | 'label'>) => `/papers/${KIND_SEGMENT[p.kind]}/${p.label}`,
  day: (day: string) => `/papers/date/${day}`,
  /** The newest period of a kind (a redirect; `?value=` picks one). */
  periodPicker: (kind: PeriodKind) => `/papers/${KIND_SEGMENT[kind]}`,
  trending: () => '/papers/trending',
  author: (name: string) => `/authors/${encodeURIComponent(name)}`,
  user: (name: string) => `/users/${encodeURIComponent(name)}`,
  collection: (id: number) => `/collections/${id}`,
  /** The search page; a category alone lists that category's papers (the site's category page). */
  search: (params: SearchParams = {}) => {
    const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
    const s = q.toString();
    return s ? `/search?${s}` : '/search';
  },
  category: (category: string) => sitePaths.search({ category }),
  following: () => '/following',
  forYou: () => '/papers/for-you',
  subscribe: () => '/subscribe',
  /** Feeds, without the `.rss` / `.atom` extension (each is served as both). */
  feeds: {
    daily: () => '/feeds/daily',
    trending: () => '/feeds/trending',
    search: () => '/feeds/search',
    category: (category: string) => `/feeds/category/${encodeURIComponent(category)}`,
    collection: (id: number) => `/feeds/collection/${id}`,
  },
};
