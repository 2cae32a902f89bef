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

/**
 * The JSON API path behind an upvote form's target (`/papers/<id>/upvote` → `/api/papers/<id>/upvote`),
 * or null for any other path. The site's script reads a card's upvote button's `formaction` with it,
 * so the button does not also carry its paper's id (fifty cards a page).
 */
export function upvoteApiPathOf(formPath: string): string | null {
  return /^\/papers\/[^?#]+\/upvote$/.test(formPath) ? `/api${formPath}` : null;
}

export interface SearchParams {
  q?: string;
  category?: string;
  from?: string;
  to?: string;
  sort?: string;
  page?: string;
}

/** `path?a=1&b=2` from the params that are set (undefined, null and '' are left out). */
function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (v === undefined || v === null || v === '' ? [] : [[k, String(v)]]))).toString();
  return q ? `${path}?${q}` : path;
}

/** What a report is about: a paper (by id) or a comment (by number). */
export interface ReportTarget {
  target: 'paper' | 'comment';
  id: string | number;
}

/**
 * Pages a reader or a link can GET. Form targets that are only ever POSTed are under `forms`; a
 * form that posts back to its own page (`/settings/mail`, `/login`) uses the page's path.
 */
export const sitePaths = {
  home: () => '/',
  /** A paper's page. */
  paper: (id: string) => `/papers/${paperPath(id)}`,
  paperDiscussion: (id: string) => `/papers/${paperPath(id)}/discussion`,
  /** One comment, on its paper's discussion page. */
  comment: (paperId: string, commentId: number | string) => `/papers/${paperPath(paperId)}/discussion#comment-${commentId}`,
  /** A day, week or month of the feed. */
  period: (p: Pick<Period, 'kind' | 'label'>) => `/papers/${KIND_SEGMENT[p.kind]}/${p.label}`,
  day: (day: string) => `/papers/date/${day}`,
  /** The newest period of a kind (a redirect; `?value=` picks one). */
  periodPicker: (kind: PeriodKind) => `/papers/${KIND_SEGMENT[kind]}`,
  trending: () => '/papers/trending',
  author: (name: string) => `/authors/${encodeURIComponent(name)}`,
  user: (name: string) => `/users/${encodeURIComponent(name)}`,
  /** The search page; a category alone lists that category's papers (the site's category page). */
  search: (params: SearchParams = {}) => withQuery('/search', { ...params }),
  category: (category: string) => sitePaths.search({ category }),
  following: () => '/following',
  forYou: () => '/papers/for-you',
  subscribe: () => '/subscribe',
  /** Where the subscribe form lands: "check your inbox". */
  subscribeSent: () => '/subscribe/sent',
  /** The link of a digest confirmation mail. */
  subscribeConfirm: (q: { id: number; exp: number; sig: string }) => withQuery('/subscribe/confirm', q),
  /** A digest's one-click unsubscribe link (GET shows the confirmation, POST unsubscribes). */
  unsubscribe: (q: { id: number; sig: string }) => withQuery('/unsubscribe', q),
  /** Accounts: `next` is where to go afterwards; `upvote` a paper to upvote once signed in. */
  login: (next?: string, upvote?: string) => withQuery('/login', { next, upvote }),
  signup: (next?: string, upvote?: string) => withQuery('/signup', { next, upvote }),
  forgotPassword: () => '/forgot-password',
  resetPassword: (token?: string) => withQuery('/reset-password', { token }),
  confirmAccount: (token?: string, upvote?: string) => withQuery('/confirm-account', { token, upvote }),
  settings: () => '/settings',
  settingsMail: () => '/settings/mail',
  settingsNotifications: () => '/settings/notifications',
  /** `done` says what just happened (`connected`, `synced`, `disconnected`). */
  settingsZotero: (done?: string) => withQuery('/settings/zotero', { done }),
  settingsOrgs: () => '/settings/orgs',
  /** The inbox, newest first; `before` pages back. */
  notifications: (before?: number | string) => withQuery('/notifications', { before }),
  /** A notification mail's unsubscribe link: all kinds, or those of `k`. */
  notificationsUnsubscribe: (q: { u: number; k?: string; sig: string }) => withQuery('/notifications/unsubscribe', q),
  orgs: (q: { q?: string; page?: number } = {}) => withQuery('/orgs', { page: q.page, q: q.q }),
  org: (slug: string) => `/orgs/${encodeURIComponent(slug)}`,
  /** The claim form for a paper, with the listed author (by position) chosen. */
  claim: (paperId?: string, author?: number) => withQuery('/claim', { paper: paperId, author }),
  report: (t?: ReportTarget, done?: boolean) => withQuery('/report', { target: t?.target, id: t?.id, done: done ? 1 : undefined }),
  submit: () => '/submit',
  collections: () => '/collections',
  collection: (id: number) => `/collections/${id}`,
  /** A collection as a file to download. */
  collectionFile: (id: number, format: 'bib' | 'ris' | 'csv') => `/collections/${id}.${format}`,
  /** The confirmation page of a deletion (GET), and its form's target (POST). */
  collectionDelete: (id: number) => `/collections/${id}/delete`,
  commentEdit: (id: number, next?: string) => withQuery(`/comments/${id}/edit`, { next }),
  commentDelete: (id: number, next?: string) => withQuery(`/comments/${id}/delete`, { next }),
  admin: () => '/admin',
  adminReports: (done?: boolean) => withQuery('/admin/reports', { done: done ? 1 : undefined }),
  adminClaims: () => '/admin/claims',
  adminOrgs: () => '/admin/orgs',
  apiDocs: () => '/docs/api',
  openapi: () => '/openapi.json',
  favicon: (format: 'ico' | 'svg') => `/favicon.${format}`,
  /** A built asset under its content-hashed name (`site.1a2b3c4d.css`). */
  asset: (file: string) => `/assets/${file}`,
  /** A first-page thumbnail made by the enrichment's PDF step. */
  thumbnail: (hash: string, ext: string) => `/thumbs/${hash}.${ext}`,
  /** Title suggestions for the search box (JSON). */
  searchSuggest: (q: string) => withQuery('/search/suggest', { q }),
  /** Feeds, without the `.rss` / `.atom` extension (each is served as both). */
  feeds: {
    daily: () => '/feeds/daily',
    trending: () => '/feeds/trending',
    search: () => '/feeds/search',
    category: (category: string) => `/feeds/category/${encodeURIComponent(category)}`,
    collection: (id: number) => `/feeds/collection/${id}`,
  },
  /** Targets of forms that are only POSTed (each answers with a redirect back, post/redirect/get). */
  forms: {
    paperUpvote: (id: string) => `/papers/${paperPath(id)}/upvote`,
    paperComments: (id: string) => `/papers/${paperPath(id)}/comments`,
    papersSeen: () => '/papers/seen',
    watchDiscussion: () => '/papers/watch',
    logout: () => '/logout',
    createToken: () => '/settings/tokens',
    revokeToken: (id: number) => `/settings/tokens/${id}/revoke`,
    verifyEmail: () => '/settings/verify-email',
    logoutEverywhere: () => '/settings/logout-everywhere',
    mailUnsubscribe: () => '/settings/mail/unsubscribe',
    zoteroSync: () => '/settings/zotero/sync',
    zoteroDisconnect: () => '/settings/zotero/disconnect',
    leaveOrg: (slug: string) => `/settings/orgs/${encodeURIComponent(slug)}/leave`,
    notificationRead: (id: number) => `/notifications/${id}/read`,
    notificationsReadAll: () => '/notifications/read-all',
    authorLinks: () => '/author-links',
    collectionPapers: (id: number) => `/collections/${id}/papers`,
    collectionSettings: (id: number) => `/collections/${id}/settings`,
    collectionImport: (id: number) => `/collections/${id}/import`,
    unfollow: (id: number) => `/following/${id}/delete`,
    forYouInterests: () => '/papers/for-you/interests',
    forYouInterestDelete: (id: number) => `/papers/for-you/interests/${id}/delete`,
    notInterested: () => '/papers/for-you/not-interested',
    resolveReport: (id: number) => `/admin/reports/${id}/resolve`,
    decideClaim: (id: number) => `/admin/claims/${id}/decide`,
    revokeClaim: (id: number) => `/admin/claims/${id}/revoke`,
    decideOrg: (id: number) => `/admin/orgs/${id}/decide`,
    hidePaper: () => '/admin/papers/hide',
    banUser: () => '/admin/users/ban',
  },
  /** JSON API paths the site's own scripts call. */
  api: {
    paperUpvote: (id: string) => `/api/papers/${paperPath(id)}/upvote`,
  },
};
