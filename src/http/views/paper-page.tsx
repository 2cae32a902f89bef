import { sitePaths } from '../../domain/site-paths.ts';
import { bibtex } from '../../domain/bibtex.ts';
import type { Collection, Comment, User } from '../../domain/community.ts';
import type { FeedEntry, PaperWithStats } from '../../domain/paper.ts';
import { AuthorList, SimilarPapers, paperUrl, safeHref } from './components.tsx';
import { CollectionPicker } from './community/collection-picker.tsx';
import { CommentsSection } from './community/comments-section.tsx';
import { UpvoteButton } from './community/upvote-button.tsx';
import { Layout } from './layout.tsx';
import { FollowPanel, type FollowViewer } from './follow-button.tsx';
import { VisibleFeeds } from './visible-feeds.tsx';
import { feedLinksFor } from './feed-links.tsx';
import { MathText } from './math.tsx';
import type { PaperEnrichmentDetail } from '../../services/enrichment/service.ts';
import { EnrichmentSection } from './enrichment-parts.tsx';
import { PaperAuthorshipPanel, displayedLinks } from './authorship-pages.tsx';
import type { PaperAuthorship } from '../../services/author-claims.ts';
import type { PaperAffiliation } from '../../domain/organisation.ts';
import { thumbnailPath, type ThumbnailRef } from '../../domain/enrichment.ts';

export interface PaperPageProps {
  paper: PaperWithStats;
  entry: FeedEntry | null;
  similar: Array<Pick<PaperWithStats, 'id' | 'title'>>;
  comments: Comment[];
  upvoted: boolean;
  viewer: User | null;
  csrfToken: string;
  editMinutes: number;
  /** The viewer's collections and which of them hold this paper (for the collection picker). */
  collections?: Collection[];
  inCollections?: Set<number>;
  /** The viewer's follows, for the authors' and categories' follow buttons. */
  follow?: FollowViewer;
  /** Code and stars, TL;DR and keywords, hub artifacts (issue 17). */
  enriched?: PaperEnrichmentDetail;
  /** The Hugging Face hub the artifacts link to. */
  hubUrl?: string;
  /** Verified authors, author-set links and what the viewer may claim or set. */
  authorship?: PaperAuthorship;
  affiliations?: PaperAffiliation[];
  /** Whether the signed-in viewer follows the paper's discussion. */
  watching?: boolean;
  /** The first page's thumbnail (page size), once the enrichment's PDF step has made it. */
  thumbnail?: ThumbnailRef;
}

/** The first page beside the abstract, a link to the PDF when there is one. */
function PaperThumbnail({ thumb, pdf }: { thumb: ThumbnailRef; pdf: string | null }) {
  const height = Math.round((thumb.height * 225) / thumb.width);
  const img = <img class="thumb" src={thumbnailPath(thumb)} width={225} height={height} loading="lazy" decoding="async" alt={pdf ? 'First page (opens the PDF)' : 'First page of the paper'} />;
  return <figure class="paper-thumb">{pdf ? <a href={pdf}>{img}</a> : img}</figure>;
}

function LinkList({ urls, label }: { urls: string[]; label: string }) {
  return (
    <>
      {urls
        .map(safeHref)
        .filter((u): u is string => u !== null)
        .map((u, i) => (
          <li>
            <a class="button quiet" href={u}>
              {label}
              {i > 0 ? ` ${i + 1}` : ''}
              <span class="vh"> ({new URL(u).hostname})</span>
            </a>
          </li>
        ))}
    </>
  );
}

