import { raw } from 'hono/html';
import type { Comment, User } from '../../../domain/community.ts';
import { PostForm } from './forms.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

export interface CommentsSectionProps {
  paperId: string;
  /** Every comment on the paper (deleted ones keep their replies' place), oldest first. */
  comments: Comment[];
  viewer: User | null;
  /** Null when nobody is logged in. */
  csrfToken: string | null;
  /** The page the section sits on (forms come back here). */
  next: string;
  editMinutes: number;
  now?: number;
  /** Whether the viewer follows this discussion (new comments notify them); undefined: no button. */
  watching?: boolean;
}

interface Node {
  comment: Comment;
  replies: Node[];
}

function thread(comments: Comment[]): Node[] {
  const byId = new Map(comments.map((c) => [c.id, { comment: c, replies: [] as Node[] }]));
  const roots: Node[] = [];
  for (const n of byId.values()) {
    const parent = n.comment.parentId !== null ? byId.get(n.comment.parentId) : undefined;
    (parent ? parent.replies : roots).push(n);
  }
  return roots;
}

/** Replies nest visually up to this depth; deeper ones continue at this level. */
const MAX_INDENT = 6;

/**
 * A paper's discussion: threaded comments and the forms to post, reply, edit and delete. Comment
 * bodies are the sanitised rendering of their Markdown, stored when the comment was written (the
 * only raw HTML on the page, produced by `renderCommentMarkdown`, which escapes raw HTML and strips
 * unsafe links).
 */
export function CommentsSection(props: CommentsSectionProps) {
  const { paperId, comments, viewer, csrfToken, next, editMinutes } = props;
  const now = props.now ?? Date.now();
  const live = comments.filter((c) => !c.deleted).length;

  const item = (n: Node, depth: number) => {
    const c = n.comment;
    const own = viewer?.id === c.userId;
    const editable = own && !c.deleted && now - Date.parse(c.createdAt) <= editMinutes * 60_000;
    const deletable = !c.deleted && !!viewer && (own || viewer.role === 'admin');
    return (
      <li id={`comment-${c.id}`} class="comment">
        <article>
          {c.deleted ? (
            <p class="comment-deleted">[deleted]</p>
          ) : (
            <>
              <header>
                <a href={sitePaths.user(c.username)}>{c.username}</a> · <time datetime={c.createdAt}>{c.createdAt.slice(0, 16).replace('T', ' ')}</time>
                {c.editedAt ? ' · edited' : ''}
              </header>
              <div class="comment-body">{raw(c.html)}</div>
            </>
          )}
          {csrfToken && viewer && (
            <footer>
              {!c.deleted && (
                <details>
                  <summary>Reply</summary>
                  <PostForm action={sitePaths.forms.paperComments(paperId)} csrfToken={csrfToken} next={next}>
                    <input type="hidden" name="parentId" value={String(c.id)} />
                    <label>
                      Your reply <textarea name="body" required maxlength={10000} rows={3}></textarea>
                    </label>
                    <button type="submit" class="quiet">
                      Reply
                    </button>
                  </PostForm>
                </details>
              )}
              {editable && <a href={sitePaths.commentEdit(c.id, next)}>Edit</a>}{' '}
              {!c.deleted && !own && (
                <a href={sitePaths.report({ target: 'comment', id: c.id })} class="report-link">
                  Report
                </a>
              )}{' '}
              {deletable && (
                // A link to the confirmation page, not a button that deletes: the second step asks first.
                <a class="danger-link" href={sitePaths.commentDelete(c.id, next)}>
                  {own ? 'Delete' : 'Delete (admin)'}
                  <span class="vh"> comment by {c.username}</span>
                </a>
              )}
            </footer>
          )}
        </article>
        {n.replies.length > 0 && (depth < MAX_INDENT ? <ol class="replies">{n.replies.map((r) => item(r, depth + 1))}</ol> : <>{n.replies.map((r) => item(r, depth))}</>)}
      </li>
    );
  };

  return (
    <section aria-labelledby="comments-heading" class="comments">
      <h2 id="comments-heading">
        {live} comment{live === 1 ? '' : 's'}
      </h2>
      {csrfToken && viewer && props.watching !== undefined && (
        <PostForm action={sitePaths.forms.watchDiscussion()} csrfToken={csrfToken} next={next} class="inline watch-form">
          <input type="hidden" name="paperId" value={paperId} />
          <input type="hidden" name="on" value={props.watching ? '0' : '1'} />
          <button type="submit" class="quiet small" aria-pressed={props.watching ? 'true' : 'false'}>
            {props.watching ? 'Following this discussion' : 'Follow this discussion'}
          </button>
        </PostForm>
      )}
      {csrfToken && viewer ? (
        <PostForm action={sitePaths.forms.paperComments(paperId)} csrfToken={csrfToken} next={next}>
          <label>
            Add a comment (Markdown, $\LaTeX$ math) <textarea name="body" required maxlength={10000} rows={4}></textarea>
          </label>
          <button type="submit">Comment</button>
        </PostForm>
      ) : (
        <p>
          <a href={sitePaths.login(next)}>Log in</a> to comment.
        </p>
      )}
      <ol class="comment-list">{thread(comments).map((n) => item(n, 0))}</ol>
    </section>
  );
}
