import { Layout } from '../layout.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

/** A plain page for a refused or failed page request; `message` is escaped like any text. */
export function errorPage(status: number, message: string) {
  const title = status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : status === 429 ? 'Slow down' : 'That did not work';
  return (
    <Layout title={`${title} · Paperboy`}>
      <h1>{title}</h1>
      <p role="alert">{message}</p>
      <p>
        <a href={sitePaths.home()}>Back to the daily papers</a>
      </p>
    </Layout>
  );
}
