/** "Copy" buttons next to <pre> blocks (the BibTeX citation). */
export function setupCopy(): void {
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('button[data-copy]'))) {
    const target = document.getElementById(button.dataset.copy!);
    if (!target) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(target.textContent ?? '');
        button.textContent = 'Copied';
      } catch {
        getSelection()?.selectAllChildren(target);
      }
    });
  }
}
