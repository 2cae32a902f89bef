import type { FeedItem } from '../../domain/paper.ts';
import { AuthorList, Highlight, paperUrl } from './components.tsx';
import { Layout } from './layout.tsx';

export interface SearchForm {
  q: string;
  from?: string;
  to?: string;
  category?: string;
  sort: 'relevance' | 'newest' | 'upvotes';
  page: number;
}

export interface SearchPageProps {
  form: SearchForm;
  results: FeedItem[] | null;
  hasMore: boolean;
  categories: string[];
  /** A message for the visitor when the query could not be run as asked. */
  notice?: string;
}

/** The words to highlight: the query's words, without quotes and operators. */
export function queryTerms(q: string): string[] {
  return q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1);
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

export function SearchPageView({ form, results, hasMore, categories, notice }: SearchPageProps) {
  const terms = queryTerms(form.q);
  const heading = form.q ? `Results for “${form.q}”` : form.category ? `Papers in ${form.category}` : 'Search papers';
  return (
    <Layout title={`${form.q ? `${form.q} – search` : 'Search'} · Paperboy`} nav="search" query={form.q}>
      <h1>{heading}</h1>
      <form class="search-form" method="get" action="/search" role="search" aria-label="Search with filters">
        <div class="q">
          <label class="vh" for="q">
            Search terms
          </label>
          <input id="q" type="search" name="q" value={form.q} placeholder="Words in the title or abstract" list="q-suggestions" data-suggest autocomplete="off" />
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
        <p class="tagline">Type some words to search titles and abstracts, or pick a category.</p>
      ) : results.length === 0 ? (
        <p class="empty">
          No papers match. Try fewer words, a wider date range, or <a href="/papers/trending">see what is trending</a>.
        </p>
      ) : (
        <>
          <ol class="results" aria-label="Search results">
            {results.map(({ paper, entry }) => (
              <li data-paper>
                <h2>
                  <a href={paperUrl(paper.id)}>
                    <Highlight text={paper.title} terms={terms} />
                  </a>
                </h2>
                <AuthorList authors={paper.authors} />
                <p class="abstract">
                  <Highlight text={paper.abstract} terms={terms} />
                </p>
                <ul class="meta">
                  <li>{paper.upvotes} upvotes</li>
                  <li>
                    <a href={`/papers/date/${entry.day}`}>{entry.day}</a>
                  </li>
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
