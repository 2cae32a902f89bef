import { PostForm } from './forms.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

export interface UpvoteButtonProps {
  paperId: string;
  upvotes: number;
  /** Whether the viewer has upvoted it. */
  upvoted: boolean;
  /** Null when nobody is logged in: the button then leads to the log-in page. */
  csrfToken: string | null;
  /** Where the form returns to (the page it sits on). */
  next: string;
}

/**
 * The upvote toggle: a plain form (works without JavaScript, answers with a redirect back) that
 * /community.js upgrades to an in-place fetch. The form says which state it asks for, so ten
 * quick clicks on a stale page still leave one vote.
 */
export function UpvoteButton({ paperId, upvotes, upvoted, csrfToken, next }: UpvoteButtonProps) {
  const action = sitePaths.forms.paperUpvote(paperId);
  if (csrfToken === null) {
    return (
      <a class="upvote" href={sitePaths.login(next, paperId)} title="Log in to upvote">
        <UpvoteLabel upvotes={upvotes} note=", log in to upvote" />
      </a>
    );
  }
  return (
    <PostForm action={action} csrfToken={csrfToken} next={next} class="upvote" data-upvote>
      <input type="hidden" name="action" value={upvoted ? 'remove' : 'add'} />
      {/* The name keeps the visible count (WCAG 2.5.3); aria-pressed says whether it is your vote. */}
      <button type="submit" aria-pressed={upvoted ? 'true' : 'false'} title={upvoted ? 'Remove your upvote' : 'Upvote'}>
        <UpvoteLabel upvotes={upvotes} />
      </button>
    </PostForm>
  );
}

/**
 * What an upvote control says: its count, then (for screen readers) what it counts. The ▲ before
 * the count is the stylesheet's (`::before`, with empty alternative text), not markup: it is on fifty
 * cards a page. The count is the control's first text node, which /community.js updates in place.
 */
export function UpvoteLabel({ upvotes, note = '' }: { upvotes: number; note?: string }) {
  return (
    <>
      {upvotes}
      <span class="vh">
        {' '}
        {upvotes === 1 ? 'upvote' : 'upvotes'}
        {note}
      </span>
    </>
  );
}
