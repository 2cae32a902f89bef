import type { Paper } from '../../domain/paper.ts';

/** One parsed line of an import file: the paper, and the feed day it belongs on (if the format says). */
export interface ImportRecord {
  paper: Paper;
  feedDay: string | null;
}

export class LineError extends Error {
  override name = 'LineError';
}

export interface ImportFormat {
  name: FormatName;
  /** Whether a parsed JSON object looks like this format (used to detect the format from the first line). */
  matches(obj: Record<string, unknown>): boolean;
  /** Parses one object; throws LineError with a reason a person can act on. */
  parse(obj: Record<string, unknown>, opts: { source: string }): ImportRecord;
}

export type FormatName = 'listing' | 'snapshot' | 'generic';
