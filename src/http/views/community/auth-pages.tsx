import type { User } from '../../../domain/community.ts';
import { CONFIRM_ACCOUNT_HOURS, PASSWORD_MIN } from '../../../services/accounts.ts';
import { FormError, PostForm } from './forms.tsx';
import { CommunityPage } from './page.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

/** Why the visitor is asked to log in, from where they were going. */
function LoginReason({ next, upvote }: { next: string; upvote: string | null }) {
  const reason = upvote
    ? 'Log in or sign up and your upvote is counted right away.'
    : next.startsWith(sitePaths.forYou())
      ? 'For you ranks the newest papers by what you upvote, save and pick. Log in or sign up to see yours.'
      : next.startsWith(sitePaths.following())
        ? 'Following lists new papers by the authors, categories and searches you follow. Log in or sign up to follow them.'
        : null;
  return reason ? (
    <p class="notice" role="note">
      {reason}
    </p>
  ) : null;
}

/** Where to go and what to upvote, kept between the log-in and sign-up pages (home needs no `next`). */
const carried = (next: string, upvote: string | null): [string | undefined, string | undefined] => [next === sitePaths.home() ? undefined : next, upvote ?? undefined];

export function SignupPage(props: { csrfToken: string; error?: string; username?: string; email?: string; next?: string; upvote?: string | null; sentTo?: string }) {
  if (props.sentTo) {
    return (
      <CommunityPage title="Check your mail" user={null} csrfToken={props.csrfToken}>
        <h1>Check your mail</h1>
        <p role="status">
          We sent a message to {props.sentTo}. Follow the link in it within {CONFIRM_ACCOUNT_HOURS} hours to create your account (if the address already has
          one, the message says so instead).
        </p>
      </CommunityPage>
    );
  }

  const next = props.next ?? '/';
  const upvote = props.upvote ?? null;
  return (
    <CommunityPage title="Sign up" user={null} csrfToken={props.csrfToken}>
      <h1>Sign up</h1>
      <LoginReason next={next} upvote={upvote} />
      <FormError message={props.error} />
      <PostForm action={sitePaths.signup()} csrfToken={props.csrfToken} next={next}>
        {upvote && <input type="hidden" name="upvote" value={upvote} />}
        <p>
          <label>
            Username <input name="username" required minlength={3} maxlength={32} pattern="[A-Za-z0-9_\-]{3,32}" autocomplete="username" value={props.username ?? ''} />
          </label>
        </p>
        <p>
          <label>
            E-mail <input name="email" type="email" required maxlength={254} autocomplete="email" value={props.email ?? ''} />
          </label>
        </p>
        <p>
          <label>
            Password <input name="password" type="password" required minlength={PASSWORD_MIN} autocomplete="new-password" />
          </label>
        </p>
        <button type="submit">Create account</button>
      </PostForm>
      <p>
        Already have an account? <a href={sitePaths.login(...carried(next, upvote))}>Log in</a>.
      </p>
    </CommunityPage>
  );
}

export function LoginPage(props: { csrfToken: string; error?: string; next: string; username?: string; upvote?: string | null }) {
  const upvote = props.upvote ?? null;
  return (
    <CommunityPage title="Log in" user={null} csrfToken={props.csrfToken}>
      <h1>Log in</h1>
      <LoginReason next={props.next} upvote={upvote} />
      <FormError message={props.error} />
      <PostForm action={sitePaths.login()} csrfToken={props.csrfToken} next={props.next}>
        {upvote && <input type="hidden" name="upvote" value={upvote} />}
        <p>
          <label>
            Username or e-mail <input name="username" required maxlength={254} autocomplete="username" value={props.username ?? ''} />
          </label>
        </p>
        <p>
          <label>
            Password <input name="password" type="password" required autocomplete="current-password" />
          </label>
        </p>
        <button type="submit">Log in</button>
      </PostForm>
      <p>
        <a href={sitePaths.forgotPassword()}>Forgot your password?</a> · New here? <a href={sitePaths.signup(...carried(props.next, upvote))}>Sign up</a>
      </p>
    </CommunityPage>
  );
}

export function LogoutPage(props: { csrfToken: string; user: User | null }) {
  return (
    <CommunityPage title="Log out" user={props.user} csrfToken={props.csrfToken}>
      <h1>Log out</h1>
      {props.user ? (
        <PostForm action={sitePaths.forms.logout()} csrfToken={props.csrfToken}>
          <button type="submit" class="quiet">
            Log out of this browser
          </button>
        </PostForm>
      ) : (
        <p>You are not logged in.</p>
      )}
    </CommunityPage>
  );
}

/** Asks for a reset link; after the post, the answer is the flash message above this same form. */
export function ForgotPasswordPage(props: { csrfToken: string; error?: string }) {
  return (
    <CommunityPage title="Reset your password" user={null} csrfToken={props.csrfToken}>
      <h1>Reset your password</h1>
      <FormError message={props.error} />
      <PostForm action={sitePaths.forgotPassword()} csrfToken={props.csrfToken}>
        <p>
          <label>
            E-mail <input name="email" type="email" required maxlength={254} autocomplete="email" />
          </label>
        </p>
        <button type="submit">Send me a reset link</button>
      </PostForm>
    </CommunityPage>
  );
}

export function ResetPasswordPage(props: { csrfToken: string; token: string; valid: boolean; error?: string }) {
  return (
    <CommunityPage title="Choose a new password" user={null} csrfToken={props.csrfToken}>
      <h1>Choose a new password</h1>
      <FormError message={props.error} />
      {props.valid ? (
        <PostForm action={sitePaths.resetPassword()} csrfToken={props.csrfToken}>
          <input type="hidden" name="token" value={props.token} />
          <p>
            <label>
              New password <input name="password" type="password" required minlength={PASSWORD_MIN} autocomplete="new-password" />
            </label>
          </p>
          <button type="submit">Set password</button>
        </PostForm>
      ) : (
        <p>
          This link is invalid, expired or already used. <a href={sitePaths.forgotPassword()}>Ask for a new one</a>.
        </p>
      )}
    </CommunityPage>
  );
}

export function ConfirmAccountPage(props: { csrfToken: string; user: User | null; token: string; purpose: 'signup' | 'verify' | null; upvote?: string | null; error?: string }) {
  const title = props.purpose === 'verify' ? 'Confirm your address' : 'Create your account';
  return (
    <CommunityPage title={title} user={props.user} csrfToken={props.csrfToken}>
      <h1>{title}</h1>
      <FormError message={props.error} />
      {props.purpose ? (
        <PostForm action={sitePaths.confirmAccount()} csrfToken={props.csrfToken}>
          <input type="hidden" name="token" value={props.token} />
          {props.upvote && <input type="hidden" name="upvote" value={props.upvote} />}
          <button type="submit">{props.purpose === 'verify' ? 'Confirm this address' : 'Create my account'}</button>
        </PostForm>
      ) : (
        <p>
          This link is invalid, expired or already used. <a href={sitePaths.signup()}>Sign up again</a> or <a href={sitePaths.login()}>log in</a>.
        </p>
      )}
    </CommunityPage>
  );
}
