/**
 * Maintenance windows across daylight-saving changes. 2026 transitions (local time):
 * - America/New_York: spring 8 Mar 02:00 EST → 03:00 EDT; fall 1 Nov 02:00 EDT → 01:00 EST.
 * - Europe/Berlin: spring 29 Mar 02:00 CET → 03:00 CEST; fall 25 Oct 03:00 CEST → 02:00 CET.
 * - Australia/Sydney (southern hemisphere): fall 5 Apr 03:00 AEDT → 02:00 AEST; spring 4 Oct 02:00 AEST → 03:00 AEDT.
 * - America/Santiago (changes at midnight): fall 5 Apr 00:00 → 4 Apr 23:00; spring 6 Sep 00:00 → 01:00.
 * - Asia/Kolkata: no daylight saving.
 */
import { describe, expect, it } from 'vitest';
import type { Blackout, MaintenanceWindow } from '../../domain/plan/plan-options.ts';
import { estateOf, planOf } from './plan-fixtures.ts';
import { localDate, nextWindow, resolveLocalTime, zonedToUtc } from '../../domain/plan/time-windows.ts';

const opens = (date: string, time: string, timeZone: string) => {
  const at = resolveLocalTime(date, time, timeZone);
  return [at.toString({ timeZoneName: 'never' }), at.toInstant().toString()];
};

const windowOf = (
  timeZone: string,
  start: string,
  hours: number,
  days: MaintenanceWindow['days'] = ['Sun'],
): MaintenanceWindow => ({ businessGroup: '*', timeZone, days, start, hours });

/** The first window at or after `notBefore` (an ISO instant), as local and UTC ISO strings. */
function first(
  notBefore: string,
  windows: MaintenanceWindow[],
  blackouts: Blackout[] = [],
  group = 'Finance',
) {
  const found = nextWindow(Date.parse(notBefore), group, windows, blackouts);
  if (found === undefined) throw new Error('no window found');
  return {
    local: [found.localStart, found.localEnd],
    utc: [new Date(found.start).toISOString(), new Date(found.end).toISOString()],
    timeZone: found.timeZone,
  };
}

describe('a start time the clocks show twice (fall back) opens at the earlier instant', () => {
  it.each([
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01T01:30:00-04:00', '2026-11-01T05:30:00Z'],
    ['America/New_York', '2026-11-01', '01:00', '2026-11-01T01:00:00-04:00', '2026-11-01T05:00:00Z'],
    ['Europe/Berlin', '2026-10-25', '02:30', '2026-10-25T02:30:00+02:00', '2026-10-25T00:30:00Z'],
    ['Australia/Sydney', '2026-04-05', '02:30', '2026-04-05T02:30:00+11:00', '2026-04-04T15:30:00Z'],
    ['America/Santiago', '2026-04-04', '23:30', '2026-04-04T23:30:00-03:00', '2026-04-05T02:30:00Z'],
  ])('%s %s %s', (timeZone, date, time, local, utc) => {
    expect(opens(date, time, timeZone)).toEqual([local, utc]);
  });

  it('leaves the times around the repeated hour alone', () => {
    // New York repeats 01:00–02:00; 02:30 happens once, in standard time.
    expect(opens('2026-11-01', '02:30', 'America/New_York')).toEqual([
      '2026-11-01T02:30:00-05:00',
      '2026-11-01T07:30:00Z',
    ]);
    // Berlin repeats 02:00–03:00; 01:30 happens once, in summer time.
    expect(opens('2026-10-25', '01:30', 'Europe/Berlin')).toEqual([
      '2026-10-25T01:30:00+02:00',
      '2026-10-24T23:30:00Z',
    ]);
    expect(opens('2026-04-05', '01:30', 'Australia/Sydney')).toEqual([
      '2026-04-05T01:30:00+11:00',
      '2026-04-04T14:30:00Z',
    ]);
  });
});

