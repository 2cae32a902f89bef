import type { Child } from 'hono/jsx';
import { Layout } from './layout.tsx';
import { CsrfField, FormError } from './community/forms.tsx';
import { sitePaths } from '../../domain/site-paths.ts';

export function MailNotConfigured({ configured }: { configured: boolean }) {
  if (configured) return null;
  return (
    <p role="note">
      Mail is not configured on this server (<code>SMTP_URL</code> is not set): mails are written as <code>.eml</code> files in the
      server's mail folder instead of being delivered.
    </p>
  );
}

export function MessagePage({ title, children }: { title: string; children: Child }) {
  return (
    <Layout title={`${title} · Paperboy`}>
      <h1>{title}</h1>
      {children}
      <p>
        <a href={sitePaths.home()}>Back to the daily papers</a>
      </p>
    </Layout>
  );
}

export function SubscribeForm({ error, email, csrfToken }: { error?: string; email?: string; csrfToken: string }) {
  return (
    <form method="post" action={sitePaths.subscribe()}>
      <CsrfField token={csrfToken} />
      <FormError message={error} />
      <label>
        Email <input type="email" name="email" required value={email ?? ''} autocomplete="email" />
      </label>{' '}
      <label>
        How often{' '}
        <select name="frequency">
          <option value="daily">Daily (weekdays)</option>
          <option value="weekly">Weekly (Mondays)</option>
        </select>
      </label>{' '}
      <button type="submit">Subscribe</button>
    </form>
  );
}

/** The page an unsubscribe link opens: one button (a GET never unsubscribes, so link scanners cannot). */
export function UnsubscribePage({ email, action, done }: { email: string; action: string; done: boolean }) {
  return (
    <MessagePage title={done ? 'You are unsubscribed' : 'Unsubscribe'}>
      {done ? (
        <p>No more digests will be sent to {email}.</p>
      ) : (
        <form method="post" action={action}>
          <p>Stop sending digests to {email}?</p>
          <input type="hidden" name="List-Unsubscribe" value="One-Click" />
          <button type="submit">Unsubscribe</button>
        </form>
      )}
    </MessagePage>
  );
}
