import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDays, isoWeekOf, isoWeeksInYear, parseDay, parseMonth, parsePeriod, parseWeek, periodHeading, periodOf, shiftPeriod } from '../../src/domain/period.ts';

test('ISO weeks run Monday to Sunday and week 1 holds the first Thursday', () => {
  assert.deepEqual(parseWeek('2025-W31'), { kind: 'week', label: '2025-W31', from: '2025-07-28', to: '2025-08-03' });
  // 2025-01-01 is a Wednesday: week 1 starts in the previous December.
  assert.deepEqual(parseWeek('2025-W01'), { kind: 'week', label: '2025-W01', from: '2024-12-30', to: '2025-01-05' });
  // 2021-01-01 is a Friday: week 1 starts on January 4th.
  assert.equal(parseWeek('2021-W01')?.from, '2021-01-04');
  assert.deepEqual(parseWeek('2020-W53'), { kind: 'week', label: '2020-W53', from: '2020-12-28', to: '2021-01-03' });
});

test('only real weeks parse: W00, a 53rd week in a 52-week year and bad forms are null', () => {
  assert.equal(isoWeeksInYear(2020), 53); // leap year starting on a Wednesday
  assert.equal(isoWeeksInYear(2015), 53); // starts on a Thursday
  assert.equal(isoWeeksInYear(2025), 52);
  assert.equal(parseWeek('2025-W53'), null);
  assert.equal(parseWeek('2025-W00'), null);
  assert.equal(parseWeek('2025-W1'), null);
  assert.equal(parseWeek('2025W31'), null);
  assert.equal(isoWeeksInYear(2026), 53); // starts on a Thursday
  assert.ok(parseWeek('2027-W53') === null && parseWeek('2027-W52') !== null);
});

test('isoWeekOf is the inverse of parseWeek, across year boundaries', () => {
  assert.equal(isoWeekOf('2021-01-01'), '2020-W53');
  assert.equal(isoWeekOf('2024-12-30'), '2025-W01');
  assert.equal(isoWeekOf('2025-08-03'), '2025-W31');
  assert.equal(isoWeekOf('2025-08-04'), '2025-W32');
  // Every day of several years lands in a week whose range holds it.
  for (let ms = Date.UTC(2019, 11, 1); ms < Date.UTC(2027, 1, 1); ms += 86_400_000) {
    const day = new Date(ms).toISOString().slice(0, 10);
    const w = parseWeek(isoWeekOf(day));
    assert.ok(w && w.from <= day && day <= w.to, day);
  }
});

test('days and months validate the calendar', () => {
  assert.deepEqual(parseDay('2024-02-29'), { kind: 'day', label: '2024-02-29', from: '2024-02-29', to: '2024-02-29' });
  assert.equal(parseDay('2025-02-29'), null);
  assert.equal(parseDay('2025-13-01'), null);
  assert.equal(parseDay('2025-8-1'), null);
  assert.deepEqual(parseMonth('2024-02'), { kind: 'month', label: '2024-02', from: '2024-02-01', to: '2024-02-29' });
  assert.equal(parseMonth('2025-12')?.to, '2025-12-31');
  assert.equal(parseMonth('2025-00'), null);
  assert.equal(parseMonth('2025-13'), null);
  assert.equal(parsePeriod('week', '2025-08'), null);
});

test('periodOf and shiftPeriod step through weeks, months and days', () => {
  assert.equal(periodOf('week', '2025-08-01').label, '2025-W31');
  assert.equal(periodOf('month', '2025-08-01').label, '2025-08');
  assert.equal(shiftPeriod(parseWeek('2025-W01')!, -1).label, '2024-W52');
  assert.equal(shiftPeriod(parseWeek('2020-W53')!, 1).label, '2021-W01');
  assert.equal(shiftPeriod(parseMonth('2025-01')!, -1).label, '2024-12');
  assert.equal(shiftPeriod(parseMonth('2025-12')!, 1).label, '2026-01');
  assert.equal(shiftPeriod(parseDay('2025-03-01')!, -1).label, '2025-02-28');
});

test('ISO weeks follow the Thursday rule at year ends', () => {
  assert.equal(isoWeekOf('2021-01-03'), '2020-W53');
  assert.equal(isoWeekOf('2026-01-01'), '2026-W01');
  assert.deepEqual(parsePeriod('week', '2020-W53'), { kind: 'week', label: '2020-W53', from: '2020-12-28', to: '2021-01-03' });
  assert.equal(parsePeriod('week', '2021-W53'), null, '2021 has 52 weeks');
});

test('months are real calendar ranges; headings read well', () => {
  assert.deepEqual(parsePeriod('month', '2024-02'), { kind: 'month', label: '2024-02', from: '2024-02-01', to: '2024-02-29' });
  assert.equal(parsePeriod('month', '2024-13'), null);
  assert.equal(periodOf('month', '2025-08-17').label, '2025-08');
  assert.equal(periodHeading(parsePeriod('day', '2025-08-01')!), 'Friday, August 1, 2025');
  assert.equal(periodHeading(parsePeriod('week', '2025-W31')!), 'Week 31, 2025 (Jul 28 – Aug 3)');
  assert.equal(periodHeading(parsePeriod('month', '2025-08')!), 'August 2025');
});

test('addDays crosses months, years and leap days both ways', () => {
  assert.equal(addDays('2024-02-28', 1), '2024-02-29');
  assert.equal(addDays('2025-02-28', 1), '2025-03-01');
  assert.equal(addDays('2025-01-01', -1), '2024-12-31');
  assert.equal(addDays('2025-08-01', 0), '2025-08-01');
});
