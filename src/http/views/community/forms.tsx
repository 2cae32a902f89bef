import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from '../../middleware/csrf.ts';

/** The hidden CSRF field every form that changes something must carry. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** A state-changing form: POST with the CSRF field and, when given, where to go back to. */
export function PostForm(props: { action?: string; id?: string; csrfToken: string; next?: string; class?: string; children?: Child; 'data-upvote'?: boolean }) {
  return (
    <form method="post" id={props.id} action={props.action} class={props.class} data-upvote={props['data-upvote']}>
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

const OWN_ORIGIN = 'http://paperboy.invalid';

/**
 * Where to go after a form: only a path on this site, else `fallback`. `next` is parsed the way a
 * browser will read the Location header, against the site's own origin, and must stay on it.
 * Browsers drop tabs and newlines inside URLs and read `\` as `/`, so `/\t/evil.example` and
 * `/\\evil.example` are protocol-relative (off-site) to them; control characters would also make
 * the header itself invalid (a 500). Such values, and anything that resolves to `//host`, are refused.
 */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length >= 2000 || !next.startsWith('/')) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, OWN_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== OWN_ORIGIN || url.pathname.startsWith('//')) return fallback;
  return url.pathname + url.search + url.hash;
}
