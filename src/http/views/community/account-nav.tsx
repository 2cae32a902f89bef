import type { User } from '../../../domain/community.ts';
import { PostForm } from './forms.tsx';

/** Log-in state for a page header: the site layout may place it. */
export function AccountNav({ user, csrfToken }: { user: User | null; csrfToken: string }) {
  if (!user) {
    return (
      <nav aria-label="Account">
        <a href="/login">Log in</a> · <a href="/signup">Sign up</a>
      </nav>
    );
  }
  return (
    <nav aria-label="Account">
      <a href={`/users/${encodeURIComponent(user.username)}`}>{user.username}</a> · <a href="/submit">Submit a paper</a> · <a href="/collections">Collections</a> ·{' '}
      <a href="/settings">Settings</a>
      {user.role === 'admin' ? (
        <>
          {' '}
          · <a href="/admin">Admin</a>
        </>
      ) : null}{' '}
      <PostForm action="/logout" csrfToken={csrfToken} class="inline">
        <button type="submit">Log out</button>
      </PostForm>
    </nav>
  );
}
