import { FollowButton, type FollowViewer } from './follow-button.tsx';
import { VisibleFeeds } from './visible-feeds.tsx';
import { feedLinksFor, type FeedLink } from './feed-links.tsx';
import type { PaperWithStats } from '../../domain/paper.ts';
import type { HighlightSegment } from '../../search/highlight.ts';
import type { MatchCount } from '../../search/keyword-engine.ts';
import type { SearchSort } from '../../domain/search-query.ts';
import { authorUrl, CardThumb, CodeItems, paperUrl } from './components.tsx';
import { CardSummary } from './enrichment-parts.tsx';
import type { PaperEnrichment } from '../../domain/enrichment.ts';
import { Layout } from './layout.tsx';
import { sitePaths } from '../../domain/site-paths.ts';

export interface SearchForm {
  q: string;
  from?: string;
  to?: string;
  category?: string;
  sort: SearchSort;
  page: number;
}

/** A result card: the paper, its title split into matching and other text, a snippet of the abstract around the matches, the authors an `author:` filter matched. */
export interface SearchHit {
  paper: PaperWithStats;
  title: HighlightSegment[];
  snippet: HighlightSegment[];
  /** The snippet is of the PDF's first pages: only they had the words. */
  fromPdf?: boolean;
  matchedAuthors: string[];
}

/** Highlighted text: matches in <mark>, every piece an escaped text node. */
function Marked({ segs }: { segs: HighlightSegment[] }) {
  return <>{segs.map((s) => (s.match ? <mark>{s.text}</mark> : s.text))}</>;
}

export interface SearchPageProps {
  form: SearchForm;
  results: SearchHit[] | null;
  /** The results' enrichments, shown as on feed cards. */
  enrichments?: ReadonlyMap<string, PaperEnrichment>;
  hasMore: boolean;
  categories: string[];
  /** A message for the visitor when the query could not be run as asked. */
  notice?: string;
  total?: MatchCount;
  didYouMean?: string;
  /** Who is looking, for the "Follow this search" button (its new papers under Following and in the digest). */
  follow?: FollowViewer;
}

function withPage(form: SearchForm, page: number, q = form.q): string {
  return sitePaths.search({ q, from: form.from, to: form.to, category: form.category, sort: form.sort !== 'relevance' ? form.sort : undefined, page: page > 1 ? String(page) : undefined });
}

/** A search's own feed (its words), and a category's when the search is narrowed to one. */
function searchFeeds(form: SearchForm): FeedLink[] {
  const feeds: FeedLink[] = [];
  if (form.q) feeds.push(feedLinksFor.search(form.q));
  if (form.category) feeds.push(feedLinksFor.category(form.category));
  return feeds;
}

/** "1 paper", "1,234 papers", "about 12,000 papers". */
export function countLabel(total: MatchCount): string {
  const n = total.total.toLocaleString('en-US');
  const noun = total.total === 1 ? 'paper' : 'papers';
  return total.exact ? `${n} ${noun}` : `about ${n} ${noun}`;
}

/**
 * The first authors, always including those an `author:` filter matched (marked), so the author a
 * reader searched for is never hidden behind "et al.".
 */
function CardAuthors({ authors, matched, max = 3 }: { authors: string[]; matched: string[]; max?: number }) {
  if (!authors.length) return null;
  const shown = authors.filter((a, i) => i < max || matched.includes(a));
  return (
    <p class="authors">
      {shown.map((a, i) => (
        <>
          {i > 0 && (authors.indexOf(a) > authors.indexOf(shown[i - 1]) + 1 ? ', …, ' : ', ')}
          <a href={authorUrl(a)}>{matched.includes(a) ? <mark>{a}</mark> : a}</a>
        </>
      ))}
      {authors.indexOf(shown[shown.length - 1]) < authors.length - 1 && ` et al. (${authors.length} authors)`}
    </p>
  );
}

