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
  /**
   * Parses one object; throws LineError with a reason a person can act on. `plainText`: every
   * string in `obj` is ASCII with no whitespace but the plain space and the newline (the line it
   * came from says so, `plainJsonLine`), passed on to `completePaper`; a format whose paper holds
   * text from anywhere else must not pass it on.
   */
  parse(obj: Record<string, unknown>, opts: { source: string; plainText?: boolean }): ImportRecord;
}

export type FormatName = 'listing' | 'snapshot' | 'generic';
