import type { Collection, Comment, User } from '../../../domain/community.ts';
import type { PaperWithStats } from '../../../domain/paper.ts';
import { CollectionPicker } from './collection-picker.tsx';
import { CommentsSection } from './comments-section.tsx';
import { CommunityPage } from './page.tsx';
import { UpvoteButton } from './upvote-button.tsx';
import { FormError } from './forms.tsx';
import { ConfirmPage } from './confirm-page.tsx';
import { raw } from 'hono/html';
import { sitePaths } from '../../../domain/site-paths.ts';

/**
 * A paper's community page: upvote, collections and the discussion. The site's paper page can
 * show the same components; this page keeps them usable on their own.
 */
export function DiscussionPage(props: {
  viewer: User | null;
  csrfToken: string;
  paper: PaperWithStats;
  upvoted: boolean;
  comments: Comment[];
  collections: Collection[];
  containing: Set<number>;
  editMinutes: number;
}) {
  const { paper, viewer, csrfToken } = props;
  const next = sitePaths.paperDiscussion(paper.id);
  return (
    <CommunityPage title={`Discussion: ${paper.title}`} user={viewer} csrfToken={csrfToken}>
      <h1>
        <a href={sitePaths.paper(paper.id)}>{paper.title}</a>
      </h1>
      <p>{paper.authors.join(', ')}</p>
      <UpvoteButton paperId={paper.id} upvotes={paper.upvotes} upvoted={props.upvoted} csrfToken={viewer ? csrfToken : null} next={next} />
      {viewer && <CollectionPicker paperId={paper.id} collections={props.collections} containing={props.containing} csrfToken={csrfToken} next={next} />}
      <CommentsSection paperId={paper.id} comments={props.comments} viewer={viewer} csrfToken={viewer ? csrfToken : null} next={next} editMinutes={props.editMinutes} />
      {viewer && (
        <p class="report-paper">
          <a href={sitePaths.report({ target: 'paper', id: paper.id })}>Report this paper</a>
        </p>
      )}
    </CommunityPage>
  );
}

export function CommentEditPage(props: { viewer: User; csrfToken: string; comment: Comment; next: string; error?: string }) {
  return (
    <CommunityPage title="Edit comment" user={props.viewer} csrfToken={props.csrfToken}>
      <h1>Edit your comment</h1>
      <FormError message={props.error} />
      <form method="post" action={sitePaths.commentEdit(props.comment.id)}>
        <input type="hidden" name="_csrf" value={props.csrfToken} />
        <input type="hidden" name="next" value={props.next} />
        <label>
          Comment <textarea name="body" required maxlength={10000} rows={6}>{props.comment.body}</textarea>
        </label>
        <button type="submit">Save</button>
      </form>
    </CommunityPage>
  );
}

/** "Delete this comment?": the comment as it will disappear, and the button that deletes it. */
export function DeleteCommentPage(props: { viewer: User; csrfToken: string; comment: Comment; next: string }) {
  const c = props.comment;
  const own = c.userId === props.viewer.id;
  return (
    <ConfirmPage title="Delete this comment?" user={props.viewer} csrfToken={props.csrfToken} action={sitePaths.commentDelete(c.id)} confirmLabel="Delete comment" cancelHref={`${props.next}#comment-${c.id}`} next={props.next}>
      <p>{own ? 'Your comment' : `The comment by ${c.username}`} will show as “[deleted]”; replies to it stay.</p>
      <blockquote class="comment-body">{raw(c.html)}</blockquote>
    </ConfirmPage>
  );
}
