/**
 * Cutover windows: the next weekly maintenance window of a business group, in its own time zone,
 * that is not on a blackout date. Time-zone offsets come from Intl (the runtime's tz database), which
 * is deterministic for a given instant, so the planner stays pure.
 */
import { weekdays, type Blackout, type MaintenanceWindow } from './plan-options.ts';

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetMs(utcMs: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const part = (type: string) => Number(f.formatToParts(utcMs).find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** The UTC instant of a wall-clock time in a time zone (the later one when a DST change repeats it). */
export function zonedToUtc(date: string, time: string, timeZone: string): number {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const [hh = 0, mm = 0] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  return guess;
}

/** Calendar date (YYYY-MM-DD) of an instant in a time zone. */
export const localDate = (utcMs: number, timeZone: string): string =>
  new Date(utcMs + offsetMs(utcMs, timeZone)).toISOString().slice(0, 10);

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

/** The earliest window of the business group opening at or after `notBeforeMs`; searches a year ahead. */
export function nextWindow(
  notBeforeMs: number,
  businessGroup: string,
  windows: readonly MaintenanceWindow[],
  blackouts: readonly Blackout[],
): { start: number; end: number; timeZone: string } | undefined {
  let best: { start: number; end: number; timeZone: string } | undefined;
  for (const w of windowsFor(businessGroup, windows)) {
    const first = Date.parse(localDate(notBeforeMs, w.timeZone));
    for (let day = 0; day <= 366; day += 1) {
      const date = new Date(first + day * DAY_MS).toISOString().slice(0, 10);
      const weekday = weekdays[new Date(first + day * DAY_MS).getUTCDay()];
      if (weekday === undefined || !w.days.includes(weekday)) continue;
      if (blackedOut(date, businessGroup, blackouts) !== undefined) continue;
      const start = zonedToUtc(date, w.start, w.timeZone);
      if (start < notBeforeMs) continue;
      if (best === undefined || start < best.start)
        best = { start, end: start + w.hours * 3_600_000, timeZone: w.timeZone };
      break;
    }
  }
  return best;
}
