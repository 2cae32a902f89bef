/**
 * Progressive enhancement for upvotes: with JavaScript the vote is sent with fetch to the JSON API
 * and the button updates in place; without it the form posts and the server redirects back. Two
 * shapes, both forms marked `data-upvote`: the paper page's own form (its `action` names the paper,
 * its `action` field says what it asks for) and a card list's shared vote form, submitted by a
 * card's button (its `formaction` names the paper, its value says what it asks for).
 */
import { upvoteApiPathOf } from '../../domain/site-paths.ts';

/** Buttons and forms whose fetch failed: their next submit goes to the server the plain way. */
const plain = new WeakSet<HTMLElement>();

export function setupUpvotes(): void {
  document.addEventListener('submit', async (ev) => {
    const form = ev.target;
    // Another handler may already have taken the form; then it called preventDefault first.
    if (ev.defaultPrevented || !(form instanceof HTMLFormElement) || !('upvote' in form.dataset)) return;
    const submitter = ev.submitter instanceof HTMLButtonElement && ev.submitter.hasAttribute('formaction') ? ev.submitter : null;
    const api = upvoteApiPathOf((submitter ? submitter.getAttribute('formaction') : form.getAttribute('action')) ?? '');
    if (!api || plain.delete(submitter ?? form)) return;
    ev.preventDefault();
    const field = submitter ?? (form.elements.namedItem('action') as HTMLInputElement);
    const add = field.value !== 'remove';
    const button = submitter ?? form.querySelector('button')!;
    button.disabled = true;
    try {
      const res = await fetch(api, {
        method: add ? 'POST' : 'DELETE',
        headers: { 'X-CSRF-Token': (form.elements.namedItem('_csrf') as HTMLInputElement).value },
        credentials: 'same-origin',
      });
      if (!res.ok) {
        // Let the browser post it the plain way (the server answers with a redirect and a message).
        if (submitter) {
          plain.add(submitter);
          button.disabled = false;
          form.requestSubmit(submitter);
        } else form.submit();
        return;
      }
      const state = (await res.json()) as { upvoted: boolean; upvotes: number };
      field.value = state.upvoted ? 'remove' : 'add';
      button.setAttribute('aria-pressed', String(state.upvoted));
      // Only the paper page's button has a title (cards leave it out).
      if (button.title) button.title = state.upvoted ? 'Remove your upvote' : 'Upvote';
      // The count is the button's first text node (see UpvoteLabel); the ▲ is CSS.
      const count = Array.from(button.childNodes).find((n) => n.nodeType === Node.TEXT_NODE);
      if (count) count.textContent = String(state.upvotes);
      const said = button.querySelector('.vh');
      if (said) said.textContent = state.upvotes === 1 ? ' upvote' : ' upvotes';
    } finally {
      button.disabled = false;
    }
  });
}
