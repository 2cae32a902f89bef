/**
 * Calendar periods the feed is read by: a day (`2025-08-01`), an ISO 8601 week (`2025-W31`,
 * Monday to Sunday; week 1 holds the year's first Thursday) or a month (`2025-08`). Pure: dates
 * are ISO strings, computed in UTC. Shared by the API (`?date=|week=|month=`) and the pages
 * (`/papers/week/2025-W31`).
 */
export type PeriodKind = 'day' | 'week' | 'month';

export interface Period {
  kind: PeriodKind;
  /** The period's own name: `2025-08-01`, `2025-W31`, `2025-08`. */
  label: string;
  /** First and last day, inclusive, `YYYY-MM-DD`. */
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);

/** `YYYY-MM-DD` plus `n` days (negative goes back). */
export function addDays(day: string, n: number): string {
  return iso(Date.parse(`${day.slice(0, 10)}T00:00:00Z`) + n * DAY_MS);
}

/** `2025-08-01` → that day, or null when it is not a real calendar date. */
export function parseDay(s: string): Period | null {
  const m = DAY_RE.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = utc(y, mo, d);
  if (iso(ms) !== s) return null;
  return { kind: 'day', label: s, from: s, to: s };
}

/** Monday of ISO week 1 of `year`: the week that holds January 4th. */
function isoWeekOneMonday(year: number): number {
  const jan4 = utc(year, 1, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  return jan4 - weekday * DAY_MS;
}

/** 52 or 53: a year has 53 ISO weeks when it starts on a Thursday, or is a leap year starting on a Wednesday. */
export function isoWeeksInYear(year: number): number {
  return Math.round((isoWeekOneMonday(year + 1) - isoWeekOneMonday(year)) / (7 * DAY_MS));
}

/** `2025-W31` → Monday 2025-07-28 to Sunday 2025-08-03, or null (bad form, week 0 or past the year's last week). */
export function parseWeek(s: string): Period | null {
  const m = WEEK_RE.exec(s);
  if (!m) return null;
  const [year, week] = [Number(m[1]), Number(m[2])];
  if (week < 1 || week > isoWeeksInYear(year)) return null;
  const monday = isoWeekOneMonday(year) + (week - 1) * 7 * DAY_MS;
  return { kind: 'week', label: s, from: iso(monday), to: iso(monday + 6 * DAY_MS) };
}

/** `2025-02` → 2025-02-01 to 2025-02-28, or null. */
export function parseMonth(s: string): Period | null {
  const m = MONTH_RE.exec(s);
  if (!m) return null;
  const [y, mo] = [Number(m[1]), Number(m[2])];
  if (mo < 1 || mo > 12) return null;
  return { kind: 'month', label: s, from: iso(utc(y, mo, 1)), to: iso(utc(y, mo + 1, 1) - DAY_MS) };
}

export function parsePeriod(kind: PeriodKind, s: string): Period | null {
  return kind === 'day' ? parseDay(s) : kind === 'week' ? parseWeek(s) : parseMonth(s);
}

/** The ISO week a day belongs to (`2021-01-01` → `2020-W53`). */
export function isoWeekOf(day: string): string {
  const ms = Date.parse(`${day.slice(0, 10)}T00:00:00Z`);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7;
  const thursday = ms + (3 - weekday) * DAY_MS; // the week's Thursday decides its year
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - isoWeekOneMonday(year)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The period of the same kind that holds `day`. */
export function periodOf(kind: PeriodKind, day: string): Period {
  const d = day.slice(0, 10);
  const label = kind === 'day' ? d : kind === 'week' ? isoWeekOf(d) : d.slice(0, 7);
  return parsePeriod(kind, label)!;
}

/** The period just before (-1) or after (+1) `p`, of the same kind. */
export function shiftPeriod(p: Period, step: -1 | 1): Period {
  if (p.kind === 'month') {
    const [y, m] = p.label.split('-').map(Number);
    const ms = utc(y, m + step, 1);
    return parseMonth(iso(ms).slice(0, 7))!;
  }
  const anchor = Date.parse(`${step < 0 ? p.from : p.to}T00:00:00Z`) + step * DAY_MS;
  return periodOf(p.kind, iso(anchor));
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A heading for the period: "Friday, August 1, 2025", "Week 31, 2025 (Jul 28 – Aug 3)", "August 2025". */
export function periodHeading(p: Period): string {
  const d = new Date(`${p.from}T00:00:00Z`);
  if (p.kind === 'month') return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  if (p.kind === 'week') {
    const short = (s: string) => {
      const x = new Date(`${s}T00:00:00Z`);
      return `${MONTHS[x.getUTCMonth()].slice(0, 3)} ${x.getUTCDate()}`;
    };
    return `Week ${Number(p.label.slice(6))}, ${p.label.slice(0, 4)} (${short(p.from)} – ${short(p.to)})`;
  }
  return `${WEEKDAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}
