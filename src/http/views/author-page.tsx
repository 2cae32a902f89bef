import type { FeedItem } from '../../domain/paper.ts';
import { FeedList, type CardViewer } from './components.tsx';
import { FollowButton, type FollowViewer } from './follow-button.tsx';
import { Layout } from './layout.tsx';
import { sitePaths } from '../../domain/site-paths.ts';

export function AuthorPageView({ name, items, page, hasMore, viewer, follow, verified = [], variants = [name] }: { name: string; items: FeedItem[]; page: number; hasMore: boolean; viewer?: CardViewer; follow?: FollowViewer; verified?: string[]; variants?: string[] }) {
  return (
    <Layout title={`${name} · Paperboy`}>
      <div class="page-head">
        <h1>{name}</h1>
        {follow && items.length > 0 && <FollowButton viewer={follow} kind="author" value={name} />}
      </div>
      {verified.length > 0 && (
        <p class="verified">
          <span aria-hidden="true">✓</span> Verified author:{' '}
          {verified.map((u, i) => (
            <>
              {i > 0 && ', '}
              <a href={sitePaths.user(u)}>{u}</a>
            </>
          ))}
          {variants.length > 1 && <> · also listed as {variants.filter((v) => v !== name).join(', ')}</>}
        </p>
      )}
      <p class="tagline">Papers on the feed, newest first{follow?.signedIn ? '' : '. Follow to get their new papers under Following and in your digest.'}</p>
      {items.length === 0 ? (
        <p class="empty">
          No papers by this author on Paperboy. Names must match exactly; try <a href={sitePaths.search({ q: name })}>searching for “{name}”</a>.
        </p>
      ) : (
        <>
          <FeedList items={items} viewer={viewer} headingLevel={2} />
          <nav aria-label="Pages">
            <ul class="pager">
              <li>{page > 1 ? <a href={`?page=${page - 1}`}>← Previous</a> : <span>First page</span>}</li>
              <li>{hasMore ? <a href={`?page=${page + 1}`}>Next →</a> : <span>Last page</span>}</li>
            </ul>
          </nav>
        </>
      )}
    </Layout>
  );
}
