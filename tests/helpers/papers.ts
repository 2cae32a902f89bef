import { completePaper } from '../../src/domain/complete-paper.ts';
import type { Paper, PaperInput } from '../../src/domain/paper.ts';

let n = 0;

/** A valid arXiv paper for tests; override what the test is about. */
export function makePaper(over: Partial<PaperInput> = {}): Paper {
  n++;
  const id = over.id ?? `2501.${String(10000 + n).padStart(5, '0')}`;
  return completePaper({
    id,
    source: 'arxiv',
    version: 1,
    title: `A study of test paper ${n}`,
    abstract: `We study paper number ${n}. It is a fixture.`,
    authors: ['Ada Lovelace', 'Alan Turing'],
    categories: ['cs.LG'],
    primaryCategory: 'cs.LG',
    publishedAt: '2025-01-15',
    updatedAt: null,
    comment: null,
    journalRef: null,
    doi: null,
    license: null,
    ...over,
  });
}
