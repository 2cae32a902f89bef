import type { Frequency } from './subscription.ts';
import { addDays, parseDay } from './period.ts';

export { addDays };

/**
 * Which feed days one digest covers. Daily digests go out on weekdays, like arXiv's listings: a
 * Monday digest covers Saturday to Monday, any other weekday just that day. Weekly digests go out
 * on Mondays and cover the seven days ending that Monday. Consecutive periods never overlap, so a
 * paper reaches a subscriber in at most one digest.
 */
export interface DigestPeriod {
  frequency: Frequency;
  /** The day the digest is for (YYYY-MM-DD), also its date in the subject. */
  date: string;
  /** First and last feed day covered, inclusive. */
  from: string;
  to: string;
  /** Unique per subscriber in the outbox: `daily:2025-08-01`. */
  key: string;
}

export function isIsoDay(s: string): boolean {
  return parseDay(s) !== null;
}


/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

/** The period of a digest sent on `date`, or null when no digest of that frequency goes out that day. */
export function digestPeriod(frequency: Frequency, date: string): DigestPeriod | null {
  const wd = weekday(date);
  if (frequency === 'daily') {
    if (wd === 0 || wd === 6) return null;
    const from = wd === 1 ? addDays(date, -2) : date;
    return { frequency, date, from, to: date, key: `daily:${date}` };
  }
  if (wd !== 1) return null;
  return { frequency, date, from: addDays(date, -6), to: date, key: `weekly:${date}` };
}

/** Every digest due on `date`: the daily one on weekdays, and the weekly one on Mondays. */
export function duePeriods(date: string): DigestPeriod[] {
  return (['daily', 'weekly'] as const).map((f) => digestPeriod(f, date)).filter((p): p is DigestPeriod => p !== null);
}

const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const formatted = new Map<string, string>();

/** Long form for subjects and headings: "Friday, 1 August 2025" (memoised: a digest run formats one day thousands of times). */
export function formatDay(day: string): string {
  let s = formatted.get(day);
  if (s === undefined) {
    s = DAY_FORMAT.format(new Date(`${day}T12:00:00Z`));
    if (formatted.size > 1000) formatted.clear();
    formatted.set(day, s);
  }
  return s;
}
