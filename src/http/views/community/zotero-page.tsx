import type { User } from '../../../domain/community.ts';
import type { ZoteroStatus } from '../../../services/zotero.ts';
import { FormError, PostForm } from './forms.tsx';
import { AccountPage } from './page.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

/** Connect, sync and disconnect a Zotero library (`/settings/zotero`). */
export function ZoteroPage(props: { user: User; csrfToken: string; status: ZoteroStatus | null; message?: string; error?: string }) {
  const { status: s, csrfToken } = props;
  return (
    <AccountPage title="Zotero" user={props.user} csrfToken={csrfToken} section="zotero">
      <h1>Your Zotero library</h1>
      {props.message && <p role="status">{props.message}</p>}
      <FormError message={props.error} />
      {s ? (
        <>
          <p>
            Connected to Zotero user {s.zoteroUser}. {s.matched} of {s.items} {s.items === 1 ? 'item is' : 'items are'} papers here, kept in your private collection{' '}
            <a href={sitePaths.collection(s.collectionId)}>Zotero library</a>, which shapes <a href={sitePaths.forYou()}>For you</a>.
          </p>
          <p>
            {s.syncedAt ? `Last synced ${s.syncedAt.slice(0, 16).replace('T', ' ')} UTC (library version ${s.libraryVersion}).` : 'Not synced yet.'} It is synced every hour.
          </p>
          {s.lastError && (
            <p role="alert" class="form-error">
              The last sync failed: {s.lastError}
            </p>
          )}
          <PostForm action={sitePaths.forms.zoteroSync()} csrfToken={csrfToken} class="inline">
            <button type="submit">Sync now</button>
          </PostForm>{' '}
          <PostForm action={sitePaths.forms.zoteroDisconnect()} csrfToken={csrfToken} class="inline">
            <button type="submit" class="quiet">
              Disconnect
            </button>
          </PostForm>
        </>
      ) : (
        <>
          <p>
            Paperboy reads your Zotero library (items only, never changing it), finds the papers it holds here by arXiv id, DOI or title, and keeps them in a private collection that
            shapes For you. Create a read-only key at zotero.org/settings/keys (“Allow library access”); that page also shows your user id.
          </p>
          <PostForm action={sitePaths.settingsZotero()} csrfToken={csrfToken}>
            <p>
              <label>
                Zotero user id <input name="zoteroUser" inputmode="numeric" pattern="[0-9]{1,12}" maxlength={12} required />
              </label>
            </p>
            <p>
              <label>
                API key <input name="apiKey" type="password" autocomplete="off" maxlength={64} required />
              </label>
            </p>
            <button type="submit">Connect</button>
          </PostForm>
        </>
      )}
    </AccountPage>
  );
}