describe('a start time the clocks skip (spring forward) opens at the first instant after the gap', () => {
  it.each([
    ['America/New_York', '2026-03-08', '02:30', '2026-03-08T03:00:00-04:00', '2026-03-08T07:00:00Z'],
    ['America/New_York', '2026-03-08', '02:00', '2026-03-08T03:00:00-04:00', '2026-03-08T07:00:00Z'],
    ['Europe/Berlin', '2026-03-29', '02:30', '2026-03-29T03:00:00+02:00', '2026-03-29T01:00:00Z'],
    ['Australia/Sydney', '2026-10-04', '02:30', '2026-10-04T03:00:00+11:00', '2026-10-03T16:00:00Z'],
    ['America/Santiago', '2026-09-06', '00:30', '2026-09-06T01:00:00-03:00', '2026-09-06T04:00:00Z'],
  ])('%s %s %s', (timeZone, date, time, local, utc) => {
    expect(opens(date, time, timeZone)).toEqual([local, utc]);
  });

  it('the same way in every zone: never before the configured time, never later than the gap end', () => {
    for (const [timeZone, date] of [
      ['America/New_York', '2026-03-08'],
      ['Europe/Berlin', '2026-03-29'],
      ['Australia/Sydney', '2026-10-04'],
    ] as const) {
      const at = resolveLocalTime(date, '02:30', timeZone);
      expect(at.toPlainDateTime().toString()).toBe(`${date}T03:00:00`);
      // The instant is the transition itself: a minute earlier the clocks read 01:59.
      expect(at.subtract({ minutes: 1 }).toPlainTime().toString()).toBe('01:59:00');
    }
  });

  it('leaves 01:30 before the gap alone', () => {
    expect(opens('2026-03-08', '01:30', 'America/New_York')).toEqual([
      '2026-03-08T01:30:00-05:00',
      '2026-03-08T06:30:00Z',
    ]);
    expect(opens('2026-03-29', '01:30', 'Europe/Berlin')).toEqual([
      '2026-03-29T01:30:00+01:00',
      '2026-03-29T00:30:00Z',
    ]);
    expect(opens('2026-10-04', '01:30', 'Australia/Sydney')).toEqual([
      '2026-10-04T01:30:00+10:00',
      '2026-10-03T15:30:00Z',
    ]);
  });
});

describe('a zone without daylight saving', () => {
  it('keeps its offset on the other zones’ transition Sundays', () => {
    expect(opens('2026-03-08', '02:30', 'Asia/Kolkata')).toEqual([
      '2026-03-08T02:30:00+05:30',
      '2026-03-07T21:00:00Z',
    ]);
    expect(opens('2026-11-01', '01:30', 'Asia/Kolkata')).toEqual([
      '2026-11-01T01:30:00+05:30',
      '2026-10-31T20:00:00Z',
    ]);
  });
});

