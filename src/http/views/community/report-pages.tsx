import type { User } from '../../../domain/community.ts';
import { REPORT_REASONS, REPORT_REASON_KEYS, type QueuedReport, type ReportTarget } from '../../../domain/report.ts';
import { FormError, PostForm } from './forms.tsx';
import { AccountPage, CommunityPage } from './page.tsx';
import { RowTable } from './row-table.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

/** The report form (`/report?target=comment&id=12`): a reason, an optional note. */
export function ReportPage(props: { user: User; csrfToken: string; target: ReportTarget; targetId: string; summary: string; back: string; done?: boolean; error?: string }) {
  const what = props.target === 'comment' ? 'comment' : 'paper';
  return (
    <CommunityPage title={`Report a ${what}`} user={props.user} csrfToken={props.csrfToken}>
      <h1>Report a {what}</h1>
      {props.done ? (
        <p role="status">
          Thank you: the moderators will look at it. <a href={props.back}>Back</a>
        </p>
      ) : (
        <>
          <p>
            You are reporting: <q>{props.summary}</q>
          </p>
          <FormError message={props.error} />
          <PostForm action={sitePaths.report()} csrfToken={props.csrfToken} next={props.back}>
            <input type="hidden" name="target" value={props.target} />
            <input type="hidden" name="id" value={props.targetId} />
            <fieldset>
              <legend>Why?</legend>
              {REPORT_REASON_KEYS.map((k, i) => (
                <label class="block">
                  <input type="radio" name="reason" value={k} required checked={i === 0} /> {REPORT_REASONS[k]}
                </label>
              ))}
            </fieldset>
            <p>
              <label>
                Anything the moderators should know (optional)
                <br />
                <textarea name="note" rows={3} cols={60} maxlength={1000}></textarea>
              </label>
            </p>
            <button type="submit">Send report</button> <a href={props.back}>Cancel</a>
          </PostForm>
        </>
      )}
    </CommunityPage>
  );
}

/** `/admin/reports`: open reports, most reported first, with the actions that fit each. */
export function ReportQueuePage(props: { user: User; csrfToken: string; reports: QueuedReport[]; message?: string; error?: string }) {
  const { csrfToken } = props;
  const action = (r: QueuedReport, value: string, label: string) => (
    <PostForm action={sitePaths.forms.resolveReport(r.id)} csrfToken={csrfToken} class="inline">
      <input type="hidden" name="action" value={value} />
      <button type="submit" class={value === 'dismiss' ? 'quiet' : undefined}>
        {label}
      </button>
    </PostForm>
  );
  return (
    <AccountPage title="Reports" user={props.user} csrfToken={csrfToken} section="reports">
      <h1>Reports</h1>
      <p>
        <a href={sitePaths.admin()}>Moderation</a> · {props.reports.length} open {props.reports.length === 1 ? 'report' : 'reports'}
      </p>
      {props.message && <p role="status">{props.message}</p>}
      <FormError message={props.error} />
      <RowTable
        columns={['Reported', 'Why', 'By', 'Actions']}
        rows={props.reports}
        cells={(r) => [
          <>
            {r.target === 'comment' ? (
              <>
                Comment by {r.author ?? '?'} on <a href={sitePaths.comment(r.paperId, r.targetId)}>{r.paperId}</a>: <q>{r.summary}</q>
              </>
            ) : (
              <>
                Paper <a href={sitePaths.paper(r.paperId)}>{r.summary}</a>
              </>
            )}
            {r.reportsOnTarget > 1 && <strong> · {r.reportsOnTarget} reports</strong>}
          </>,
          <>
            {REPORT_REASONS[r.reason]}
            {r.note && (
              <>
                : <q>{r.note}</q>
              </>
            )}
          </>,
          r.reporter,
          <>
            {r.target === 'paper' ? action(r, 'hide_paper', 'Hide paper') : [action(r, 'delete_comment', 'Delete comment'), ' ', action(r, 'ban_author', 'Ban author')]}{' '}
            {action(r, 'dismiss', 'Dismiss')}
          </>,
        ]}
        empty="No open reports."
      />
    </AccountPage>
  );
}
