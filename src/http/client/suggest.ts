/** Search suggestions as you type: matching titles fill the input's <datalist>. */
export function setupSuggestions(): void {
  for (const input of Array.from(document.querySelectorAll<HTMLInputElement>('input[data-suggest]'))) {
    const list = document.getElementById(input.getAttribute('list') ?? '') as HTMLDataListElement | null;
    if (!list) continue;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = input.value.trim();
        if (q.length < 2) return list.replaceChildren();
        controller?.abort();
        controller = new AbortController();
        try {
          const res = await fetch(`/search/suggest?q=${encodeURIComponent(q)}`, { signal: controller.signal });
          if (!res.ok) return;
          const items = (await res.json()) as Array<{ title: string }>;
          list.replaceChildren(
            ...items.map((s) => {
              const o = document.createElement('option');
              o.value = s.title;
              return o;
            }),
          );
        } catch {
          /* aborted by the next keystroke, or offline */
        }
      }, 150);
    });
  }
}
