/**
 * Progressive enhancement for upvote forms (`form[data-upvote]`): with JavaScript the vote is sent
 * with fetch to the JSON API and the button updates in place; without it the form posts and the
 * server redirects back.
 */
import { sitePaths } from '../../domain/site-paths.ts';

export function setupUpvotes(): void {
  document.addEventListener('submit', async (ev) => {
    const form = ev.target;
    // Another handler may already have taken the form; then it called preventDefault first.
    if (ev.defaultPrevented || !(form instanceof HTMLFormElement) || !form.dataset.upvote) return;
    ev.preventDefault();
    const action = form.elements.namedItem('action') as HTMLInputElement;
    const add = action.value !== 'remove';
    const button = form.querySelector('button')!;
    button.disabled = true;
    try {
      const res = await fetch(sitePaths.api.paperUpvote(form.dataset.upvote), {
        method: add ? 'POST' : 'DELETE',
        headers: { 'X-CSRF-Token': (form.elements.namedItem('_csrf') as HTMLInputElement).value },
        credentials: 'same-origin',
      });
      if (!res.ok) {
        form.submit();
        return;
      }
      const state = (await res.json()) as { upvoted: boolean; upvotes: number };
      action.value = state.upvoted ? 'remove' : 'add';
      button.setAttribute('aria-pressed', String(state.upvoted));
      button.title = state.upvoted ? 'Remove your upvote' : 'Upvote';
      form.querySelector('[data-upvote-count]')!.textContent = String(state.upvotes);
      const said = button.querySelector('.vh');
      if (said) said.textContent = state.upvotes === 1 ? ' upvote' : ' upvotes';
    } finally {
      button.disabled = false;
    }
  });
}
