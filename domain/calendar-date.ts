/**
 * Dates and date-times people type (CLI options, plan settings), parsed strictly: a calendar date is
 * exactly YYYY-MM-DD and must exist (no 2026-02-31 rolling over to March, no month 13), a date-time
 * names its offset (no guessing the machine's zone). Temporal does the calendar arithmetic; the
 * format regexes come first because Temporal also accepts forms nobody means to type (20260203,
 * +020000-01-01, lower-case t/z).
 */
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';

const calendarDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTimePattern =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A typed date or date-time that is not what the option or setting needs; the message names both. */
export class UserDateError extends Error {
  constructor(
    readonly label: string,
    readonly value: string,
    readonly problem: string,
  ) {
    super(`${label} ${value}: ${problem}`);
    this.name = 'UserDateError';
  }
}

/** Why `text` is not a calendar date written YYYY-MM-DD, or undefined when it is one. */
export function calendarDateProblem(text: string): string | undefined {
  const match = calendarDatePattern.exec(text);
  if (match === null) return 'not a date written YYYY-MM-DD (e.g. 2026-03-08)';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12) return `not a calendar date (there is no month ${match[2]})`;
  const daysInMonth = Temporal.PlainYearMonth.from({ year, month }).daysInMonth;
  if (day < 1 || day > daysInMonth)
    return `not a calendar date (${monthNames[month - 1]} ${match[1]} has ${daysInMonth} days)`;
  // The checks above are the whole rule; Temporal agreeing keeps them honest.
  Temporal.PlainDate.from(text, { overflow: 'reject' });
  return undefined;
}

/** `text` as a calendar date; `label` names the option or setting in the error (e.g. "--start"). */
export function parseCalendarDate(text: string, label: string): Temporal.PlainDate {
  const problem = calendarDateProblem(text);
  if (problem !== undefined) throw new UserDateError(label, text, problem);
  return Temporal.PlainDate.from(text, { overflow: 'reject' });
}

/** Zod schema of a stored or hand-edited calendar date (plan settings); the issue names the value. */
export const calendarDateSchema = z.string().superRefine((text, context) => {
  const problem = calendarDateProblem(text);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: `${text}: ${problem}` });
});

export interface InstantBounds {
  /** Refused at or before this instant (typically now). */
  after: Temporal.Instant;
  /** Refused after this instant. */
  notAfter: Temporal.Instant;
  /** How the upper bound reads in an error, e.g. "2 years from now". */
  notAfterText: string;
}

/**
 * `text` as an instant: YYYY-MM-DDTHH:MM[:SS[.fff]] with Z or ±HH:MM, a real calendar date, inside
 * `bounds`. A date-time without an offset is refused rather than read in this machine's zone.
 */
export function parseInstant(text: string, label: string, bounds: InstantBounds): Temporal.Instant {
  const match = dateTimePattern.exec(text);
  if (match === null)
    throw new UserDateError(
      label,
      text,
      'not an ISO date-time with an offset (e.g. 2026-12-05T22:00:00Z or 2026-12-05T23:00:00+01:00)',
    );
  const dateProblem = calendarDateProblem(match[1] ?? '');
  if (dateProblem !== undefined) throw new UserDateError(label, text, dateProblem);
  const instant = Temporal.Instant.from(text);
  if (Temporal.Instant.compare(instant, bounds.after) <= 0)
    throw new UserDateError(label, text, `not in the future (now is ${bounds.after.toString()})`);
  if (Temporal.Instant.compare(instant, bounds.notAfter) > 0)
    throw new UserDateError(
      label,
      text,
      `more than ${bounds.notAfterText} (after ${bounds.notAfter.toString()})`,
    );
  return instant;
}

/** Bounds for a date-time an operator moves something to: after now, at most two years ahead. */
export function withinTwoYears(nowEpochMs: number): InstantBounds {
  const now = Temporal.Instant.fromEpochMilliseconds(Math.floor(nowEpochMs));
  return {
    after: now,
    notAfter: now.toZonedDateTimeISO('UTC').add({ years: 2 }).toInstant(),
    notAfterText: '2 years from now',
  };
}

/**
 * Whether the runtime's time-zone database knows `name` (an IANA name such as Europe/Berlin, or UTC).
 * Fixed offsets (+01:00) are refused: a window in one would silently ignore daylight saving.
 */
export function isTimeZone(name: string): boolean {
  if (/^[+-]/.test(name)) return false;
  try {
    Temporal.ZonedDateTime.from({ year: 2000, month: 1, day: 1, timeZone: name });
    return true;
  } catch {
    return false;
  }
}
