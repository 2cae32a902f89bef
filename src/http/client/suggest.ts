/**
 * Search suggestions as you type: matching titles fill the input's <datalist>; picking one opens
 * that paper (its page URL comes with the suggestion) rather than searching for its title. Typing
 * and pressing Enter still searches: only a value that is exactly a suggested title navigates.
 */
import { sitePaths } from '../../domain/site-paths.ts';

export function setupSuggestions(): void {
  for (const input of Array.from(document.querySelectorAll<HTMLInputElement>('input[data-suggest]'))) {
    const list = document.getElementById(input.getAttribute('list') ?? '') as HTMLDataListElement | null;
    if (!list) continue;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;
    /** Suggested title → the paper's page. */
    let pages = new Map<string, string>();
    const openPicked = (): boolean => {
      const url = pages.get(input.value);
      if (!url) return false;
      window.location.assign(url);
      return true;
    };
    input.addEventListener('input', (e) => {
      // A pick from the datalist arrives as one replacement of the whole value (no key typed).
      const picked = !(e instanceof InputEvent) || e.inputType === 'insertReplacementText' || e.inputType === '';
      if (picked && openPicked()) return;
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = input.value.trim();
        if (q.length < 2) return list.replaceChildren();
        controller?.abort();
        controller = new AbortController();
        try {
          const res = await fetch(sitePaths.searchSuggest(q), { signal: controller.signal });
          if (!res.ok) return;
          const items = (await res.json()) as Array<{ title: string; url: string }>;
          pages = new Map(items.map((s) => [s.title, s.url]));
          list.replaceChildren(
            ...items.map((s) => {
              const o = document.createElement('option');
              o.value = s.title;
              o.label = 'Open paper';
              return o;
            }),
          );
        } catch {
          /* aborted by the next keystroke, or offline */
        }
      }, 150);
    });
    // Enter on a value that is exactly a suggested title opens the paper too.
    input.form?.addEventListener('submit', (e) => {
      if (openPicked()) e.preventDefault();
    });
  }
}
