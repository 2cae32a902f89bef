import type { Child } from 'hono/jsx';
import type { User } from '../../../domain/community.ts';
import { AccountContext } from '../account-context.ts';
import { Layout, type NavKey } from '../layout.tsx';
import type { FeedLink } from '../feed-links.tsx';

/** The shared Layout for community pages; the header shows the account (no account links in the content). */
export function CommunityPage(props: { title: string; user: User | null; csrfToken: string; nav?: NavKey; feeds?: FeedLink[]; children: Child }) {
  return (
    <AccountContext.Provider value={{ user: props.user, csrfToken: props.csrfToken }}>
      <Layout title={`${props.title} · Paperboy`} nav={props.nav ?? null} feeds={props.feeds}>
        {props.children}
      </Layout>
    </AccountContext.Provider>
  );
}

export type AccountSection = 'settings' | 'notifications' | 'notify-mail' | 'mail' | 'zotero' | 'collections' | 'profile' | 'submit' | 'admin' | 'reports' | 'orgs' | 'claims' | 'org-queue';

/**
 * Every account page in one layout: the account's pages in a side menu (tabs on a phone), like the
 * period tabs on feed pages, and the page's own content beside it.
 */
export function AccountPage(props: { title: string; user: User; csrfToken: string; section: AccountSection; feeds?: FeedLink[]; children: Child }) {
  const { user, section } = props;
  const links: Array<[AccountSection, string, string]> = [
    ['settings', '/settings', 'Settings'],
    ['notifications', '/notifications', 'Notifications'],
    ['notify-mail', '/settings/notifications', 'Notification mail'],
    ['mail', '/settings/mail', 'Mail digest'],
    ['zotero', '/settings/zotero', 'Zotero library'],
    ['collections', '/collections', 'Collections'],
    ['profile', `/users/${encodeURIComponent(user.username)}`, 'Public profile'],
    ['submit', '/submit', 'Submit a paper'],
    ['orgs', '/settings/orgs', 'Organisations'],
  ];
  if (user.role === 'admin') links.push(['admin', '/admin', 'Moderation'], ['reports', '/admin/reports', 'Reports'], ['claims', '/admin/claims', 'Author claims'], ['org-queue', '/admin/orgs', 'New organisations']);
  return (
    <CommunityPage title={props.title} user={user} csrfToken={props.csrfToken} nav="account" feeds={props.feeds}>
      <div class="account-layout">
        <nav class="subnav" aria-label="Your account">
          <p class="subnav-title">{user.username}</p>
          <ul>
            {links.map(([key, href, label]) => (
              <li>
                <a href={href} aria-current={key === section ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account-main">{props.children}</div>
      </div>
    </CommunityPage>
  );
}
