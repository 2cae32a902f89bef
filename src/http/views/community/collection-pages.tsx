import type { Collection, User } from '../../../domain/community.ts';
import type { PaperWithStats } from '../../../domain/paper.ts';
import { FormError, PostForm } from './forms.tsx';
import { PaperList } from './paper-list.tsx';
import { CommunityPage } from './page.tsx';
import { LibraryPanel } from './library-pages.tsx';

export function CollectionPage(props: { viewer: User | null; csrfToken: string; collection: Collection; papers: PaperWithStats[]; importMaxBytes: number }) {
  const { collection: col, viewer, csrfToken } = props;
  const own = viewer?.id === col.userId;
  const next = `/collections/${col.id}`;
  return (
    <CommunityPage title={col.name} user={viewer} csrfToken={csrfToken}>
      <h1>{col.name}</h1>
      <p>
        {col.isPublic ? 'Public' : 'Private'} collection by <a href={`/users/${encodeURIComponent(col.owner)}`}>{col.owner}</a> · {col.paperCount} paper{col.paperCount === 1 ? '' : 's'}
      </p>
      {col.description && <p>{col.description}</p>}
      <PaperList
        papers={props.papers}
        empty="No papers in this collection yet."
        after={
          own
            ? (p) => (
                <PostForm action={`/collections/${col.id}/papers`} csrfToken={csrfToken} next={next} class="inline">
                  <input type="hidden" name="paperId" value={p.id} />
                  <input type="hidden" name="action" value="remove" />
                  <button type="submit">Remove</button>
                </PostForm>
              )
            : undefined
        }
      />
      <LibraryPanel collection={col} own={own} csrfToken={csrfToken} maxBytes={props.importMaxBytes} />
      {own && (
        <>
          <PostForm action={`/collections/${col.id}/papers`} csrfToken={csrfToken} next={next}>
            <input type="hidden" name="action" value="add" />
            <label>
              Add a paper by id <input name="paperId" required maxlength={220} placeholder="2401.01234" />
            </label>{' '}
            <button type="submit">Add</button>
          </PostForm>
          <PostForm action={`/collections/${col.id}/settings`} csrfToken={csrfToken} next={next}>
            <label>
              Name <input name="name" required maxlength={100} value={col.name} />
            </label>{' '}
            <label>
              <input type="checkbox" name="public" value="1" checked={col.isPublic} /> public
            </label>{' '}
            <button type="submit">Save</button>
          </PostForm>
          <PostForm action={`/collections/${col.id}/delete`} csrfToken={csrfToken}>
            <button type="submit">Delete this collection</button>
          </PostForm>
        </>
      )}
    </CommunityPage>
  );
}

export function CollectionsPage(props: { user: User; csrfToken: string; collections: Collection[]; error?: string }) {
  return (
    <CommunityPage title="Your collections" user={props.user} csrfToken={props.csrfToken}>
      <h1>Your collections</h1>
      <FormError message={props.error} />
      {props.collections.length ? (
        <ul>
          {props.collections.map((c) => (
            <li>
              <a href={`/collections/${c.id}`}>{c.name}</a> ({c.paperCount} · {c.isPublic ? 'public' : 'private'})
            </li>
          ))}
        </ul>
      ) : (
        <p>No collections yet.</p>
      )}
      <PostForm action="/collections" csrfToken={props.csrfToken}>
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
    </CommunityPage>
  );
}
