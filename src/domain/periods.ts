/**
 * Feed periods: a day (`2025-08-01`), an ISO week (`2025-W31`) or a month (`2025-08`), each a range
 * of days [from, to]. Pure date arithmetic in UTC.
 */
export type PeriodKind = 'date' | 'week' | 'month';

export interface Period {
  kind: PeriodKind;
  /** The period as it appears in URLs. */
  key: string;
  from: string;
  to: string;
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

const iso = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return iso(d);
}

/** A real calendar day in YYYY-MM-DD form, or null. */
export function parseDay(s: string): string | null {
  const m = DAY_RE.exec(s);
  if (!m) return null;
  const d = utc(+m[1], +m[2], +m[3]);
  return iso(d) === s && +m[1] >= 1000 ? s : null;
}

/** The ISO week (`YYYY-Www`) a day belongs to. */
export function weekOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - dow + 3); // the Thursday decides the year
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

function weekRange(key: string): [string, string] | null {
  const m = WEEK_RE.exec(key);
  if (!m) return null;
  const year = +m[1];
  const week = +m[2];
  if (week < 1 || week > 53) return null;
  const jan4 = utc(year, 1, 4);
  const monday = addDays(iso(jan4), -((jan4.getUTCDay() + 6) % 7) + (week - 1) * 7);
  if (weekOf(monday) !== key) return null; // week 53 in a 52-week year
  return [monday, addDays(monday, 6)];
}

function monthRange(key: string): [string, string] | null {
  const m = MONTH_RE.exec(key);
  if (!m || +m[2] < 1 || +m[2] > 12 || +m[1] < 1000) return null;
  const last = utc(+m[1], +m[2] + 1, 0);
  return [`${key}-01`, iso(last)];
}

/** Parses a period key of the given kind; null when it is not a valid period. */
export function parsePeriod(kind: PeriodKind, key: string): Period | null {
  if (kind === 'date') {
    const d = parseDay(key);
    return d ? { kind, key: d, from: d, to: d } : null;
  }
  const range = kind === 'week' ? weekRange(key) : monthRange(key);
  return range ? { kind, key, from: range[0], to: range[1] } : null;
}

/** The period of the given kind that contains a day. */
export function periodContaining(kind: PeriodKind, day: string): Period {
  const key = kind === 'date' ? day : kind === 'week' ? weekOf(day) : monthOf(day);
  return parsePeriod(kind, key)!;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A heading for the period: "Friday, August 1, 2025", "Week 31, 2025 (Jul 28 – Aug 3)", "August 2025". */
export function periodLabel(p: Period): string {
  const d = new Date(`${p.from}T00:00:00Z`);
  if (p.kind === 'month') return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  if (p.kind === 'week') {
    const short = (s: string) => {
      const x = new Date(`${s}T00:00:00Z`);
      return `${MONTHS[x.getUTCMonth()].slice(0, 3)} ${x.getUTCDate()}`;
    };
    return `Week ${+p.key.slice(6)}, ${p.key.slice(0, 4)} (${short(p.from)} – ${short(p.to)})`;
  }
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  return `${days[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}
