import type { Child } from 'hono/jsx';
import type { User } from '../../../domain/community.ts';
import { AccountContext } from '../account-context.ts';
import { Layout, type NavKey } from '../layout.tsx';
import type { FeedLink } from '../feed-links.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

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
    ['settings', sitePaths.settings(), 'Settings'],
    ['notifications', sitePaths.notifications(), 'Notifications'],
    ['notify-mail', sitePaths.settingsNotifications(), 'Notification mail'],
    ['mail', sitePaths.settingsMail(), 'Mail digest'],
    ['zotero', sitePaths.settingsZotero(), 'Zotero library'],
    ['collections', sitePaths.collections(), 'Collections'],
    ['profile', sitePaths.user(user.username), 'Public profile'],
    ['submit', sitePaths.submit(), 'Submit a paper'],
    ['orgs', sitePaths.settingsOrgs(), 'Organisations'],
  ];
  if (user.role === 'admin') links.push(['admin', sitePaths.admin(), 'Moderation'], ['reports', sitePaths.adminReports(), 'Reports'], ['claims', sitePaths.adminClaims(), 'Author claims'], ['org-queue', sitePaths.adminOrgs(), 'New organisations']);
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
