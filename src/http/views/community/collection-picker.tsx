import type { Collection } from '../../../domain/community.ts';
import { PostForm } from './forms.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

export interface CollectionPickerProps {
  paperId: string;
  /** The viewer's collections. */
  collections: Collection[];
  /** Ids of those that already hold the paper. */
  containing: Set<number>;
  csrfToken: string;
  next: string;
}

/** Add the paper to (or remove it from) the viewer's collections, or start a new one with it. */
export function CollectionPicker({ paperId, collections, containing, csrfToken, next }: CollectionPickerProps) {
  return (
    <section aria-labelledby="collections-heading" class="collection-picker">
      <h2 id="collections-heading">Collections</h2>
      {collections.length > 0 && (
        <ul>
          {collections.map((col) => {
            const has = containing.has(col.id);
            return (
              <li>
                <PostForm action={sitePaths.forms.collectionPapers(col.id)} csrfToken={csrfToken} next={next} class="inline">
                  <input type="hidden" name="paperId" value={paperId} />
                  <input type="hidden" name="action" value={has ? 'remove' : 'add'} />
                  <button type="submit">{has ? `Remove from “${col.name}”` : `Add to “${col.name}”`}</button>
                </PostForm>{' '}
                <a href={sitePaths.collection(col.id)}>{col.isPublic ? 'public' : 'private'}</a>
              </li>
            );
          })}
        </ul>
      )}
      <PostForm action={sitePaths.collections()} csrfToken={csrfToken} next={next}>
        <input type="hidden" name="paperId" value={paperId} />
        <label>
          New collection <input name="name" required maxlength={100} />
        </label>{' '}
        <label>
          <input type="checkbox" name="public" value="1" /> public
        </label>{' '}
        <button type="submit">Create and add</button>
      </PostForm>
    </section>
  );
}
