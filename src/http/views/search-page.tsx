import { VisibleFeeds } from './visible-feeds.tsx';
import { feedLinksFor, type FeedLink } from './feed-links.tsx';
import type { PaperWithStats } from '../../domain/paper.ts';
import type { HighlightSegment } from '../../search/highlight.ts';
import { AuthorList, paperUrl } from './components.tsx';
import { Layout } from './layout.tsx';

export interface SearchForm {
  q: string;
  from?: string;
  to?: string;
  category?: string;
  sort: 'relevance' | 'newest' | 'upvotes';
  page: number;
}

/** A result: the paper with its title and abstract split into matching and other text. */
export interface SearchHit {
  paper: PaperWithStats;
  title: HighlightSegment[];
  abstract: HighlightSegment[];
}

/** Highlighted text: matches in <mark>, every piece an escaped text node. */
function Marked({ segs }: { segs: HighlightSegment[] }) {
  return <>{segs.map((s) => (s.match ? <mark>{s.text}</mark> : s.text))}</>;
}

export interface SearchPageProps {
  form: SearchForm;
  results: SearchHit[] | null;
  hasMore: boolean;
  categories: string[];
  /** A message for the visitor when the query could not be run as asked. */
  notice?: string;
}

function withPage(form: SearchForm, page: number): string {
  const p = new URLSearchParams();
  if (form.q) p.set('q', form.q);
  if (form.from) p.set('from', form.from);
  if (form.to) p.set('to', form.to);
  if (form.category) p.set('category', form.category);
  if (form.sort !== 'relevance') p.set('sort', form.sort);
  if (page > 1) p.set('page', String(page));
  return `/search?${p}`;
}

/** A search's own feed (its words), and a category's when the search is narrowed to one. */
function searchFeeds(form: SearchForm): FeedLink[] {
  const feeds: FeedLink[] = [];
  if (form.q) feeds.push(feedLinksFor.search(form.q));
  if (form.category) feeds.push(feedLinksFor.category(form.category));
  return feeds;
}

export function SearchPageView({ form, results, hasMore, categories, notice }: SearchPageProps) {
  const feeds = searchFeeds(form);
  const heading = form.q ? `Results for “${form.q}”` : form.category ? `Papers in ${form.category}` : 'Search papers';
  return (
    <Layout title={`${form.q ? `${form.q} – search` : 'Search'} · Paperboy`} nav="search" query={form.q} feeds={feeds.length ? feeds : undefined}>
      <h1>{heading}</h1>
      <VisibleFeeds feeds={feeds} />
      <form class="search-form" method="get" action="/search" role="search" aria-label="Search with filters">
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
            <option value="newest" selected={form.sort === 'newest'}>
              Newest
            </option>
            <option value="upvotes" selected={form.sort === 'upvotes'}>
              Most upvoted
            </option>
          </select>
        </label>
      </form>
      {notice && <p class="empty">{notice}</p>}
      {results === null ? (
        <p class="tagline">
          Type some words to search titles and abstracts, or pick a category. Use <code>"a phrase"</code>, <code>-word</code> to leave papers out and{' '}
          <code>author:name</code>; an arXiv id goes straight to the paper.
        </p>
      ) : results.length === 0 ? (
        <p class="empty">
          No papers match. Try fewer words, a wider date range, or <a href="/papers/trending">see what is trending</a>.
        </p>
      ) : (
        <>
          <ol class="results" aria-label="Search results">
            {results.map(({ paper, title, abstract }) => (
              <li data-paper>
                <h2>
                  <a href={paperUrl(paper.id)}>
                    <Marked segs={title} />
                  </a>
                </h2>
                <AuthorList authors={paper.authors} />
                <p class="abstract">
                  <Marked segs={abstract} />
                </p>
                <ul class="meta">
                  <li>
                    {paper.upvotes} {paper.upvotes === 1 ? 'upvote' : 'upvotes'}
                  </li>
                  {paper.publishedAt && <li>{paper.publishedAt.slice(0, 10)}</li>}
                  {paper.primaryCategory && <li>{paper.primaryCategory}</li>}
                </ul>
              </li>
            ))}
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
