import type { User } from '../../domain/community.ts';
import type { Subscription } from '../../domain/subscription.ts';
import { AccountPage } from './community/page.tsx';
import { FormError, PostForm } from './community/forms.tsx';
import { MailNotConfigured } from './subscription-pages.tsx';
import { sitePaths } from '../../domain/site-paths.ts';

const STATUS: Record<Subscription['status'], string> = {
  pending: 'Waiting for confirmation: follow the link in the mail we sent',
  active: 'Subscribed',
  unsubscribed: 'Not subscribed (you left)',
  paused: 'Paused: mail to this address kept bouncing',
};

/** The mail section of the account settings: frequency, categories, personal picks, leave. */
export function MailSettingsPage(props: { user: User; csrfToken: string; sub: Subscription | null; mailConfigured: boolean; message?: string; error?: string }) {
  const { sub } = props;
  const frequency = sub?.frequency ?? 'daily';
  return (
    <AccountPage title="Mail digest" user={props.user} csrfToken={props.csrfToken} section="mail">
      <h1>Mail digest</h1>
      {props.message && <p class="flash" role="status">{props.message}</p>}
      <FormError message={props.error} />
      <MailNotConfigured configured={props.mailConfigured} />
      {!props.user.emailVerified && (
        <p role="note">
          Your address is not confirmed yet: <a href={sitePaths.settings()}>send yourself the link</a> from your settings, then your subscription shows here.
        </p>
      )}
      <p>
        {/* An address that only ever got notification mail has a subscription row without a digest (never left one). */}
        Address: <strong>{sub?.email ?? props.user.email}</strong> · Status:{' '}
        <strong data-status={sub?.status ?? 'none'}>{sub && !(sub.status === 'unsubscribed' && !sub.unsubscribedAt) ? STATUS[sub.status] : 'Not subscribed'}</strong>
      </p>
      <PostForm action={sitePaths.settingsMail()} csrfToken={props.csrfToken}>
        <fieldset>
          <legend>How often</legend>
          <label>
            <input type="radio" name="frequency" value="daily" checked={frequency === 'daily'} /> Daily (weekdays, like arXiv's listings)
          </label>
          <label>
            <input type="radio" name="frequency" value="weekly" checked={frequency === 'weekly'} /> Weekly (Mondays)
          </label>
        </fieldset>
        <label>
          Categories (blank for all; e.g. <code>cs.LG math</code>) <input name="categories" value={(sub?.categories ?? []).join(' ')} maxlength={1000} />
        </label>
        <label>
          <input type="checkbox" name="personalPicks" value="on" checked={sub ? sub.personalPicks : true} /> Add up to 5 "For you" papers, picked from what I
          upvoted, collected, marked "not interested" and chose as interests
        </label>
        <button type="submit">{sub?.status === 'active' ? 'Save' : 'Subscribe'}</button>
      </PostForm>
      {sub && (sub.status === 'active' || sub.status === 'pending') && (
        <PostForm action={sitePaths.forms.mailUnsubscribe()} csrfToken={props.csrfToken}>
          <button type="submit">Unsubscribe</button>
        </PostForm>
      )}
    </AccountPage>
  );
}
