import { addDays } from './period.ts';
/**
 * arXiv's daily rhythm, in America/New_York: submissions close at 14:00 ET on weekdays and are
 * announced at 20:00 ET the same evening, Sunday to Thursday (Friday's batch waits for Sunday).
 * Each announcement is the listing of the next weekday, so feed days are Monday to Friday and a
 * paper's feed day is the listing that first announced it. Holidays are not modelled.
 */
const ARXIV_TZ = 'America/New_York';
const DEADLINE_HOUR = 14;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: ARXIV_TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
});

/** The calendar day and hour of an instant on arXiv's clock. */
function newYorkDayAndHour(at: Date): { day: string; hour: number } {
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/** 0 = Sunday … 6 = Saturday, for a calendar day. */
export function weekday(day: string): number {
  return new Date(`${day}T12:00:00Z`).getUTCDay();
}

function isWeekend(day: string): boolean {
  const w = weekday(day);
  return w === 0 || w === 6;
}

/** The first weekday strictly after `day`. */
function nextWeekday(day: string): string {
  let d = addDays(day, 1);
  while (isWeekend(d)) d = addDays(d, 1);
  return d;
}

/** The listing (feed) day that announces a paper submitted at `submittedAt`. */
export function listingDayForSubmission(submittedAt: Date): string {
  if (Number.isNaN(submittedAt.getTime())) throw new RangeError('invalid submission time');
  const { day, hour } = newYorkDayAndHour(submittedAt);
  // The batch a submission joins closes at the next weekday deadline; that batch is the next weekday's listing.
  const closes = !isWeekend(day) && hour < DEADLINE_HOUR ? day : nextWeekday(day);
  return nextWeekday(closes);
}

/**
 * The listing day for an OAI-PMH datestamp (a UTC day). arXiv stamps records as it announces
 * them at 20:00 ET, which is already the next day in UTC: the datestamp is the listing day. A
 * record stamped on a weekend (maintenance, not an announcement) belongs to the next listing.
 */
export function listingDayForDatestamp(datestamp: string): string {
  if (!DAY.test(datestamp)) throw new RangeError(`not a day: ${JSON.stringify(datestamp)}`);
  return isWeekend(datestamp) ? nextWeekday(datestamp) : datestamp;
}

/** Whether a record stamped `datestamp` first appeared then: created shortly before and never replaced. */
export function isNewAnnouncement(opts: { datestamp: string; createdDay: string | null; replaced: boolean }): boolean {
  if (opts.replaced || !opts.createdDay || !DAY.test(opts.createdDay)) return false;
  const ageDays = (Date.parse(`${opts.datestamp}T00:00:00Z`) - Date.parse(`${opts.createdDay}T00:00:00Z`)) / 86_400_000;
  // A long weekend plus a holiday is the longest a new submission waits for its first listing.
  return ageDays >= 0 && ageDays <= 6;
}

/**
 * The feed day of a harvested record, or null when the record is not a new paper (a replacement
 * or a metadata change of an older one). With the first version's submission time (arXivRaw) the
 * day is computed from it, so a paper replaced before we first saw it still lands on the day it
 * was announced; otherwise the datestamp of a never-replaced record is its listing day.
 */
export function feedDayOf(record: { datestamp: string; createdDay: string | null; replaced: boolean; submittedAt?: string | null }): string | null {
  if (record.submittedAt) {
    const at = new Date(record.submittedAt);
    if (Number.isNaN(at.getTime())) return null;
    const createdDay = at.toISOString().slice(0, 10);
    return isNewAnnouncement({ datestamp: record.datestamp, createdDay, replaced: false }) ? listingDayForSubmission(at) : null;
  }
  return isNewAnnouncement(record) ? listingDayForDatestamp(record.datestamp) : null;
}
