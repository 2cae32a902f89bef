import type { Child } from 'hono/jsx';
import { DAILY_FEEDS, FeedLinks, type FeedLink } from './feed-links.tsx';

export interface LayoutProps {
  title: string;
  children: Child;
  /** Feeds the page offers (`<link rel="alternate">`); the daily and trending feeds by default. */
  feeds?: FeedLink[];
}

/** The page shell every HTML page shares. hono/jsx escapes every interpolated string. */
export function Layout({ title, children, feeds = DAILY_FEEDS }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <FeedLinks feeds={feeds} />
      </head>
      <body>
        <header>
          <a href="/">Paperboy</a>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
