import { useContext, type Child } from 'hono/jsx';
import { AccountContext } from './account-context.ts';
import { AccountNav } from './community/account-nav.tsx';
import { raw } from 'hono/html';
import { assets } from '../assets.ts';
import { cspNonce } from '../middleware/security-headers.ts';
import { DAILY_FEEDS, FeedLinks, type FeedLink } from './feed-links.tsx';

export type NavKey = 'daily' | 'weekly' | 'monthly' | 'trending' | 'search' | null;

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

const NAV: Array<[Exclude<NavKey, null>, string, string]> = [
  ['daily', '/', 'Daily'],
  ['weekly', '/papers/week', 'Weekly'],
  ['monthly', '/papers/month', 'Monthly'],
  ['trending', '/papers/trending', 'Trending'],
];

/** The page shell every HTML page shares. hono/jsx escapes every interpolated string. */
export function Layout({ title, children, nav = null, query = '', description, feeds = DAILY_FEEDS }: LayoutProps) {
  const { css, js } = assets();
  const account = useContext(AccountContext);
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
            <a class="brand" href="/">
              <span class="logo" aria-hidden="true">P</span> Paperboy
            </a>
            <nav aria-label="Feeds">
              <ul class="nav">
                {NAV.map(([key, href, label]) => (
                  <li>
                    <a href={href} aria-current={nav === key ? 'page' : undefined}>
                      {label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <div class="header-tools">
              <form class="site-search" role="search" action="/search" method="get">
                <label class="vh" for="site-q">
                  Search papers
                </label>
                <input id="site-q" type="search" name="q" value={query} placeholder="Search papers" list="site-q-suggestions" data-suggest autocomplete="off" />
                <datalist id="site-q-suggestions"></datalist>
                <button type="submit" class="quiet">
                  Search
                </button>
              </form>
              <button type="button" id="theme-toggle" class="quiet" aria-pressed="false" hidden>
                <span aria-hidden="true">◐</span> <span class="label">Dark theme</span>
              </button>
            </div>
            {account && (
              <div class="account">
                <AccountNav user={account.user} csrfToken={account.csrfToken} />
              </div>
            )}
          </div>
        </header>
        <main id="main" class="wrap" tabindex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
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
