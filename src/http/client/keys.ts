/** `j` / `k` move focus to the next / previous paper's title link (not while typing). */
export function setupKeys(): void {
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'j' && event.key !== 'k') return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const t = event.target as HTMLElement;
    if (t.closest('input, textarea, select, [contenteditable]')) return;
    const links = Array.from(document.querySelectorAll<HTMLAnchorElement>('[data-paper] h2 a, [data-paper] h3 a'));
    if (!links.length) return;
    const at = links.findIndex((a) => a === document.activeElement || a.closest('[data-paper]')?.contains(document.activeElement));
    const next = event.key === 'j' ? (at < 0 ? 0 : Math.min(at + 1, links.length - 1)) : at < 0 ? 0 : Math.max(at - 1, 0);
    event.preventDefault();
    links[next].focus();
    links[next].closest('[data-paper]')?.scrollIntoView({ block: 'nearest' });
  });
}
