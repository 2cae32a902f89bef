import type { Child } from 'hono/jsx';
import type { User } from '../../../domain/community.ts';
import { PostForm } from './forms.tsx';
import { CommunityPage } from './page.tsx';

/**
 * The second step of a destructive action: what will go, one button that does it (a POST with the
 * CSRF field) and a way back. Works without JavaScript; the first step is a plain link here.
 */
export function ConfirmPage(props: { title: string; user: User; csrfToken: string; action: string; confirmLabel: string; cancelHref: string; next?: string; children: Child }) {
  return (
    <CommunityPage title={props.title} user={props.user} csrfToken={props.csrfToken}>
      <h1>{props.title}</h1>
      <div class="confirm">
        {props.children}
        <PostForm action={props.action} csrfToken={props.csrfToken} next={props.next} class="confirm-actions">
          <button type="submit" class="danger">
            {props.confirmLabel}
          </button>
          <a class="button quiet" href={props.cancelHref}>
            Cancel
          </a>
        </PostForm>
      </div>
    </CommunityPage>
  );
}
