import type { PaperWithStats } from '../../domain/paper.ts';
import { sitePaths } from '../../domain/site-paths.ts';
import { httpUrl } from '../../domain/links.ts';
import { excerpt, MathText } from './math.tsx';
import { UpvoteButton, UpvoteLabel } from './community/upvote-button.tsx';
import { PostForm } from './community/forms.tsx';
import { shownLinks, type PaperEnrichment } from '../../domain/enrichment.ts';
import { CardSummary, formatStars, StarsLink } from './enrichment-parts.tsx';
import type { Child } from 'hono/jsx';
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

/**
 * How much of the abstract a card sends: it shows five lines (CSS line-clamp), about 370 characters
 * at the widest layout (a 570 px column), and the full abstract is one click away on the paper's page. Sending it all
 * made a 50-card page 130–160 kB of HTML; cut, the page stays under 100 kB with every card enriched.
 */
export const CARD_ABSTRACT_CHARS = 400;

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
  /** What the enrichment steps found about this page's papers, thumbnails and author-set links included (read in one query per page). */
  enrichments?: ReadonlyMap<string, PaperEnrichment>;
}

/** A paper as a card lists it: the paper, and who put it on the feed when it came from there. */
export interface CardItem {
  paper: PaperWithStats;
  entry?: { submittedBy: string | null } | null;
}

export const ANONYMOUS: CardViewer = { signedIn: false, csrfToken: '', upvoted: new Set(), next: '/' };

/**
 * One paper in a list (feed, trending, author, organisation, collection, For you, Following):
 * title, first authors, the TL;DR (or the abstract) with keywords, upvotes, comments, code with
 * stars, and its first-page thumbnail. `children` go below the meta line (a page's own controls).
 */
export function PaperCard({ item, viewer = ANONYMOUS, headingLevel = 3, idPrefix = 't', children }: { item: CardItem; viewer?: CardViewer; headingLevel?: 2 | 3; idPrefix?: string; children?: Child }) {
  const { paper, entry } = item;
  const enrichment = viewer.enrichments?.get(paper.id);
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const seen = viewer.seen?.has(paper.id) ?? false;
  const tid = `${idPrefix}-${cssId(paper.id)}`;
  return (
    <li>
      {/* A card carries no data-* of its own: `.card` marks a paper for the j/k keys and `.seen` its read state. */}
      <article class={seen ? 'card seen' : 'card'} aria-labelledby={tid}>
        {viewer.signedIn ? (
          <CardUpvote paperId={paper.id} upvotes={paper.upvotes} upvoted={viewer.upvoted.has(paper.id)} />
        ) : (
          <UpvoteButton paperId={paper.id} upvotes={paper.upvotes} upvoted={false} csrfToken={null} next={viewer.next} />
        )}
        <div class="body">
          <H id={tid}>
            <a href={paperUrl(paper.id)}>
              <MathText text={paper.title} />
            </a>
          </H>
          <AuthorList authors={paper.authors} />
          {/* An LLM's TL;DR stands in for the abstract on a card, as on Hugging Face (the abstract is on the paper's page); keywords go above it. */}
          {enrichment && <CardSummary e={enrichment} />}
          {!enrichment?.summary && (
            <p class="abstract">
              <MathText text={excerpt(paper.abstract, CARD_ABSTRACT_CHARS)} />
            </p>
          )}
          <ul class="meta">
            <li>
              <a href={`${paperUrl(paper.id)}#comments`}>{plural(paper.numComments, 'comment')}</a>
            </li>
            <CodeItems paper={paper} e={enrichment} />
            {paper.primaryCategory && <li>{paper.primaryCategory}</li>}
            {entry?.submittedBy && <li>Submitted by {entry.submittedBy}</li>}
            {viewer.signedIn && viewer.seen && (
              <li>
                <SeenToggle paperId={paper.id} seen={seen} />
              </li>
            )}
          </ul>
          {children}
        </div>
        <CardThumb e={enrichment} />
      </article>
    </li>
  );
}

/** A card's first-page thumbnail, when the PDF step made one. */
export function CardThumb({ e }: { e: PaperEnrichment | undefined }) {
  const thumb = e?.thumbnails?.card;
  // No class: the stylesheet styles a card's (and a search hit's) own <img> as a thumbnail.
  return thumb ? <Thumbnail thumb={thumb} width={120} /> : null;
}

/**
 * A card's "Code" link and the stars of its GitHub repository, as meta-line items; a verified
 * author's own code link wins. When the stars are that link's repository's (the usual case) they
 * are one link — "Code ★ 1,234" — so fifty cards do not each repeat the URL.
 */
