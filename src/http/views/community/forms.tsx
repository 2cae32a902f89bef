import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from '../../middleware/csrf.ts';

/** The hidden CSRF field every form that changes something must carry. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** A state-changing form: POST with the CSRF field and, when given, where to go back to. */
export function PostForm(props: { action: string; csrfToken: string; next?: string; class?: string; children: Child; 'data-upvote'?: string }) {
  return (
    <form method="post" action={props.action} class={props.class} data-upvote={props['data-upvote']}>
      <CsrfField token={props.csrfToken} />
      {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
      {props.children}
    </form>
  );
}

export function FormError({ message }: { message?: string | null }) {
  return message ? (
    <p role="alert" class="form-error">
      {message}
    </p>
  ) : null;
}

/** Only local paths are followed after a form (no open redirects): `/x`, never `//host` or `/\\host`. */
export function safeNext(next: unknown, fallback = '/'): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && next.length < 2000 ? next : fallback;
}
