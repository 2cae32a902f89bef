import type { Child } from 'hono/jsx';
import type { User } from '../../../domain/community.ts';
import { Layout } from '../layout.tsx';
import { AccountNav } from './account-nav.tsx';

/** The shared Layout with the account navigation on top: every community page uses it. */
export function CommunityPage(props: { title: string; user: User | null; csrfToken: string; children: Child }) {
  return (
    <Layout title={`${props.title} · Paperboy`}>
      <AccountNav user={props.user} csrfToken={props.csrfToken} />
      {props.children}
    </Layout>
  );
}
