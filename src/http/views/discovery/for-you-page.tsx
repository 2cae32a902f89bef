import type { User } from '../../../domain/community.ts';
import type { Interest } from '../../../domain/discovery.ts';
import type { ForYouResult } from '../../../services/for-you.ts';
import { FeedList, type CardViewer } from '../components.tsx';
import { CommunityPage } from '../community/page.tsx';
import { FormError, PostForm } from '../community/forms.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

export interface ForYouPageProps {
  user: User;
  csrfToken: string;
  result: ForYouResult;
  interests: Interest[];
  categories: { category: string; papers: number }[];
  /** The picks' upvotes, seen marks and enrichments, as feed cards show them. */
  cards: CardViewer;
  error?: string | null;
}

/** The interest picker: categories to tick, an author or a paper id to type. Works without JavaScript. */
function InterestPicker({ csrfToken, interests, categories }: Pick<ForYouPageProps, 'csrfToken' | 'interests' | 'categories'>) {
  const picked = new Set(interests.filter((i) => i.kind === 'category').map((i) => i.value));
  return (
    <section aria-labelledby="interests">
      <h2 id="interests">Your interests</h2>
      {interests.length > 0 && (
        <ul>
          {interests.map((i) => (
            <li>
              {i.kind}: {i.value}{' '}
              <PostForm action={sitePaths.forms.forYouInterestDelete(i.id)} csrfToken={csrfToken} class="inline">
                <button type="submit" class="quiet small">
                  Remove<span class="vh"> {i.value}</span>
                </button>
              </PostForm>
            </li>
          ))}
        </ul>
      )}
      <PostForm action={sitePaths.forms.forYouInterests()} csrfToken={csrfToken}>
        <fieldset>
          <legend>Categories</legend>
          {categories
            .filter((c) => !picked.has(c.category))
            .map((c) => (
              <label>
                <input type="checkbox" name="category" value={c.category} /> {c.category} <small>({c.papers})</small>{' '}
              </label>
            ))}
        </fieldset>
        <p>
          <label>
            An author <input name="author" maxlength={200} autocomplete="off" />
          </label>
        </p>
        <p>
          <label>
            A paper you liked (arXiv id) <input name="paper" maxlength={60} autocomplete="off" placeholder="2401.01234" />
          </label>
        </p>
        <button type="submit">Add interests</button>
      </PostForm>
    </section>
  );
}

export function ForYouPage(props: ForYouPageProps) {
  const { result, csrfToken } = props;
  return (
    <CommunityPage title="For you" user={props.user} csrfToken={csrfToken} nav="for-you">
      <h1>For you</h1>
      <FormError message={props.error} />
      {result.coldStart ? (
        <p>Tell Paperboy what you read: pick a few categories, an author or a paper below, or upvote papers on the daily feed.</p>
      ) : (
        <p>
          Recent papers ranked by a model of what you upvoted, saved and picked ({result.positives} {result.positives === 1 ? 'example' : 'examples'}). Mark a paper “Not interested” to see fewer like it.
        </p>
      )}
      {result.picks.length > 0 && <h2 id="picks">Your picks</h2>}
      {result.picks.length > 0 && (
        <FeedList
          items={result.picks}
          viewer={props.cards}
          label="picks"
          after={(p) => (
            <>
              <p class="reason">Why: {p.reason}</p>
              <PostForm action={sitePaths.forms.notInterested()} csrfToken={csrfToken} class="inline">
                <input type="hidden" name="paperId" value={p.paper.id} />
                <button type="submit" class="quiet small">
                  Not interested<span class="vh"> in {p.paper.title}</span>
                </button>
              </PostForm>
            </>
          )}
        />
      )}
      <InterestPicker csrfToken={csrfToken} interests={props.interests} categories={props.categories} />
    </CommunityPage>
  );
}