export function SearchPageView({ form, results, enrichments, hasMore, categories, notice, total, didYouMean, follow }: SearchPageProps) {
  const feeds = searchFeeds(form);
  const heading = form.q ? `Results for “${form.q}”` : form.category ? `Papers in ${form.category}` : 'Search papers';
  return (
    <Layout title={`${form.q ? `${form.q} – search` : 'Search'} · Paperboy`} nav="search" query={form.q} feeds={feeds.length ? feeds : undefined}>
      <h1>{heading}</h1>
      <VisibleFeeds feeds={feeds} />
      {form.q && follow && (
        <p class="follow-search">
          <FollowButton viewer={follow} kind="search" value={form.q} /> new papers matching this search under Following
        </p>
      )}
      <form class="search-form" method="get" action={sitePaths.search()} role="search" aria-label="Search with filters">
        <div class="q">
          <label class="vh" for="q">
            Search terms
          </label>
          <input id="q" type="search" name="q" value={form.q} placeholder='Words, "a phrase", -excluded, author:name' list="q-suggestions" data-suggest autocomplete="off" />
          <datalist id="q-suggestions"></datalist>
          <button type="submit">Search</button>
        </div>
        <label>
          From
          <input type="date" name="from" value={form.from ?? ''} />
        </label>
        <label>
          To
          <input type="date" name="to" value={form.to ?? ''} />
        </label>
        <label>
          Category
          <select name="category">
            <option value="">Any</option>
            {categories.map((c) => (
              <option value={c} selected={c === form.category}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort by
          <select name="sort">
            <option value="relevance" selected={form.sort === 'relevance'}>
              Relevance
            </option>
            <option value="date" selected={form.sort === 'date'}>
              Newest
            </option>
            <option value="upvotes" selected={form.sort === 'upvotes'}>
              Most upvoted
            </option>
          </select>
        </label>
      </form>
      {notice && <p class="empty">{notice}</p>}
      {didYouMean && (
        <p class="did-you-mean">
          Did you mean{' '}
          <a href={withPage(form, 1, didYouMean)} rel="nofollow">
            <strong>{didYouMean}</strong>
          </a>
          ?
        </p>
      )}
      {results && total && (
        <p class="result-count" role="status">
          {countLabel(total)} {form.sort === 'relevance' ? 'match, best first' : form.sort === 'date' ? 'match, newest first' : 'match, most upvoted first'}
          {form.page > 1 && ` — page ${form.page}`}
        </p>
      )}
      {results === null ? (
        <p class="tagline">
          Type some words to search titles and abstracts, or pick a category. Use <code>"a phrase"</code>, <code>-word</code> to leave papers out and{' '}
          <code>author:name</code>; an arXiv id goes straight to the paper.
        </p>
      ) : results.length === 0 ? (
        <p class="empty">
          No papers match. Try fewer words, a wider date range, or <a href={sitePaths.trending()}>see what is trending</a>.
        </p>
      ) : (
        <>
          <ol class="results" aria-label="Search results">
            {results.map(({ paper, title, snippet, fromPdf, matchedAuthors }) => {
              const e = enrichments?.get(paper.id);
              return (
                <li data-paper class="hit">
                  <div class="body">
                    <h2>
                      <a href={paperUrl(paper.id)}>
                        <Marked segs={title} />
                      </a>
                    </h2>
                    <CardAuthors authors={paper.authors} matched={matchedAuthors} />
                    {e && <CardSummary e={e} />}
                    <p class={fromPdf ? 'snippet pdf' : 'snippet'}>
                      {fromPdf && <span class="src">In the PDF: </span>}
                      <Marked segs={snippet} />
                    </p>
                    <ul class="meta">
                      <li>
                        {paper.upvotes} {paper.upvotes === 1 ? 'upvote' : 'upvotes'}
                      </li>
                      <li>
                        {paper.numComments} {paper.numComments === 1 ? 'comment' : 'comments'}
                      </li>
                      <CodeItems paper={paper} e={e} />
                      {paper.publishedAt && <li>{paper.publishedAt.slice(0, 10)}</li>}
                      {paper.primaryCategory && <li>{paper.primaryCategory}</li>}
                    </ul>
                  </div>
                  <CardThumb e={e} />
                </li>
              );
            })}
          </ol>
          <nav aria-label="Result pages">
            <ul class="pager">
              <li>{form.page > 1 ? <a href={withPage(form, form.page - 1)}>← Previous</a> : <span>First page</span>}</li>
              <li>{hasMore ? <a href={withPage(form, form.page + 1)}>Next →</a> : <span>Last page</span>}</li>
            </ul>
          </nav>
        </>
      )}
    </Layout>
  );
}
