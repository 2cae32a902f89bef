import type { User } from '../../../domain/community.ts';
import { FormError, PostForm } from './forms.tsx';
import { AccountPage } from './page.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

export function SubmitPage(props: { user: User; csrfToken: string; error?: string; arxivId?: string; quota: number; maxAgeDays: number }) {
  return (
    <AccountPage title="Submit a paper" user={props.user} csrfToken={props.csrfToken} section="submit">
      <h1>Submit a paper</h1>
      <p>
        Put an arXiv paper on today's feed. It must be at most {props.maxAgeDays} days old and not on the feed yet; you can submit {props.quota} a day.
      </p>
      <FormError message={props.error} />
      <PostForm action={sitePaths.submit()} csrfToken={props.csrfToken}>
        <label>
          arXiv id or URL <input name="arxivId" required maxlength={300} placeholder="2401.01234" value={props.arxivId ?? ''} />
        </label>{' '}
        <button type="submit">Submit</button>
      </PostForm>
    </AccountPage>
  );
}