export function PaperPageView({ paper, entry, similar, comments, upvoted, viewer, csrfToken, editMinutes, collections = [], inCollections = new Set(), follow, authorship, affiliations = [], enriched, hubUrl = 'https://huggingface.co', watching, thumbnail }: PaperPageProps) {
  const here = paperUrl(paper.id);
  const abs = safeHref(paper.links.abs);
  const pdf = safeHref(paper.links.pdf);
  const doi = paper.doi ? `https://doi.org/${encodeURI(paper.doi)}` : null;
  // Links a verified author set win over the harvested ones.
  // Code links: an author's own choice first, else what the code step found (abstract, comment, PDF), else those found at import.
  const found = enriched?.enrichment.codeChecked ? { ...paper, links: { ...paper.links, code: enriched.enrichment.codeLinks } } : paper;
  const links = displayedLinks(found, authorship?.links);
  return (
    <Layout title={`${paper.title} · Paperboy`} description={paper.abstract.slice(0, 200)}>
      <article data-paper>
        <div class="paper-head">
          <h1>
            <MathText text={paper.title} />
          </h1>
          <UpvoteButton paperId={paper.id} upvotes={paper.upvotes} upvoted={upvoted} csrfToken={viewer ? csrfToken : null} next={here} />
        </div>
        <AuthorList authors={paper.authors} max={0} />
        <ul class="actions" aria-label="Links">
          {abs && (
            <li>
              <a class="button" href={abs}>
                {paper.source === 'arxiv' ? 'arXiv page' : 'Source page'}
              </a>
            </li>
          )}
          {pdf && (
            <li>
              <a class="button" href={pdf}>
                PDF
              </a>
            </li>
          )}
          <LinkList urls={links.code} label="Code" />
          <LinkList urls={links.project} label="Project page" />
          <li>
            <a class="button quiet" href="#comments">
              {paper.numComments} {paper.numComments === 1 ? 'comment' : 'comments'}
            </a>
          </li>
        </ul>
        {enriched && <EnrichmentSection e={enriched.enrichment} artifacts={enriched.artifacts} repoDescription={enriched.repoDescription} hubUrl={hubUrl} />}
        <section aria-labelledby="abstract-title">
          <h2 id="abstract-title">Abstract</h2>
          {thumbnail && <PaperThumbnail thumb={thumbnail} pdf={pdf} />}
          <p class="paper-abstract">
            <MathText text={paper.abstract} />
          </p>
        </section>
        <dl class="facts">
          {paper.categories.length > 0 && (
            <>
              <dt>Categories</dt>
              <dd>
                {paper.categories.map((c, i) => (
                  <>
                    {i > 0 && ' '}
                    <a class="tag" href={sitePaths.category(c)}>
                      {c}
                    </a>
                  </>
                ))}
              </dd>
            </>
          )}
          {paper.publishedAt && (
            <>
              <dt>Published</dt>
              <dd>
                <time datetime={paper.publishedAt}>{paper.publishedAt.slice(0, 10)}</time>
              </dd>
            </>
          )}
          {paper.updatedAt && (
            <>
              <dt>Updated</dt>
              <dd>
                <time datetime={paper.updatedAt}>{paper.updatedAt.slice(0, 10)}</time>
              </dd>
            </>
          )}
          {paper.version !== null && (
            <>
              <dt>Version</dt>
              <dd>v{paper.version}</dd>
            </>
          )}
          {entry && (
            <>
              <dt>On the feed</dt>
              <dd>
                <a href={sitePaths.day(entry.day)}>{entry.day}</a>
                {entry.submittedBy && ` · submitted by ${entry.submittedBy}`}
              </dd>
            </>
          )}
          {paper.journalRef && (
            <>
              <dt>Journal</dt>
              <dd>{paper.journalRef}</dd>
            </>
          )}
          {doi && (
            <>
              <dt>DOI</dt>
              <dd>
                <a href={doi}>{paper.doi}</a>
              </dd>
            </>
          )}
          {paper.comment && (
            <>
              <dt>Note</dt>
              <dd>{paper.comment}</dd>
            </>
          )}
        </dl>
        {authorship && <PaperAuthorshipPanel paper={paper} authorship={authorship} affiliations={affiliations} viewer={viewer} csrfToken={csrfToken} />}
        {follow && <FollowPanel viewer={follow} authors={paper.authors} categories={paper.categories} />}
        {paper.primaryCategory && <VisibleFeeds feeds={[feedLinksFor.category(paper.primaryCategory)]} />}
        <section class="cite" aria-labelledby="cite-title">
          <h2 id="cite-title">Cite</h2>
          <pre tabindex={0} aria-label="BibTeX citation">
            <code id="bibtex">{bibtex(paper)}</code>
          </pre>
          <button type="button" class="quiet" data-copy="bibtex" hidden>
            Copy BibTeX
          </button>
          <p>
            <a href={`${sitePaths.paper(paper.id)}.md`} type="text/markdown">
              This paper as Markdown
            </a>{' '}
            (for notes and agents)
          </p>
        </section>
        <SimilarPapers papers={similar} />
        {viewer && <CollectionPicker paperId={paper.id} collections={collections} containing={inCollections} csrfToken={csrfToken} next={here} />}
        <div id="comments">
          <CommentsSection paperId={paper.id} comments={comments} viewer={viewer} csrfToken={viewer ? csrfToken : null} next={here} editMinutes={editMinutes} watching={viewer ? watching : undefined} />
        </div>
        {viewer && (
          <p class="report-paper">
            <a href={sitePaths.report({ target: 'paper', id: paper.id })}>Report this paper</a> (spam, wrong details, not research)
          </p>
        )}
      </article>
    </Layout>
  );
}
