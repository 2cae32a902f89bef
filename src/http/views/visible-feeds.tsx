import type { FeedLink } from './feed-links.tsx';

/**
 * The page's feeds as links a reader can see and copy into a feed reader (the head's
 * `<link rel="alternate">` are for programs). `compact` is one short line for a page's head.
 */
export function VisibleFeeds({ feeds, compact = false }: { feeds: FeedLink[]; compact?: boolean }) {
  if (!feeds.length) return null;
  return (
    <ul class={compact ? 'feeds compact' : 'feeds'} aria-label="Feeds of this page">
      {feeds.map((f) => (
        <li>
          <span class="feed-icon" aria-hidden="true">
            ◉
          </span>{' '}
          {compact ? '' : `${f.title}: `}
          <a href={`${f.path}.rss${f.query ?? ''}`}>
            RSS<span class="vh"> feed: {f.title}</span>
          </a>{' '}
          ·{' '}
          <a href={`${f.path}.atom${f.query ?? ''}`}>
            Atom<span class="vh"> feed: {f.title}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}
