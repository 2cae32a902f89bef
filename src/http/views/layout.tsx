import { useContext, type Child } from 'hono/jsx';
import { AccountContext, type AccountInfo } from './account-context.ts';
import { raw } from 'hono/html';
import { assets } from '../assets.ts';
import { cspNonce } from '../middleware/security-headers.ts';
import { DAILY_FEEDS, FeedLinks, type FeedLink } from './feed-links.tsx';
import { currentView } from './request-view.ts';
import { FlashMessage } from './flash-message.tsx';
import { PostForm } from './community/forms.tsx';
import { sitePaths } from '../../domain/site-paths.ts';

/** Which header link is the current page's; the day, week and month pages are all "Daily Papers". */
export type NavKey = 'papers' | 'daily' | 'weekly' | 'monthly' | 'trending' | 'for-you' | 'following' | 'search' | 'account' | null;

export interface LayoutProps {
  title: string;
  children: Child;
  nav?: NavKey;
  /** Text for the search box in the header. */
  query?: string;
  description?: string;
  /** Feeds the page offers (`<link rel="alternate">`); the daily and trending feeds by default. */
  feeds?: FeedLink[];
}

/** Applies the remembered theme before the first paint (a flash of the wrong theme otherwise). */
const THEME_BOOT = `try{var t=localStorage.getItem('theme');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;

/**
 * The header's links: what the site does, not how its pages are cut (Day / Week / Month are the
 * tabs on the feed pages). For you and Following need an account: for a visitor they lead to the
 * log-in page, which says what they are.
 */
const NAV: Array<[Exclude<NavKey, null>, string, string]> = [
  ['papers', '/', 'Daily Papers'],
  ['trending', sitePaths.trending(), 'Trending'],
  ['for-you', sitePaths.forYou(), 'For you'],
  ['following', sitePaths.following(), 'Following'],
];

const navOf = (key: NavKey): NavKey => (key === 'daily' || key === 'weekly' || key === 'monthly' ? 'papers' : key);

/** Signed in: the account's name (its settings) and a quiet "Log out"; otherwise log in / sign up, coming back here. */
function HeaderAccount({ account, path, unread }: { account: AccountInfo | null; path: string; unread: number }) {
  const user = account?.user;
  if (!user) {
    const back = path === sitePaths.home() || path.startsWith(sitePaths.login()) || path.startsWith(sitePaths.signup()) ? undefined : path;
    return (
      <nav class="account" aria-label="Account">
        <a href={sitePaths.login(back)}>Log in</a>
        <a class="button small" href={sitePaths.signup(back)}>
          Sign up
        </a>
      </nav>
    );
  }
  return (
    <nav class="account" aria-label="Account">
      <a href={sitePaths.notifications()} class="notifications-link" aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}>
        <span aria-hidden="true">🔔</span>
        {unread > 0 && <span class="unread-count">{unread > 99 ? '99+' : String(unread)}</span>}
      </a>
      <a href={sitePaths.settings()} title="Your account: collections, mail, API tokens">
        <span aria-hidden="true">●</span> {user.username}
      </a>
      <PostForm action={sitePaths.forms.logout()} csrfToken={account!.csrfToken} class="inline">
        <button type="submit" class="quiet small">
          Log out
        </button>
      </PostForm>
    </nav>
  );
}

/** The page shell every HTML page shares. hono/jsx escapes every interpolated string. */
export function Layout({ title, children, nav = null, query = '', description, feeds = DAILY_FEEDS }: LayoutProps) {
  const { css, js } = assets();
  const view = currentView();
  const account = useContext(AccountContext) ?? (view ? { user: view.user, csrfToken: view.csrfToken } : null);
  const current = navOf(nav);
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{title}</title>
          {description && <meta name="description" content={description} />}
          <meta name="color-scheme" content="light dark" />
          <script nonce={cspNonce() || undefined}>{raw(THEME_BOOT)}</script>
          <link rel="icon" href={sitePaths.favicon('ico')} sizes="32x32" />
          <link rel="icon" href={sitePaths.favicon('svg')} type="image/svg+xml" />
          <link rel="stylesheet" href={css.url} />
          <script src={js.url} defer></script>
          <FeedLinks feeds={feeds} />
        </head>
        <body>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="site-header">
            <div class="wrap">
              <a class="brand" href={sitePaths.home()}>
                <span class="logo" aria-hidden="true">
                  P
                </span>{' '}
                Paperboy
              </a>
              <nav class="main-nav" aria-label="Main">
                <ul class="nav">
                  {NAV.map(([key, href, label]) => (
                    <li>
                      <a href={href} aria-current={current === key ? 'page' : undefined}>
                        {label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              <div class="header-tools">
                <form class="site-search" role="search" action={sitePaths.search()} method="get">
                  <label class="vh" for="site-q">
                    Search papers
                  </label>
                  <input id="site-q" type="search" name="q" value={query} placeholder="Search papers" list="site-q-suggestions" data-suggest autocomplete="off" />
                  <datalist id="site-q-suggestions"></datalist>
                  <button type="submit" class="quiet">
                    Search
                  </button>
                </form>
                <button type="button" id="theme-toggle" class="quiet" hidden>
                  <span aria-hidden="true">◐</span> <span class="label">Theme</span>
                </button>
              </div>
              <HeaderAccount account={account} path={view?.path ?? '/'} unread={view?.unread ?? 0} />
            </div>
          </header>
          <main id="main" class="wrap" tabindex={-1}>
            <FlashMessage />
            {children}
          </main>
          <footer class="site-footer">
            <div class="wrap">
              <nav aria-label="More">
                <ul class="footer-links">
                  <li>
                    <a href={sitePaths.apiDocs()}>API docs</a>
                  </li>
                  <li>
                    <a href={`${sitePaths.feeds.daily()}.rss`}>RSS</a> / <a href={`${sitePaths.feeds.daily()}.atom`}>Atom</a> feeds
                  </li>
                  <li>
                    <a href={sitePaths.subscribe()}>Email digest</a>
                  </li>
                  <li>
                    <a href={sitePaths.submit()}>Submit a paper</a>
                  </li>
                  <li>
                    <a href={sitePaths.search()}>Search</a>
                  </li>
                  <li>
                    <a href={sitePaths.orgs()}>Organisations</a>
                  </li>
                </ul>
              </nav>
              <p>
                Paperboy — the day's research papers, upvoted and discussed. Press <kbd>j</kbd> / <kbd>k</kbd> to move between papers.
              </p>
            </div>
          </footer>
        </body>
      </html>
    </>
  );
}
