/**
 * The theme toggle: flips between light and dark and remembers the choice in localStorage. Its
 * label names the theme in use ("Light theme" / "Dark theme") and its accessible name adds what a
 * press does, so both change with the theme.
 */
export function setupTheme(): void {
  const button = document.getElementById('theme-toggle') as HTMLButtonElement | null;
  if (!button) return;
  const root = document.documentElement;
  const current = (): 'light' | 'dark' =>
    (root.dataset.theme as 'light' | 'dark' | undefined) ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const paint = () => {
    const theme = current();
    const other = theme === 'dark' ? 'light' : 'dark';
    const label = theme === 'dark' ? 'Dark theme' : 'Light theme';
    button.querySelector('.label')!.textContent = label;
    button.setAttribute('aria-label', `${label}: switch to ${other}`);
    button.title = `Switch to the ${other} theme`;
    button.dataset.theme = theme;
  };
  button.hidden = false;
  paint();
  matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', paint);
  button.addEventListener('click', () => {
    const next = current() === 'dark' ? 'light' : 'dark';
    root.dataset.theme = next;
    try {
      localStorage.setItem('theme', next);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    paint();
  });
}
