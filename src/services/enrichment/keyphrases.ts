import { isStopword } from '../../search/tokenize.ts';

/**
 * Offline key phrases (issue 17, when no LLM is configured): RAKE-style candidates — runs of
 * content words between stopwords and punctuation, one to four words — scored by tf-idf against
 * the corpus's document frequencies, so "neural network" loses to "sparse mixture-of-experts" on
 * an arXiv corpus even though both appear in the abstract.
 */
/** Words that are common in any abstract without saying what it is about. */
const ACADEMIC = new Set(
  (
    'paper work propose proposed proposes present presents presented show shows shown study studies studied result results approach approaches method methods ' +
    'novel new existing recent recently using based use used uses problem problems task tasks performance extensive experiments experiment experimental demonstrate ' +
    'demonstrates demonstrated significant significantly state art effective efficient framework address introduce introduces introduced achieve achieves ' +
    'achieved various different several well also however further first second one two three provide provides specifically ' +
    'furthermore moreover thus finally particular respectively paradigm code available github https http www com org including including wide range'
  ).split(' '),
);

/** A word as counted: lower case, letters, digits and inner hyphens. */
export function keyWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu) ?? []).filter((w) => w.length <= 40);
}

/** Verbs abstracts use between their noun phrases (no tagger offline: a list, and `-ly` adverbs). */
const VERBS = new Set(
  (
    'improve improves improved improving outperform outperforms outperformed enable enables enabled allow allows allowed yield yields yielded ' +
    'reduce reduces reduced increase increases increased require requires required remain remains leads lead led agree agrees agreed perform performs ' +
    'performed obtain obtains obtained consider considers considered develop develops developed evaluate evaluates evaluated apply applies applied ' +
    'learn learns train trains trained generate generates generated called named known make makes made find finds found reveal reveals revealed ' +
    'suggest suggests suggested compared compare compares leverage leverages leveraging capture captures captured exhibit exhibits exhibited'
  ).split(' '),
);

const isContent = (w: string) => w.length >= 2 && !isStopword(w) && !ACADEMIC.has(w) && !VERBS.has(w) && !/^\p{N}+$/u.test(w) && !(w.length > 4 && w.endsWith('ly'));

interface Phrase {
  words: string[];
  /** How it was written most often (keeps "LLM", "BERT", "GPT-4"). */
  surface: Map<string, number>;
  count: number;
  inTitle: boolean;
}

/** Splits text into candidate phrases (maximal runs of content words, at most four). */
function candidates(text: string, title: boolean, out: Map<string, Phrase>): void {
  // Math, URLs and brackets end a phrase as punctuation does.
  const cleaned = text.replace(/\$[^$]*\$/g, ' . ').replace(/https?:\/\/\S+/g, ' . ');
  for (const chunk of cleaned.split(/[.,;:!?()[\]{}"“”'‘’/\\|<>=+*&^%#@~`\n\r\t]+/)) {
    const tokens = chunk.match(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu) ?? [];
    let run: string[] = [];
    const flush = () => {
      for (let start = 0; start < run.length; start += 4) {
        const part = run.slice(start, start + 4);
        const ws = part.map((w) => w.toLowerCase());
        if (ws.length === 1 && ws[0].length < 3) continue;
        const key = ws.join(' ');
        let p = out.get(key);
        if (!p) out.set(key, (p = { words: ws, surface: new Map(), count: 0, inTitle: false }));
        p.count++;
        p.inTitle ||= title;
        const s = part.join(' ');
        p.surface.set(s, (p.surface.get(s) ?? 0) + 1);
      }
      run = [];
    };
    for (const t of tokens) {
      if (isContent(t.toLowerCase()) && t.length <= 40) run.push(t);
      else flush();
    }
    flush();
  }
}

export interface CorpusFrequencies {
  /** Documents in the corpus the frequencies were counted over. */
  docs: number;
  /** How many of them contain the word (lower case), 0 when none. */
  df(word: string): number;
}

/** The most telling phrases of a paper, best first, at most `limit`. */
export function keyphrases(title: string, abstract: string, corpus: CorpusFrequencies, limit = 8): string[] {
  const found = new Map<string, Phrase>();
  candidates(title, true, found);
  candidates(abstract, false, found);
  const idf = (w: string) => Math.log((corpus.docs + 1) / (corpus.df(w) + 1)) + 1;
  const scored = [...found.values()].map((p) => {
    const meanIdf = p.words.reduce((s, w) => s + idf(w), 0) / p.words.length;
    // Multi-word phrases are more specific; a phrase in the title says what the paper is about.
    const score = (1 + Math.log(p.count)) * meanIdf * (1 + 0.35 * (p.words.length - 1)) * (p.inTitle ? 1.6 : 1);
    const surface = [...p.surface.entries()].sort((a, b) => b[1] - a[1])[0][0];
    return { key: p.words.join(' '), surface, score, words: p.words };
  });
  scored.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
  const chosen: typeof scored = [];
  for (const s of scored) {
    if (chosen.length >= limit) break;
    // Not a part of a phrase already chosen, nor one that contains it.
    if (chosen.some((c) => ` ${c.key} `.includes(` ${s.key} `) || ` ${s.key} `.includes(` ${c.key} `))) continue;
    chosen.push(s);
  }
  return chosen.map((c) => (/\p{Lu}.*\p{Lu}|\p{N}/u.test(c.surface) ? c.surface : c.surface.toLowerCase()));
}
