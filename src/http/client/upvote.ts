/**
 * Upvote forms post in the background and update the count; when the server answers with anything
 * but JSON (a login page, an error), the form is submitted normally so the user sees why.
 */
export function setupUpvotes(): void {
  document.addEventListener('submit', async (event) => {
    const form = event.target as HTMLFormElement;
    if (!form.matches?.('form[data-upvote]')) return;
    event.preventDefault();
    const button = form.querySelector('button')!;
    button.disabled = true;
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form) as unknown as Record<string, string>),
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      });
      const type = res.headers.get('content-type') ?? '';
      if (!res.ok || !type.includes('json')) return form.submit();
      const data = (await res.json()) as { upvotes?: number; upvoted?: boolean };
      if (typeof data.upvotes === 'number') form.querySelector('.count')!.textContent = String(data.upvotes);
      if (typeof data.upvoted === 'boolean') button.setAttribute('aria-pressed', String(data.upvoted));
    } catch {
      form.submit();
    } finally {
      button.disabled = false;
    }
  });
}
