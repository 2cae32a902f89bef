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

/** A service's message as a sentence: "wrong username or password" → "Wrong username or password." */
export function sentence(message: string): string {
  const s = message.trim();
  if (!s) return s;
  // A first word written with inner capitals is a name that keeps its case ("arXiv", "iOS").
  const first = /^\p{Ll}+\p{Lu}/u.test(s) ? s : s[0].toUpperCase() + s.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

/** A form's error, above the form, styled and announced. */
export function FormError({ message }: { message?: string | null }) {
  return message ? (
    <p role="alert" class="form-error">
      <span aria-hidden="true">⚠</span> {sentence(message)}
    </p>
  ) : null;
}

/** Only local paths are followed after a form (no open redirects): `/x`, never `//host` or `/\\host`. */
export function safeNext(next: unknown, fallback = '/'): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && next.length < 2000 ? next : fallback;
}
