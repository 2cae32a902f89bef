import type { FeedPage } from '../../services/feed.ts';
import { paperPath } from '../params.ts';
import { Layout } from './layout.tsx';

export function FeedPageView({ page }: { page: FeedPage }) {
  return (
    <Layout title="Daily Papers · Paperboy">
      <section aria-labelledby="banner">
        <p id="banner">Get trending papers in your email inbox!</p>
      </section>
      <h1>Daily Papers</h1>
      {page.day ? <h2>{page.day}</h2> : <p>No papers yet. Import some with <code>paperboy import</code>.</p>}
      <ol>
        {page.items.map(({ paper }) => (
          <li>
            <article>
              <h3>
                <a href={`/papers/${paperPath(paper.id)}`}>{paper.title}</a>
              </h3>
              {paper.authors.length > 0 && <p>{paper.authors.join(', ')}</p>}
              <p>{paper.abstract}</p>
            </article>
          </li>
        ))}
      </ol>
    </Layout>
  );
}
