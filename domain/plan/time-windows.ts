/**
 * Cutover windows: the next weekly maintenance window of a business group, in its own time zone, that
 * touches no blackout date. Time zones come from the runtime's tz database through Temporal (the
 * result for a given instant and zone is fixed, so the planner stays pure and deterministic); the
 * daylight-saving rules are explicit, the same in every zone:
 *
 * - A start time the clocks show twice (fall back) opens at the EARLIER instant, the first time the
 *   clocks read it. That is when the people told "Sunday 01:30" are on the bridge, and where the
 *   change's calendar invitation lands (RFC 5545 §3.3.5 takes the first occurrence too); waiting for
 *   the repeat would leave them idle an hour while every clock in the room says the window is open.
 * - A start time the clocks skip (spring forward) opens at the first instant after the gap, when the
 *   clocks jump past it (02:30 in New York or Berlin opens at 03:00 summer time): never before the
 *   configured time, and no later than needed.
 * - `hours` is elapsed time: a 4-hour window is 4 real hours even when the clocks change inside it
 *   (01:30 EDT + 4 h ends 04:30 EST). The planner's capacity (failovers per hour, ARM writes per
 *   second) is measured in real time, and so is the change's approved duration.
 * - Blackout dates are calendar dates in the window's zone; a window is skipped when any part of it
 *   falls on one (a Saturday-night window running into a blacked-out Sunday is skipped).
 */
import { Temporal } from 'temporal-polyfill';
import { weekdays, type Blackout, type MaintenanceWindow } from './plan-options.ts';

const HOUR_MS = 3_600_000;

/** A resolved window: epoch milliseconds for the schedule, local ISO date-times (with offset) for people. */
export interface ResolvedWindow {
  start: number;
  end: number;
  timeZone: string;
  /** e.g. 2026-11-01T01:30:00-04:00 */
  localStart: string;
  localEnd: string;
}

/** The instant a wall-clock time on a date opens in a zone, by the rules above. */
export function resolveLocalTime(
  date: Temporal.PlainDate | string,
  time: string,
  timeZone: string,
): Temporal.ZonedDateTime {
  const wall = Temporal.PlainDate.from(date, { overflow: 'reject' }).toPlainDateTime(
    Temporal.PlainTime.from(time, { overflow: 'reject' }),
  );
  const earlier = wall.toZonedDateTime(timeZone, { disambiguation: 'earlier' });
  if (Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), wall) === 0) return earlier;
  // In a gap 'earlier' lands before it (at the old offset); the next transition is where the gap ends.
  return earlier.getTimeZoneTransition('next') ?? wall.toZonedDateTime(timeZone, { disambiguation: 'later' });
}

/** Epoch milliseconds of a wall-clock time (YYYY-MM-DD, HH:MM) in a zone, resolved as `resolveLocalTime`. */
export const zonedToUtc = (date: string, time: string, timeZone: string): number =>
  resolveLocalTime(date, time, timeZone).epochMilliseconds;

const zoned = (utcMs: number, timeZone: string) =>
  Temporal.Instant.fromEpochMilliseconds(Math.floor(utcMs)).toZonedDateTimeISO(timeZone);

/** Calendar date (YYYY-MM-DD) of an instant in a time zone. */
export const localDate = (utcMs: number, timeZone: string): string =>
  zoned(utcMs, timeZone).toPlainDate().toString();

const withOffset = (at: Temporal.ZonedDateTime) =>
  at.toString({ timeZoneName: 'never', fractionalSecondDigits: 'auto' });

export const windowsFor = (businessGroup: string, windows: readonly MaintenanceWindow[]) => {
  const own = windows.filter((w) => w.businessGroup === businessGroup);
  return own.length > 0 ? own : windows.filter((w) => w.businessGroup === '*');
};

export function blackedOut(
  date: string,
  businessGroup: string,
  blackouts: readonly Blackout[],
): Blackout | undefined {
  return blackouts.find(
    (b) =>
      (b.businessGroup === undefined || b.businessGroup === businessGroup) && date >= b.from && date <= b.to,
  );
}

/** Local dates a window touches: its start date through the date of its last instant (the end is open). */
function datesTouched(start: Temporal.ZonedDateTime, end: Temporal.ZonedDateTime): string[] {
  const first = start.toPlainDate();
  const last = end.subtract({ nanoseconds: 1 }).toPlainDate();
  const dates: string[] = [];
  for (let d = first; Temporal.PlainDate.compare(d, last) <= 0; d = d.add({ days: 1 }))
    dates.push(d.toString());
  return dates;
}

/** The earliest window of the business group opening at or after `notBeforeMs`; searches a year ahead. */
export function nextWindow(
  notBeforeMs: number,
  businessGroup: string,
  windows: readonly MaintenanceWindow[],
  blackouts: readonly Blackout[],
): ResolvedWindow | undefined {
  let best: ResolvedWindow | undefined;
  for (const w of windowsFor(businessGroup, windows)) {
    const first = zoned(notBeforeMs, w.timeZone).toPlainDate();
    for (let day = 0; day <= 366; day += 1) {
      const date = first.add({ days: day });
      // Temporal numbers Monday 1 … Sunday 7; `weekdays` starts at Sunday.
      const weekday = weekdays[date.dayOfWeek % 7];
      if (weekday === undefined || !w.days.includes(weekday)) continue;
      const start = resolveLocalTime(date, w.start, w.timeZone);
      if (start.epochMilliseconds < notBeforeMs) continue;
      const end = start.add({ milliseconds: Math.round(w.hours * HOUR_MS) });
      if (datesTouched(start, end).some((d) => blackedOut(d, businessGroup, blackouts) !== undefined))
        continue;
      if (best === undefined || start.epochMilliseconds < best.start)
        best = {
          start: start.epochMilliseconds,
          end: end.epochMilliseconds,
          timeZone: w.timeZone,
          localStart: withOffset(start),
          localEnd: withOffset(end),
        };
      break;
    }
  }
  return best;
}
