/** Title comparison for matching papers across sources (the demo set against an arXiv corpus). */

/** Accents, case, punctuation and spacing folded: "Attention Is All You Need!" → "attention is all you need". */
export function normaliseTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Character trigrams of a normalised string (with word boundaries), for fuzzy comparison. */
export function trigrams(s: string): Set<string> {
  const padded = ` ${s} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

/** Sørensen–Dice coefficient of two trigram sets: 1 for equal strings, 0 for nothing shared. */
export function diceSimilarity(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const t of small) if (large.has(t)) shared++;
  return (2 * shared) / (a.size + b.size);
}
