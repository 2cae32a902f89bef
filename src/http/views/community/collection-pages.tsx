import type { Collection, User } from '../../../domain/community.ts';
import type { PaperWithStats } from '../../../domain/paper.ts';
import { feedLinksFor } from '../feed-links.tsx';
import { VisibleFeeds } from '../visible-feeds.tsx';
import { ConfirmPage } from './confirm-page.tsx';
import { FormError, PostForm } from './forms.tsx';
import { FeedList, type CardViewer } from '../components.tsx';
import { AccountPage, CommunityPage } from './page.tsx';
import { LibraryPanel } from './library-pages.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

const papersCount = (n: number) => `${n} paper${n === 1 ? '' : 's'}`;

export function CollectionPage(props: { viewer: User | null; csrfToken: string; collection: Collection; papers: PaperWithStats[]; cards: CardViewer; importMaxBytes: number }) {
  const { collection: col, viewer, csrfToken } = props;
  const own = viewer?.id === col.userId;
  const next = sitePaths.collection(col.id);
  const content = (
    <>
      <h1>{col.name}</h1>
      <p>
        {col.isPublic ? 'Public' : 'Private'} collection by <a href={sitePaths.user(col.owner)}>{col.owner}</a> · {papersCount(col.paperCount)}
      </p>
      {col.isPublic && <VisibleFeeds feeds={[feedLinksFor.collection(col.id, col.name)]} />}
      {col.description && <p>{col.description}</p>}
      {props.papers.length === 0 ? (
        <p>No papers in this collection yet. Add one below, or with “Save to collection” on a paper's page.</p>
      ) : (
        <FeedList
          items={props.papers.map((paper) => ({ paper }))}
          viewer={props.cards}
          headingLevel={2}
          after={
            own
              ? ({ paper: p }) => (
                  <PostForm action={sitePaths.forms.collectionPapers(col.id)} csrfToken={csrfToken} next={next} class="inline">
                    <input type="hidden" name="paperId" value={p.id} />
                    <input type="hidden" name="action" value="remove" />
                    <button type="submit" class="quiet small">
                      Remove<span class="vh"> {p.title}</span>
                    </button>
                  </PostForm>
                )
              : undefined
          }
        />
      )}
      <LibraryPanel collection={col} own={own} csrfToken={csrfToken} maxBytes={props.importMaxBytes} />
      {own && (
        <>
          <h2>Add a paper</h2>
          <PostForm action={sitePaths.forms.collectionPapers(col.id)} csrfToken={csrfToken} next={next}>
            <input type="hidden" name="action" value="add" />
            <label>
              Paper id <input name="paperId" required maxlength={220} placeholder="2401.01234" />
            </label>{' '}
            <button type="submit">Add</button>
          </PostForm>
          <h2>Settings</h2>
          <PostForm action={sitePaths.forms.collectionSettings(col.id)} csrfToken={csrfToken} next={next}>
            <label>
              Name <input name="name" required maxlength={100} value={col.name} />
            </label>{' '}
            <label>
              <input type="checkbox" name="public" value="1" checked={col.isPublic} /> public
            </label>{' '}
            <button type="submit">Save</button>
          </PostForm>
          <p>
            <a class="button quiet danger" href={sitePaths.collectionDelete(col.id)}>
              Delete this collection…
            </a>
          </p>
        </>
      )}
    </>
  );
  const feeds = col.isPublic ? [feedLinksFor.collection(col.id, col.name)] : undefined;
  return own ? (
    <AccountPage title={col.name} user={viewer!} csrfToken={csrfToken} section="collections" feeds={feeds}>
      {content}
    </AccountPage>
  ) : (
    <CommunityPage title={col.name} user={viewer} csrfToken={csrfToken} feeds={feeds}>
      {content}
    </CommunityPage>
  );
}

/** "Delete this collection?": the second step; its papers stay on Paperboy. */
export function DeleteCollectionPage(props: { user: User; csrfToken: string; collection: Collection }) {
  const col = props.collection;
  return (
    <ConfirmPage title="Delete this collection?" user={props.user} csrfToken={props.csrfToken} action={sitePaths.collectionDelete(col.id)} confirmLabel="Delete collection" cancelHref={sitePaths.collection(col.id)}>
      <p>
        “{col.name}” and its list of {papersCount(col.paperCount)} will be deleted{col.isPublic ? ', and its public page and feed will stop working' : ''}. The papers themselves stay on
        Paperboy. This cannot be undone.
      </p>
    </ConfirmPage>
  );
}

export function CollectionsPage(props: { user: User; csrfToken: string; collections: Collection[]; error?: string }) {
  return (
    <AccountPage title="Your collections" user={props.user} csrfToken={props.csrfToken} section="collections">
      <h1>Your collections</h1>
      <FormError message={props.error} />
      {props.collections.length ? (
        <ul>
          {props.collections.map((c) => (
            <li>
              <a href={sitePaths.collection(c.id)}>{c.name}</a> ({papersCount(c.paperCount)} · {c.isPublic ? 'public' : 'private'})
            </li>
          ))}
        </ul>
      ) : (
        <p>No collections yet. A collection is a reading list: private, or public with its own page and feed.</p>
      )}
      <h2>New collection</h2>
      <PostForm action={sitePaths.collections()} csrfToken={props.csrfToken}>
        <label>
          Name <input name="name" required maxlength={100} />
        </label>{' '}
        <label>
          Description <input name="description" maxlength={1000} />
        </label>{' '}
        <label>
          <input type="checkbox" name="public" value="1" /> public
        </label>{' '}
        <button type="submit">Create collection</button>
      </PostForm>
    </AccountPage>
  );
}
