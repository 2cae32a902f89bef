import type { User } from '../../../domain/community.ts';
import { KIND_LABELS, NOTIFICATION_KINDS, notificationText, type Notification, type NotificationKind } from '../../../domain/notification.ts';
import { notificationHref } from '../../../mail/templates/notifications.ts';
import { AccountPage } from './page.tsx';
import { PostForm } from './forms.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

/** The inbox: newest first, unread ones marked, each with its own "Mark read" form; "Mark all read" on top. */
export function NotificationsPage(props: { user: User; csrfToken: string; items: Notification[]; unread: number; nextBefore: number | null; before?: number }) {
  const { items, csrfToken } = props;
  const here = sitePaths.notifications(props.before);
  return (
    <AccountPage title="Notifications" user={props.user} csrfToken={csrfToken} section="notifications">
      <h1>Notifications</h1>
      <p class="muted">
        {props.unread === 0 ? 'Nothing unread.' : `${props.unread} unread.`} Replies, mentions, new comments on papers you submitted, upvoted or follow, and your submissions in the day's top 10.{' '}
        <a href={sitePaths.settingsNotifications()}>Choose which are mailed to you</a>.
      </p>
      {props.unread > 0 && (
        <PostForm action={sitePaths.forms.notificationsReadAll()} csrfToken={csrfToken} next={here} class="inline">
          <button type="submit" class="small">
            Mark all read
          </button>
        </PostForm>
      )}
      {items.length === 0 ? (
        <p>{props.before ? 'No older notifications.' : 'No notifications yet.'}</p>
      ) : (
        <ol class="notifications" aria-label="Notifications">
          {items.map((n) => (
            <li class={n.readAt ? 'notification read' : 'notification unread'} data-notification={String(n.id)}>
              <p>
                {!n.readAt && <strong class="badge">New</strong>} <a href={notificationHref(n)}>{notificationText(n)}</a>{' '}
                <time class="muted" datetime={n.createdAt}>
                  {n.createdAt.slice(0, 16).replace('T', ' ')} UTC
                </time>
              </p>
              {n.excerpt && <blockquote class="muted">{n.excerpt}</blockquote>}
              {!n.readAt && (
                <PostForm action={sitePaths.forms.notificationRead(n.id)} csrfToken={csrfToken} next={here} class="inline">
                  <button type="submit" class="quiet small">
                    Mark read
                  </button>
                </PostForm>
              )}
            </li>
          ))}
        </ol>
      )}
      {props.nextBefore !== null && (
        <p>
          <a href={sitePaths.notifications(props.nextBefore)} rel="next">
            Older notifications
          </a>
        </p>
      )}
    </AccountPage>
  );
}

/** Which kinds are mailed (batched: at most one mail an hour); all off by default. */
export function NotificationSettingsPage(props: { user: User; csrfToken: string; kinds: NotificationKind[]; mailConfigured: boolean }) {
  const on = new Set(props.kinds);
  return (
    <AccountPage title="Notification mail" user={props.user} csrfToken={props.csrfToken} section="notify-mail">
      <h1>Notification mail</h1>
      <p>
        Notifications are always in your <a href={sitePaths.notifications()}>inbox</a>. Choose which are also mailed to you: at most one mail an hour, gathering
        what came in meanwhile and what you have not read yet. Each mail has a one-click link that stops mail of the kinds it was about; untick every box here to stop them all.
      </p>
      {!props.user.emailVerified && <p class="form-error">Your address is not confirmed yet: mails start once you confirm it (see Settings).</p>}
      {!props.mailConfigured && <p class="muted">This site has no mail server configured: mails are kept as files by the operator.</p>}
      <PostForm action={sitePaths.settingsNotifications()} csrfToken={props.csrfToken}>
        <fieldset>
          <legend>Mail me about</legend>
          {NOTIFICATION_KINDS.map((k) => (
            <p>
              <label>
                <input type="checkbox" name="kind" value={k} checked={on.has(k)} /> {KIND_LABELS[k]}
              </label>
            </p>
          ))}
        </fieldset>
        <button type="submit">Save</button>
      </PostForm>
    </AccountPage>
  );
}
