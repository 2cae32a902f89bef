import type { FeedItem, PaperWithStats } from '../../domain/paper.ts';
import { sitePaths } from '../../domain/site-paths.ts';
import { httpUrl } from '../../domain/links.ts';
import { MathText } from './math.tsx';
import { UpvoteButton } from './community/upvote-button.tsx';
import { PostForm } from './community/forms.tsx';
import type { PaperEnrichment, PaperThumbnails } from '../../domain/enrichment.ts';
import { CardSummary, StarsLink } from './enrichment-parts.tsx';
import { Thumbnail } from './thumbnail.tsx';

/** Only http(s) URLs become links; anything else (`javascript:`, `data:`) is not rendered as a link. */
export function safeHref(url: string | null | undefined): string | null {
  return httpUrl(url);
}

export const paperUrl = sitePaths.paper;
export const authorUrl = sitePaths.author;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

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

/** Who is looking: upvote buttons are forms for a signed-in viewer and log-in links otherwise. */
export interface CardViewer {
  signedIn: boolean;
  csrfToken: string;
  /** The papers on this page the viewer has upvoted. */
  upvoted: Set<string>;
  /** This page, for forms to come back to. */
  next: string;
  /** The papers on this page the viewer has seen (opened or marked); absent for visitors. */
  seen?: Set<string>;
  /** What the enrichment steps found about this page's papers (read in one query per page). */
  enrichments?: ReadonlyMap<string, PaperEnrichment>;
  /** First-page thumbnails of the papers on this page that have one (the enrichment's PDF step). */
  thumbnails?: Map<string, PaperThumbnails>;
}

export const ANONYMOUS: CardViewer = { signedIn: false, csrfToken: '', upvoted: new Set(), next: '/' };

/** One paper on a feed page: title, first authors, abstract, upvotes, comments, code, submitter. */
export function PaperCard({ item, viewer = ANONYMOUS, headingLevel = 3 }: { item: FeedItem; viewer?: CardViewer; headingLevel?: 2 | 3 }) {
  const { paper, entry } = item;
  const enrichment = viewer.enrichments?.get(paper.id);
  const code = safeHref(enrichment?.codeChecked ? enrichment.codeRepo : paper.links.code[0]);
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const seen = viewer.seen?.has(paper.id) ?? false;
  const thumb = viewer.thumbnails?.get(paper.id)?.card;
  return (
    <li>
      <article class={seen ? 'card seen' : 'card'} data-paper data-seen={viewer.seen ? String(seen) : undefined} aria-labelledby={`t-${cssId(paper.id)}`}>
        <UpvoteButton paperId={paper.id} upvotes={paper.upvotes} upvoted={viewer.upvoted.has(paper.id)} csrfToken={viewer.signedIn ? viewer.csrfToken : null} next={viewer.next} />
        <div class="body">
          <H id={`t-${cssId(paper.id)}`}>
            <a href={paperUrl(paper.id)}>
              <MathText text={paper.title} />
            </a>
          </H>
          <AuthorList authors={paper.authors} />
          {/* An LLM's TL;DR stands in for the abstract on a card, as on Hugging Face (the abstract is on the paper's page); keywords go above it. */}
          {enrichment && <CardSummary e={enrichment} />}
          {!enrichment?.summary && (
            <p class="abstract">
              <MathText text={paper.abstract} />
            </p>
          )}
          <ul class="meta">
            <li>
              <a href={`${paperUrl(paper.id)}#comments`}>{plural(paper.numComments, 'comment')}</a>
            </li>
            {code && (
              <li>
                <a href={code}>Code</a>
              </li>
            )}
            {enrichment && enrichment.githubStars !== null && (
              <li>
                <StarsLink e={enrichment} />
              </li>
            )}
            {paper.primaryCategory && <li>{paper.primaryCategory}</li>}
            {entry.submittedBy && <li>Submitted by {entry.submittedBy}</li>}
            {viewer.signedIn && viewer.seen && (
              <li>
                <SeenToggle paperId={paper.id} seen={seen} viewer={viewer} />
              </li>
            )}
          </ul>
        </div>
        {thumb && <Thumbnail thumb={thumb} width={120} class="thumb card-thumb" />}
      </article>
    </li>
  );
}

/**
 * "Seen" state of one paper for a signed-in reader: a plain form (CSRF, no JavaScript needed) that
 * marks it seen or not seen and comes back to this page. Seen cards are dimmed (abstract folded).
 */
export function SeenToggle({ paperId, seen, viewer }: { paperId: string; seen: boolean; viewer: CardViewer }) {
  return (
    <PostForm action={sitePaths.forms.papersSeen()} csrfToken={viewer.csrfToken} next={viewer.next} class="inline seen-form">
      <input type="hidden" name="paperId" value={paperId} />
      <input type="hidden" name="seen" value={seen ? '0' : '1'} />
      {seen && <span class="seen-badge">Seen</span>}{' '}
      <button type="submit" class="quiet small">
        {seen ? 'Mark not seen' : 'Mark seen'}
      </button>
    </PostForm>
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

export function SubscribeBanner({ csrfToken }: { csrfToken?: string }) {
  return (
    <section class="banner" aria-labelledby="subscribe-title">
      <p id="subscribe-title">Get trending papers in your email inbox!</p>
      <form method="post" action={sitePaths.subscribe()}>
        {csrfToken && <input type="hidden" name="_csrf" value={csrfToken} />}
        <label class="vh" for="subscribe-email">
          Email address
        </label>
        <input id="subscribe-email" type="email" name="email" required autocomplete="email" placeholder="you@example.org" />
        <button type="submit">Subscribe</button>
      </form>
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
