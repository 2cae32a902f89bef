import type { FeedItem, PaperWithStats } from '../../domain/paper.ts';
import { paperPath } from '../params.ts';
import { MathText } from './math.tsx';

/** Only http(s) URLs become links; anything else (`javascript:`, `data:`) is not rendered as a link. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

export const paperUrl = (id: string) => `/papers/${paperPath(id)}`;
export const authorUrl = (name: string) => `/authors/${encodeURIComponent(name)}`;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface UpvoteButtonProps {
  paperId: string;
  count: number;
  upvoted?: boolean;
  /** The CSRF token of a signed-in session; without it the server asks the visitor to sign in. */
  csrf?: string;
  title?: string;
}

/** A form posting to `/papers/{id}/upvote`: works without JS, the client script posts it in the background. */
export function UpvoteButton({ paperId, count, upvoted = false, csrf, title }: UpvoteButtonProps) {
  return (
    <form class="upvote" method="post" action={`${paperUrl(paperId)}/upvote`} data-upvote>
      {csrf && <input type="hidden" name="_csrf" value={csrf} />}
      <button type="submit" aria-pressed={upvoted ? 'true' : 'false'} title={title ? `Upvote “${title}”` : 'Upvote'}>
        <span class="arrow" aria-hidden="true">
          ▲
        </span>
        <span class="vh">Upvote, </span>
        <span class="count">{count}</span>
        <span class="vh"> upvotes</span>
      </button>
    </form>
  );
}

/** "Ada Lovelace, Alan Turing, Grace Hopper et al." with each name linking to the author's page. */
export function AuthorList({ authors, max = 3 }: { authors: string[]; max?: number }) {
  if (!authors.length) return null;
  const shown = max > 0 ? authors.slice(0, max) : authors;
  return (
    <p class="authors">
      {shown.map((a, i) => (
        <>
          {i > 0 && ', '}
          <a href={authorUrl(a)}>{a}</a>
        </>
      ))}
      {shown.length < authors.length && ' et al.'}
    </p>
  );
}

export interface CardViewer {
  csrf?: string;
  upvoted?: (paperId: string) => boolean;
}

/** One paper on a feed page: title, first authors, abstract, upvotes, comments, code, submitter. */
export function PaperCard({ item, viewer = {}, headingLevel = 3 }: { item: FeedItem; viewer?: CardViewer; headingLevel?: 2 | 3 }) {
  const { paper, entry } = item;
  const code = safeHref(paper.links.code[0]);
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <li>
      <article class="card" data-paper aria-labelledby={`t-${cssId(paper.id)}`}>
        <UpvoteButton paperId={paper.id} count={paper.upvotes} upvoted={viewer.upvoted?.(paper.id)} csrf={viewer.csrf} title={paper.title} />
        <div class="body">
          <H id={`t-${cssId(paper.id)}`}>
            <a href={paperUrl(paper.id)}>
              <MathText text={paper.title} />
            </a>
          </H>
          <AuthorList authors={paper.authors} />
          <p class="abstract">
            <MathText text={paper.abstract} />
          </p>
          <ul class="meta">
            <li>
              <a href={`${paperUrl(paper.id)}#comments`}>{plural(paper.numComments, 'comment')}</a>
            </li>
            {code && (
              <li>
                <a href={code}>Code</a>
              </li>
            )}
            {paper.primaryCategory && <li>{paper.primaryCategory}</li>}
            {entry.submittedBy && <li>Submitted by {entry.submittedBy}</li>}
          </ul>
        </div>
      </article>
    </li>
  );
}

/** A paper id as a safe HTML id fragment (ids may contain `/` and `.`). */
export function cssId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function FeedList({ items, viewer, headingLevel = 3 }: { items: FeedItem[]; viewer?: CardViewer; headingLevel?: 2 | 3 }) {
  return (
    <ol class="feed">
      {items.map((item) => (
        <PaperCard item={item} viewer={viewer} headingLevel={headingLevel} />
      ))}
    </ol>
  );
}

export function SubscribeBanner({ csrf }: { csrf?: string }) {
  return (
    <section class="banner" aria-labelledby="subscribe-title">
      <p id="subscribe-title">Get trending papers in your email inbox!</p>
      <form method="post" action="/subscribe">
        {csrf && <input type="hidden" name="_csrf" value={csrf} />}
        <label class="vh" for="subscribe-email">
          Email address
        </label>
        <input id="subscribe-email" type="email" name="email" required autocomplete="email" placeholder="you@example.org" />
        <button type="submit">Subscribe</button>
      </form>
    </section>
  );
}

export interface CommentView {
  id: number | string;
  author: string;
  body: string;
  createdAt: string;
  replies?: CommentView[];
}

export interface CommentsSectionProps {
  paperId: string;
  comments: CommentView[];
  /** Signed in: show the form. */
  canComment?: boolean;
  csrf?: string;
}

function CommentItem({ c }: { c: CommentView }) {
  return (
    <li class="comment">
      <article aria-label={`Comment by ${c.author}`}>
        <header>
          <strong>{c.author}</strong> · <time datetime={c.createdAt}>{c.createdAt.slice(0, 10)}</time>
        </header>
        <p>{c.body}</p>
        {c.replies && c.replies.length > 0 && (
          <ul class="comments">
            {c.replies.map((r) => (
              <CommentItem c={r} />
            ))}
          </ul>
        )}
      </article>
    </li>
  );
}

export function CommentsSection({ paperId, comments, canComment = false, csrf }: CommentsSectionProps) {
  return (
    <section id="comments" aria-labelledby="comments-title">
      <h2 id="comments-title">Comments ({comments.length})</h2>
      {comments.length === 0 && <p>No comments yet.</p>}
      {comments.length > 0 && (
        <ul class="comments">
          {comments.map((c) => (
            <CommentItem c={c} />
          ))}
        </ul>
      )}
      {canComment ? (
        <form method="post" action={`${paperUrl(paperId)}/comments`}>
          {csrf && <input type="hidden" name="_csrf" value={csrf} />}
          <label for="comment-body">Add a comment</label>
          <textarea id="comment-body" name="body" required maxlength={10000}></textarea>
          <p>
            <button type="submit">Post comment</button>
          </p>
        </form>
      ) : (
        <p>
          <a href={`/login?next=${encodeURIComponent(paperUrl(paperId))}`}>Sign in</a> to join the discussion.
        </p>
      )}
    </section>
  );
}

export function SimilarPapers({ papers }: { papers: Array<Pick<PaperWithStats, 'id' | 'title'>> }) {
  return (
    <section aria-labelledby="similar-title">
      <h2 id="similar-title">Similar papers</h2>
      {papers.length === 0 ? (
        <p>No similar papers found yet.</p>
      ) : (
        <ul class="similar">
          {papers.map((p) => (
            <li>
              <a href={paperUrl(p.id)}>
                <MathText text={p.title} />
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