export function CodeItems({ paper, e }: { paper: Pick<PaperWithStats, 'links'>; e: PaperEnrichment | undefined }) {
  const shown = e ? shownLinks(paper, e) : { best: safeHref(paper.links.code[0]), stars: null, starsHref: null };
  const stars = shown.stars !== null && shown.starsHref ? { n: shown.stars, href: shown.starsHref } : null;
  if (stars && shown.best === stars.href) {
    return (
      <li>
        <a href={stars.href} aria-label={`Code, ${stars.n} GitHub stars`}>
          Code <span class="stars">★ {formatStars(stars.n)}</span>
        </a>
      </li>
    );
  }
  return (
    <>
      {shown.best && (
        <li>
          <a href={shown.best}>Code</a>
        </li>
      )}
      {stars && (
        <li>
          <StarsLink stars={stars.n} href={stars.href} />
        </li>
      )}
    </>
  );
}

/**
 * "Seen" state of one paper for a signed-in reader: a plain form (CSRF, no JavaScript needed) that
 * marks it seen or not seen and comes back to this page. Seen cards are dimmed (abstract folded).
 */
export function SeenToggle({ paperId, seen }: { paperId: string; seen: boolean }) {
  return (
    <>
      {seen && <span class="seen-badge">Seen</span>}
      {seen && ' '}
      {/* Styled as a quiet small button by `.meta button` (the class on fifty buttons came to 1 kB). */}
      <button form={seen ? CARD_FORMS.unseen : CARD_FORMS.seen} name="paperId" value={paperId}>
        {seen ? 'Mark not seen' : 'Mark seen'}
      </button>
    </>
  );
}

/**
 * The ids of a card list's shared forms (a button's type is submit unless it says otherwise). Each signed-in card's upvote and "seen" buttons submit one
 * of these (the `form` attribute; the upvote button names its own paper with `formaction`) instead
 * of carrying a form each: fifty copies of the CSRF token and the way back made a signed-in feed
 * page about 118 kB of HTML, over its 100 kB budget. Without JavaScript they post as before.
 */
export const CARD_FORMS = { vote: 'card-vote', seen: 'card-seen', unseen: 'card-unseen' } as const;

/** A card list's shared forms for a signed-in viewer (once per list, before its cards). */
export function CardForms({ viewer }: { viewer: CardViewer }) {
  if (!viewer.signedIn) return null;
  return (
    <>
      {/* No action of its own: every button that submits it names its paper's upvote path; `data-upvote` hands it to /community.js. */}
      <PostForm id={CARD_FORMS.vote} csrfToken={viewer.csrfToken} next={viewer.next} data-upvote />
      {viewer.seen && (
        <>
          <PostForm id={CARD_FORMS.seen} action={sitePaths.forms.papersSeen()} csrfToken={viewer.csrfToken} next={viewer.next}>
            <input type="hidden" name="seen" value="1" />
          </PostForm>
          <PostForm id={CARD_FORMS.unseen} action={sitePaths.forms.papersSeen()} csrfToken={viewer.csrfToken} next={viewer.next}>
            <input type="hidden" name="seen" value="0" />
          </PostForm>
        </>
      )}
    </>
  );
}

/**
 * A signed-in card's upvote toggle: a button of the list's shared vote form (see CARD_FORMS) that
 * posts `action` to this paper's upvote path; /community.js upgrades it to an in-place fetch as it
 * does the paper page's form, reading the paper from `formaction`. The button says which state it
 * asks for, as the form does. Its name is its count and what it counts, aria-pressed says whether
 * it is your vote; no title (the paper page's button has one, fifty cards do not repeat it).
 */
export function CardUpvote({ paperId, upvotes, upvoted }: { paperId: string; upvotes: number; upvoted: boolean }) {
  return (
    <div class="upvote">
      <button form={CARD_FORMS.vote} formaction={sitePaths.forms.paperUpvote(paperId)} name="action" value={upvoted ? 'remove' : 'add'} aria-pressed={upvoted ? 'true' : 'false'}>
        <UpvoteLabel upvotes={upvotes} />
      </button>
    </div>
  );
}

/** A paper id as a safe HTML id fragment (ids may contain `/` and `.`). */
export function cssId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * A list of paper cards; `after` adds a page's own controls or notes below a card's meta line.
 * `forms={false}` when the page renders `CardForms` itself, once for several lists (form ids are unique),
 * and then an `idPrefix` of its own per list: one paper may be on two of them (upvoted and submitted).
 */
export function FeedList<T extends CardItem>({ items, viewer, headingLevel = 3, after, label, forms = true, idPrefix }: { items: T[]; viewer?: CardViewer; headingLevel?: 2 | 3; after?: (item: T) => Child; label?: string; forms?: boolean; idPrefix?: string }) {
  return (
    <>
      {viewer && forms && <CardForms viewer={viewer} />}
      <ol class="feed" aria-labelledby={label}>
      {items.map((item) => (
        <PaperCard item={item} viewer={viewer} headingLevel={headingLevel} idPrefix={idPrefix}>
          {after?.(item)}
        </PaperCard>
      ))}
      </ol>
    </>
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
