import { Layout } from './layout.tsx';
import { sitePaths } from '../../domain/site-paths.ts';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <Layout title="Page not found · Paperboy">
      <h1>Page not found</h1>
      <p>
        There is nothing at <code>{path}</code>.
      </p>
      <ul>
        <li>
          Paper pages look like <code>/papers/2401.01234</code> or <code>/papers/hep-th/9901001</code>.
        </li>
        <li>
          Days look like <code>/papers/date/2025-08-01</code>, weeks like <code>/papers/week/2025-W31</code>, months like <code>/papers/month/2025-08</code>.
        </li>
      </ul>
      <p>
        <a href={sitePaths.home()}>Back to today's papers</a> · <a href={sitePaths.trending()}>Trending</a> · <a href={sitePaths.search()}>Search</a>
      </p>
    </Layout>
  );
}

export function ServerErrorPage({ requestId }: { requestId?: string }) {
  return (
    <Layout title="Something went wrong · Paperboy">
      <h1>Something went wrong</h1>
      <p>The error has been logged{requestId ? <> (request <code>{requestId}</code>)</> : ''}. Please try again in a moment.</p>
      <p>
        <a href={sitePaths.home()}>Back to today's papers</a>
      </p>
    </Layout>
  );
}
