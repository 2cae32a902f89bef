import { analyseWord, scanWords } from '../../src/search/tokenize.ts';

/**
 * Each stem's surface words and their counts, over every third paper's title and abstract (words of
 * three letters or more, letters only): the document-expansion probes' candidate words, shared so
 * that `doc-expansion.ts` and `doc-expansion-ann.ts` compare the same lists.
 */
export function surfaceWords(corpus: ReadonlyArray<{ title: string; abstract: string }>): Map<string, Map<string, number>> {
  const surface = new Map<string, Map<string, number>>();
  for (let i = 0; i < corpus.length; i += 3)
    scanWords(`${corpus[i].title} ${corpus[i].abstract}`, (w) => {
      if (!/^[a-z]{3,}$/.test(w)) return;
      const s = analyseWord(w);
      if (!s) return;
      let m = surface.get(s);
      if (!m) surface.set(s, (m = new Map()));
      m.set(w, (m.get(w) ?? 0) + 1);
    });
  return surface;
}