describe('nextWindow: windows on and across the transition Sundays', () => {
  it.each([
    // [zone, start, hours, searched from, local start, local end, UTC start, UTC end]
    [
      'America/New_York',
      '01:30',
      4,
      '2026-10-30T00:00:00Z',
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T04:30:00-05:00',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T09:30:00.000Z',
    ],
    [
      'America/New_York',
      '02:30',
      4,
      '2026-03-06T00:00:00Z',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T07:00:00-04:00',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T11:00:00.000Z',
    ],
    [
      'Europe/Berlin',
      '02:30',
      4,
      '2026-10-23T00:00:00Z',
      '2026-10-25T02:30:00+02:00',
      '2026-10-25T05:30:00+01:00',
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T04:30:00.000Z',
    ],
    [
      'Europe/Berlin',
      '02:30',
      4,
      '2026-03-27T00:00:00Z',
      '2026-03-29T03:00:00+02:00',
      '2026-03-29T07:00:00+02:00',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T05:00:00.000Z',
    ],
    [
      'Australia/Sydney',
      '02:30',
      2,
      '2026-04-01T00:00:00Z',
      '2026-04-05T02:30:00+11:00',
      '2026-04-05T03:30:00+10:00',
      '2026-04-04T15:30:00.000Z',
      '2026-04-04T17:30:00.000Z',
    ],
    [
      'Australia/Sydney',
      '02:30',
      3,
      '2026-10-01T00:00:00Z',
      '2026-10-04T03:00:00+11:00',
      '2026-10-04T06:00:00+11:00',
      '2026-10-03T16:00:00.000Z',
      '2026-10-03T19:00:00.000Z',
    ],
  ])('%s Sunday %s for %d h', (timeZone, start, hours, from, localStart, localEnd, utcStart, utcEnd) => {
    const found = first(from, [windowOf(timeZone, start, hours)]);
    expect(found.local).toEqual([localStart, localEnd]);
    expect(found.utc).toEqual([utcStart, utcEnd]);
  });

  it('counts hours as elapsed time when the clocks change inside the window', () => {
    // Saturday 22:00 for 8 h: 8 real hours, 7 hours on the clock in the fall, 9 in the spring.
    const saturdayNight = windowOf('America/New_York', '22:00', 8, ['Sat']);
    expect(first('2026-10-30T00:00:00Z', [saturdayNight]).local).toEqual([
      '2026-10-31T22:00:00-04:00',
      '2026-11-01T05:00:00-05:00',
    ]);
    expect(first('2026-03-06T00:00:00Z', [saturdayNight]).local).toEqual([
      '2026-03-07T22:00:00-05:00',
      '2026-03-08T07:00:00-04:00',
    ]);
    const berlin = first('2026-10-23T00:00:00Z', [windowOf('Europe/Berlin', '22:00', 8, ['Sat'])]);
    expect(berlin.utc).toEqual(['2026-10-24T20:00:00.000Z', '2026-10-25T04:00:00.000Z']);
    expect(berlin.local[1]).toBe('2026-10-25T05:00:00+01:00');
  });

  it('opens at the searched-from instant itself, and skips a window already under way', () => {
    const window = windowOf('America/New_York', '01:30', 4);
    expect(first('2026-11-01T05:30:00Z', [window]).utc[0]).toBe('2026-11-01T05:30:00.000Z');
    // Ready at the second 01:30 (standard time): the first one is past, so the next Sunday.
    expect(first('2026-11-01T06:30:00Z', [window]).local[0]).toBe('2026-11-08T01:30:00-05:00');
  });

  it('accepts a fractional millisecond (the schedule computes ready times from byte rates)', () => {
    const found = first('2026-03-06T00:00:00Z', [windowOf('Asia/Kolkata', '02:30', 4)]);
    const fractional = nextWindow(
      Date.parse('2026-03-06T00:00:00Z') + 0.4,
      'Finance',
      [windowOf('Asia/Kolkata', '02:30', 4)],
      [],
    );
    expect(fractional?.localStart).toBe(found.local[0]);
    expect(found.local).toEqual(['2026-03-08T02:30:00+05:30', '2026-03-08T06:30:00+05:30']);
  });

  it('takes the earliest of a group’s windows in different zones, and falls back to the "*" windows', () => {
    const windows: MaintenanceWindow[] = [
      { ...windowOf('America/New_York', '02:30', 4), businessGroup: 'Finance' },
      { ...windowOf('Europe/Berlin', '02:30', 4), businessGroup: 'Finance' },
      windowOf('Asia/Kolkata', '01:00', 4, ['Mon']),
    ];
    const finance = first('2026-03-27T00:00:00Z', windows);
    expect(finance.timeZone).toBe('Europe/Berlin');
    expect(finance.local[0]).toBe('2026-03-29T03:00:00+02:00');
    const sales = first('2026-03-27T00:00:00Z', windows, [], 'Sales');
    expect(sales.local[0]).toBe('2026-03-30T01:00:00+05:30');
  });
});

