import type { AuditEntry, User } from '../../../domain/community.ts';
import { FormError, PostForm } from './forms.tsx';
import { AccountPage } from './page.tsx';
import { RowTable } from './row-table.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

export function AdminPage(props: { user: User; csrfToken: string; entries: AuditEntry[]; openReports: number; pendingClaims: number; pendingOrgs: number; message?: string; error?: string }) {
  const { csrfToken } = props;
  return (
    <AccountPage title="Admin" user={props.user} csrfToken={csrfToken} section="admin">
      <h1>Moderation</h1>
      {props.message && <p class="flash" role="status">{props.message}</p>}
      <FormError message={props.error} />
      <p>
        <a href={sitePaths.adminReports()}>Reports from readers</a>: {props.openReports} open
      </p>
      <p>
        <a href={sitePaths.adminClaims()}>Author claims</a>: {props.pendingClaims} pending · <a href={sitePaths.adminOrgs()}>New organisations</a>: {props.pendingOrgs} waiting
      </p>
      <section aria-labelledby="hide-heading">
        <h2 id="hide-heading">Hide a paper</h2>
        <PostForm action={sitePaths.forms.hidePaper()} csrfToken={csrfToken}>
          <label>
            Paper id <input name="paperId" required maxlength={220} />
          </label>{' '}
          <label>
            Reason <input name="reason" maxlength={500} />
          </label>{' '}
          <label>
            <input type="checkbox" name="unhide" value="1" /> show again instead
          </label>{' '}
          <button type="submit">Apply</button>
        </PostForm>
      </section>
      <section aria-labelledby="ban-heading">
        <h2 id="ban-heading">Ban an account</h2>
        <PostForm action={sitePaths.forms.banUser()} csrfToken={csrfToken}>
          <label>
            Username <input name="username" required maxlength={64} />
          </label>{' '}
          <label>
            Reason <input name="reason" maxlength={500} />
          </label>{' '}
          <label>
            <input type="checkbox" name="unban" value="1" /> unban instead
          </label>{' '}
          <button type="submit">Apply</button>
        </PostForm>
      </section>
      <p>Comments are deleted from their paper's discussion page.</p>
      <section aria-labelledby="audit-heading">
        <h2 id="audit-heading">Audit log</h2>
        <RowTable
          columns={['When', 'Who', 'What', 'Target', 'Detail']}
          rows={props.entries}
          cells={(e) => [<time datetime={e.createdAt}>{e.createdAt.slice(0, 19).replace('T', ' ')}</time>, e.actorName, e.action, <>{e.targetType} {e.targetId}</>, e.detail ?? '']}
          empty="Nothing yet."
        />
      </section>
    </AccountPage>
  );
}
