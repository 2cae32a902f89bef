/** The paper as the rest of Paperboy sees it: never a database row. */
export interface Paper {
  /** Canonical id: an arXiv id without version (`2401.01234`, `hep-th/9901001`) or `<source>:<id>`. */
  id: string;
  /** `arxiv` or the name of another source. */
  source: string;
  /** Latest known version number (arXiv), or null when the source has none. */
  version: number | null;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  primaryCategory: string | null;
  /** First-version date, ISO 8601 (date or date-time). */
  publishedAt: string | null;
  /** Last-updated date, ISO 8601. */
  updatedAt: string | null;
  comment: string | null;
  journalRef: string | null;
  doi: string | null;
  license: string | null;
  links: PaperLinks;
  /** Withdrawn at the source (OAI-PMH `status="deleted"`). */
  deleted: boolean;
}

export interface PaperLinks {
  abs: string | null;
  pdf: string | null;
  code: string[];
  project: string[];
}

/** A paper together with the community's numbers about it. */
export interface PaperWithStats extends Paper {
  upvotes: number;
  numComments: number;
  hidden: boolean;
}

export interface FeedEntry {
  day: string;
  paperId: string;
  position: number;
  submittedBy: string | null;
}

export interface FeedItem {
  entry: FeedEntry;
  paper: PaperWithStats;
}

/** Paper fields an import supplies; links and dates may be filled in by `completePaper`. */
export type PaperInput = Omit<Paper, 'links' | 'deleted'> & { links?: Partial<PaperLinks>; deleted?: boolean };
