/** The theme toggle: flips between light and dark and remembers the choice in localStorage. */
export function setupTheme(): void {
  const button = document.getElementById('theme-toggle') as HTMLButtonElement | null;
  if (!button) return;
  const root = document.documentElement;
  const current = (): 'light' | 'dark' =>
    (root.dataset.theme as 'light' | 'dark' | undefined) ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const paint = () => {
    const dark = current() === 'dark';
    button.setAttribute('aria-pressed', String(dark));
    button.querySelector('.label')!.textContent = 'Dark theme';
  };
  button.hidden = false;
  paint();
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