describe('blackout dates are dates in the window’s zone', () => {
  it('skips a Sydney Sunday window that starts on the blacked-out local date (a Saturday in UTC)', () => {
    const window = windowOf('Australia/Sydney', '02:30', 2);
    const blackouts: Blackout[] = [{ from: '2026-04-05', to: '2026-04-05', reason: 'Easter freeze' }];
    const found = first('2026-04-01T00:00:00Z', [window], blackouts);
    expect(found.local[0]).toBe('2026-04-12T02:30:00+10:00');
    expect(found.utc[0]).toBe('2026-04-11T16:30:00.000Z');
    // A blackout on the UTC date (Saturday 4 April) does not touch the local Sunday window.
    const utcDate = first('2026-04-01T00:00:00Z', [window], [{ from: '2026-04-04', to: '2026-04-04' }]);
    expect(utcDate.local[0]).toBe('2026-04-05T02:30:00+11:00');
  });

  it('skips a window that runs into a blacked-out day, not one that ends at its midnight', () => {
    const sunday: Blackout[] = [{ from: '2026-11-01', to: '2026-11-01' }];
    const overnight = windowOf('America/New_York', '22:00', 8, ['Sat']);
    expect(first('2026-10-30T00:00:00Z', [overnight], sunday).local[0]).toBe('2026-11-07T22:00:00-05:00');
    const evening = windowOf('America/New_York', '20:00', 4, ['Sat']);
    expect(first('2026-10-30T00:00:00Z', [evening], sunday).local).toEqual([
      '2026-10-31T20:00:00-04:00',
      '2026-11-01T00:00:00-04:00',
    ]);
  });

  it('applies a group’s blackout only to that group, and covers every date from `from` to `to`', () => {
    const window = windowOf('Asia/Kolkata', '02:30', 4);
    const blackouts: Blackout[] = [{ from: '2026-03-08', to: '2026-03-15', businessGroup: 'Finance' }];
    expect(first('2026-03-06T00:00:00Z', [window], blackouts).local[0]).toBe('2026-03-22T02:30:00+05:30');
    expect(first('2026-03-06T00:00:00Z', [window], blackouts, 'Sales').local[0]).toBe(
      '2026-03-08T02:30:00+05:30',
    );
  });

  it('finds nothing when every window within a year is blacked out', () => {
    const blackouts: Blackout[] = [{ from: '2026-01-01', to: '2027-12-31' }];
    expect(
      nextWindow(Date.parse('2026-03-06T00:00:00Z'), 'Finance', [windowOf('UTC', '02:00', 4)], blackouts),
    ).toBeUndefined();
  });
});

describe('zonedToUtc and localDate (the planner’s millisecond helpers)', () => {
  it('follow the same rules', () => {
    expect(new Date(zonedToUtc('2026-11-01', '01:30', 'America/New_York')).toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    expect(new Date(zonedToUtc('2026-03-29', '02:30', 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    expect(localDate(Date.parse('2026-04-04T15:30:00Z'), 'Australia/Sydney')).toBe('2026-04-05');
    expect(localDate(Date.parse('2026-04-04T15:30:00Z'), 'America/New_York')).toBe('2026-04-04');
  });
});

describe('the planner', () => {
  it('schedules a cutover on the fall-back Sunday at the first 01:30 and records the local times', () => {
    const plan = planOf(estateOf([{ name: 'erp', vms: 1, group: 'Finance' }]), (o) => {
      o.start = '2026-10-26';
      o.schedule.validationDays = 0;
      o.schedule.maintenanceWindows = [
        { businessGroup: 'Finance', timeZone: 'America/New_York', days: ['Sun'], start: '01:30', hours: 4 },
      ];
    });
    const batch = plan.waves[0]?.batches[0];
    expect(batch?.cutoverWindow).toEqual({
      start: '2026-11-01T05:30:00.000Z',
      end: '2026-11-01T09:30:00.000Z',
    });
    expect(batch?.reasons.join('\n')).toContain(
      'first Finance maintenance window (2026-11-01T01:30:00-04:00 – 2026-11-01T04:30:00-05:00 America/New_York)',
    );
  });
});
