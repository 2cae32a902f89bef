import { analyseWord, scanWords } from './tokenize.ts';

/**
 * British and American spellings of the same word ("recognising" / "recognizing", "analysed" /
 * "analyzed") stem apart under Porter ("recognis" / "recogn"), so a reader who writes one finds
 * none of the papers that use the other. arXiv abstracts mostly write -ize; readers describing a
 * paper in their own words often write -ise. Measured on the tuning halves of
 * bench/search-quality/meaning-set.json (BENCHMARKS "Search by meaning").
 *
 * Query side only: the index keeps each paper's own spelling, and a query word is searched as its
 * own stem plus the other spelling's stem when the corpus uses that one more (a paper that wrote
 * "-ise" itself still matches).
 */

/** -ise family → -ize family ("normalising" → "normalizing"); -yse family → -yze ("analysed" → "analyzed"). */
const ISE = /^(.{2,}[^aeiou])is(e|es|ed|ing|ation|ations|er|ers)$/;
const YSE = /^(.{2,})ys(e|es|ed|ing|er|ers)$/;

/** The other spelling of a word, or null when it has none of these endings. */
export function americanSpelling(word: string): string | null {
  const ise = ISE.exec(word);
  if (ise) return `${ise[1]}iz${ise[2]}`;
  const yse = YSE.exec(word);
  if (yse) return `${yse[1]}yz${yse[2]}`;
  return null;
}

/**
 * The index terms a query text is searched by: `tokenize(text)` (each word's stem, stopwords
 * dropped), with the stem of a word's other spelling added after it where `docFrequency` says the
 * corpus uses that one more often.
 */
export function queryTermsWithVariants(text: string, docFrequency: (stem: string) => number): string[] {
  const out: string[] = [];
  scanWords(text, (w) => {
    const stem = analyseWord(w);
    if (stem === null) return;
    out.push(stem);
    const alt = americanSpelling(w);
    const altStem = alt === null ? null : analyseWord(alt);
    if (altStem && altStem !== stem && docFrequency(altStem) > docFrequency(stem)) out.push(altStem);
  });
  return out;
}
