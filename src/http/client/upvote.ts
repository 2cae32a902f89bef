/**
 * Progressive enhancement for upvotes: with JavaScript the vote is sent with fetch to the JSON API
 * and the button updates in place; without it the form posts and the server redirects back. Two
 * shapes: the paper page's own form (`form[data-upvote]`, its `action` field says what it asks for)
 * and a card's button of its list's shared form (`button[data-upvote]`, its value says it).
 */
import { sitePaths } from '../../domain/site-paths.ts';

export function setupUpvotes(): void {
  document.addEventListener('submit', async (ev) => {
    const form = ev.target;
    // Another handler may already have taken the form; then it called preventDefault first.
    if (ev.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    const submitter = ev.submitter instanceof HTMLButtonElement && ev.submitter.dataset.upvote ? ev.submitter : null;
    const paperId = submitter?.dataset.upvote ?? form.dataset.upvote;
    if (!paperId) return;
    ev.preventDefault();
    const field = submitter ?? (form.elements.namedItem('action') as HTMLInputElement);
    const add = field.value !== 'remove';
    const button = submitter ?? form.querySelector('button')!;
    button.disabled = true;
    try {
      const res = await fetch(sitePaths.api.paperUpvote(paperId), {
        method: add ? 'POST' : 'DELETE',
        headers: { 'X-CSRF-Token': (form.elements.namedItem('_csrf') as HTMLInputElement).value },
        credentials: 'same-origin',
      });
      if (!res.ok) {
        // Let the browser post it the plain way (the server answers with a redirect and a message).
        if (submitter) {
          delete submitter.dataset.upvote;
          button.disabled = false;
          form.requestSubmit(submitter);
        } else form.submit();
        return;
      }
      const state = (await res.json()) as { upvoted: boolean; upvotes: number };
      field.value = state.upvoted ? 'remove' : 'add';
      button.setAttribute('aria-pressed', String(state.upvoted));
      button.title = state.upvoted ? 'Remove your upvote' : 'Upvote';
      button.querySelector('[data-upvote-count]')!.textContent = String(state.upvotes);
      const said = button.querySelector('.vh');
      if (said) said.textContent = state.upvotes === 1 ? ' upvote' : ' upvotes';
    } finally {
      button.disabled = false;
    }
  });
}
