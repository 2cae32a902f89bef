import type { User } from '../../../domain/community.ts';
import type { FollowingNews } from '../../../services/following.ts';
import { FeedList, type CardViewer } from '../components.tsx';
import { CommunityPage } from '../community/page.tsx';
import { FormError, PostForm } from '../community/forms.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

const KIND_LABEL = { author: 'Author', category: 'Category', search: 'Saved search', org: 'Organisation' } as const;

export function FollowingPage(props: { user: User; csrfToken: string; news: FollowingNews; cards: CardViewer; error?: string | null }) {
  const { news, csrfToken } = props;
  return (
    <CommunityPage title="Following" user={props.user} csrfToken={csrfToken} nav="following">
      <h1>Following</h1>
      <FormError message={props.error} />
      <section aria-labelledby="follows">
        <h2 id="follows">You follow</h2>
        {news.follows.length === 0 ? (
          <p>
            Nothing yet. Follow authors and categories with the “+ Follow” buttons on a paper's page or an author's page, or type one below: an author, a category (e.g. cs.CV) or a
            saved search (words that must all appear; "a phrase", -excluded).
          </p>
        ) : (
          <ul>
            {news.follows.map((f) => (
              <li>
                {KIND_LABEL[f.kind]}: {f.kind === 'org' ? <a href={sitePaths.org(f.value)}>{news.orgNames.get(f.value) ?? f.value}</a> : f.value}{' '}
                <PostForm action={sitePaths.forms.unfollow(f.id)} csrfToken={csrfToken} class="inline">
                  <button type="submit" class="quiet small">
                    Unfollow<span class="vh"> {f.value}</span>
                  </button>
                </PostForm>
              </li>
            ))}
          </ul>
        )}
        <PostForm action={sitePaths.following()} csrfToken={csrfToken}>
          <label>
            Follow{' '}
            <select name="kind">
              <option value="author">an author</option>
              <option value="category">a category</option>
              <option value="search">a saved search</option>
            </select>
          </label>{' '}
          <input name="value" required maxlength={200} aria-label="Author, category or search words" />{' '}
          <button type="submit">Follow</button>
        </PostForm>
      </section>
      <section aria-labelledby="news">
        <h2 id="news">New since {news.since}</h2>
        {news.items.length === 0 ? (
          <p>No new papers match what you follow.</p>
        ) : (
          <FeedList
            items={news.items.map(({ item, matched }) => ({ ...item, matched }))}
            viewer={props.cards}
            after={({ entry, matched }) => (
              <p class="reason">
                {entry.day} · {matched.map((f) => `${KIND_LABEL[f.kind]}: ${f.kind === 'org' ? (news.orgNames.get(f.value) ?? f.value) : f.value}`).join(' · ')}
              </p>
            )}
          />
        )}
      </section>
    </CommunityPage>
  );
}
