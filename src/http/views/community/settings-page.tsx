import type { ApiToken, User } from '../../../domain/community.ts';
import { PostForm } from './forms.tsx';
import { RowTable } from './row-table.tsx';
import { AccountPage } from './page.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

export function SettingsPage(props: { user: User; csrfToken: string; tokens: ApiToken[] }) {
  const { user, csrfToken, tokens } = props;
  return (
    <AccountPage title="Settings" user={user} csrfToken={csrfToken} section="settings">
      <h1>Settings</h1>
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">API tokens</h2>
        <p>
          Scripts send a token as <code>Authorization: Bearer &lt;token&gt;</code>.
        </p>
        <RowTable
          columns={['Name', 'Starts with', 'Created', 'Scopes', 'Expires', 'Last used', '']}
          rows={tokens}
          empty="No tokens yet."
          cells={(t) => [
            t.name,
            <code>{t.prefix}…</code>,
            t.createdAt.slice(0, 10),
            t.scopes.join(', '),
            t.expiresAt ? t.expiresAt.slice(0, 10) : 'never',
            t.lastUsedAt ? t.lastUsedAt.slice(0, 16).replace('T', ' ') : 'never',
            <PostForm action={sitePaths.forms.revokeToken(t.id)} csrfToken={csrfToken}>
              <button type="submit" class="quiet danger">
                Revoke<span class="vh"> {t.name}</span>
              </button>
            </PostForm>,
          ]}
        />
        <PostForm action={sitePaths.forms.createToken()} csrfToken={csrfToken}>
          <label>
            Token name <input name="name" maxlength={100} required />
          </label>{' '}
          <fieldset>
            <legend>It may</legend>
            <label>
              <input type="checkbox" name="scopes" value="read" checked /> read
            </label>{' '}
            <label>
              <input type="checkbox" name="scopes" value="write" /> write (upvote, comment, submit, …)
            </label>
            {user.role === 'admin' && (
              <label>
                {' '}
                <input type="checkbox" name="scopes" value="admin" /> moderate (admin)
              </label>
            )}
          </fieldset>
          <label>
            Expires after <input name="expiresInDays" type="number" min={1} max={365} value="90" /> days
          </label>{' '}
          <button type="submit">Create token</button>
        </PostForm>
      </section>
      <section aria-labelledby="mail-heading">
        <h2 id="mail-heading">Mail digest</h2>
        <p>
          <a href={sitePaths.settingsMail()}>Trending papers in your inbox</a>: daily or weekly, your categories, personal picks.
        </p>
        {!user.emailVerified && (
          <PostForm action={sitePaths.forms.verifyEmail()} csrfToken={csrfToken}>
            <p>
              Your address {user.email} is not confirmed yet, so no subscription is linked to this account.{' '}
              <button type="submit">Send me a link to confirm it</button>
            </p>
          </PostForm>
        )}
      </section>
      <section aria-labelledby="zotero-heading">
        <h2 id="zotero-heading">Zotero</h2>
        <p>
          <a href={sitePaths.settingsZotero()}>Connect your Zotero library</a>: its papers are kept in a private collection and shape For you.
        </p>
      </section>
      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Sessions</h2>
        <p>Lost a device? This ends every session of your account, this one included.</p>
        <PostForm action={sitePaths.forms.logoutEverywhere()} csrfToken={csrfToken}>
          <button type="submit" class="quiet">
            Log out everywhere (and revoke every API token)
          </button>
        </PostForm>
      </section>
    </AccountPage>
  );
}
