/** A paper on a page: a list's card (`.card`, no attribute of its own: fifty a page) or a search hit or paper page (`[data-paper]`). */
const PAPER = '.card, [data-paper]';
const TITLE_LINKS = '.card h2 a, .card h3 a, [data-paper] h2 a, [data-paper] h3 a';

/** `j` / `k` move focus to the next / previous paper's title link (not while typing). */
export function setupKeys(): void {
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'j' && event.key !== 'k') return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const t = event.target as HTMLElement;
    if (t.closest('input, textarea, select, [contenteditable]')) return;
    const links = Array.from(document.querySelectorAll<HTMLAnchorElement>(TITLE_LINKS));
    if (!links.length) return;
    const at = links.findIndex((a) => a === document.activeElement || a.closest(PAPER)?.contains(document.activeElement));
    const next = event.key === 'j' ? (at < 0 ? 0 : Math.min(at + 1, links.length - 1)) : at < 0 ? 0 : Math.max(at - 1, 0);
    event.preventDefault();
    links[next].focus();
    links[next].closest(PAPER)?.scrollIntoView({ block: 'nearest' });
  });
}
