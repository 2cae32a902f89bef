import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { feedDayOf, isNewAnnouncement, listingDayForDatestamp, listingDayForSubmission } from '../../src/domain/announcement.ts';

// November 2025: Mon 17, Tue 18, Wed 19, Thu 20, Fri 21, Sat 22, Sun 23, Mon 24. EST is UTC-5.
describe('listingDayForSubmission (America/New_York)', () => {
  const cases: [string, string, string][] = [
    ['2025-11-17T18:59:00Z', '2025-11-18', 'Monday 13:59 ET: announced Monday evening, Tuesday listing'],
    ['2025-11-17T19:00:00Z', '2025-11-19', 'Monday 14:00 ET: misses the deadline, Wednesday listing'],
    ['2025-11-20T18:00:00Z', '2025-11-21', 'Thursday 13:00 ET: Friday listing'],
    ['2025-11-20T20:00:00Z', '2025-11-24', 'Thursday 15:00 ET: announced Sunday evening, Monday listing'],
    ['2025-11-21T18:00:00Z', '2025-11-24', 'Friday 13:00 ET: Monday listing'],
    ['2025-11-21T20:00:00Z', '2025-11-25', 'Friday 15:00 ET: waits for Monday deadline, Tuesday listing'],
    ['2025-11-22T15:00:00Z', '2025-11-25', 'Saturday: Tuesday listing'],
    ['2025-11-24T04:30:00Z', '2025-11-25', 'Sunday 23:30 ET (Monday in UTC): Tuesday listing'],
    ['2025-11-18T02:00:00Z', '2025-11-19', 'Monday 21:00 ET (Tuesday in UTC) is after the Monday deadline: Wednesday listing'],
  ];
  for (const [at, day, why] of cases) {
    test(why, () => assert.equal(listingDayForSubmission(new Date(at)), day));
  }

  test('daylight saving time: the deadline stays 14:00 New York time (EDT, UTC-4)', () => {
    // Wed 2025-07-16 13:30 EDT = 17:30 UTC; 14:30 EDT = 18:30 UTC.
    assert.equal(listingDayForSubmission(new Date('2025-07-16T17:30:00Z')), '2025-07-17');
    assert.equal(listingDayForSubmission(new Date('2025-07-16T18:30:00Z')), '2025-07-18');
  });

  test('never a weekend', () => {
    for (let h = 0; h < 24 * 14; h += 1) {
      const day = listingDayForSubmission(new Date(Date.UTC(2025, 10, 15, h)));
      const w = new Date(`${day}T12:00:00Z`).getUTCDay();
      assert.ok(w >= 1 && w <= 5, `${day} is a weekday`);
    }
  });
});

describe('listingDayForDatestamp', () => {
  test('a weekday datestamp is its listing day; a weekend one belongs to Monday', () => {
    assert.equal(listingDayForDatestamp('2025-11-18'), '2025-11-18');
    assert.equal(listingDayForDatestamp('2025-11-21'), '2025-11-21');
    assert.equal(listingDayForDatestamp('2025-11-22'), '2025-11-24');
    assert.equal(listingDayForDatestamp('2025-11-23'), '2025-11-24');
  });
  test('rejects what is not a day', () => assert.throws(() => listingDayForDatestamp('2025-11-2'), RangeError));
});

describe('isNewAnnouncement', () => {
  test('created just before the datestamp and never replaced', () => {
    assert.equal(isNewAnnouncement({ datestamp: '2025-11-18', createdDay: '2025-11-17', replaced: false }), true);
    assert.equal(isNewAnnouncement({ datestamp: '2025-11-24', createdDay: '2025-11-20', replaced: false }), true);
  });
  test('a replacement, or an old paper whose metadata changed, is not new', () => {
    assert.equal(isNewAnnouncement({ datestamp: '2025-11-18', createdDay: '2025-11-17', replaced: true }), false);
    assert.equal(isNewAnnouncement({ datestamp: '2025-11-18', createdDay: '2014-12-29', replaced: false }), false);
    assert.equal(isNewAnnouncement({ datestamp: '2025-11-18', createdDay: null, replaced: false }), false);
  });
});

describe('feedDayOf', () => {
  test('arXiv format: the datestamp of a new, never-replaced record', () => {
    assert.equal(feedDayOf({ datestamp: '2025-11-22', createdDay: '2025-11-21', replaced: false }), '2025-11-24');
    assert.equal(feedDayOf({ datestamp: '2025-11-18', createdDay: '2025-11-17', replaced: true }), null);
  });
  test('arXivRaw: the first version\'s submission time decides, even after a quick replacement', () => {
    assert.equal(feedDayOf({ datestamp: '2025-11-19', createdDay: '2025-11-17', replaced: true, submittedAt: '2025-11-17T15:20:00.000Z' }), '2025-11-18');
    assert.equal(feedDayOf({ datestamp: '2025-11-19', createdDay: '2020-01-01', replaced: true, submittedAt: '2020-01-01T10:00:00.000Z' }), null);
  });
});
