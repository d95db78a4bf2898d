/**
 * Strict dates wherever a person types one: the shared parser, the plan settings schema that uses it,
 * and each CLI option (`assess --as-of`, `plan --start`, `wave cutover --postpone`) failing as a usage
 * error (exit 2) that names the option and the value.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CommanderError, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ExitCode, toExit } from '../../cli/operate/exit-codes.ts';
import { runCutover } from '../../cli/operate/wave-actions.ts';
import {
  calendarDateProblem,
  calendarDateSchema,
  isTimeZone,
  parseCalendarDate,
  parseInstant,
  UserDateError,
  withinTwoYears,
} from '../../domain/calendar-date.ts';
import { defaultPlanOptions, planOptionsSchema, type PlanOptions } from '../../domain/plan/plan-options.ts';
import { readValidated } from '../../workspace/files.ts';
import { docsFormats, importInto } from '../assess/helpers.ts';

const root = resolve(import.meta.dirname, '../..');
const tempDir = () => mkdtempSync(join(tmpdir(), 'calendar-date-'));

describe('calendar dates (YYYY-MM-DD)', () => {
  it.each([
    ['2026-13-45', 'not a calendar date (there is no month 13)'],
    ['2026-00-10', 'not a calendar date (there is no month 00)'],
    ['2026-02-31', 'not a calendar date (February 2026 has 28 days)'],
    ['2026-02-29', 'not a calendar date (February 2026 has 28 days)'],
    ['2026-04-31', 'not a calendar date (April 2026 has 30 days)'],
    ['2026-01-00', 'not a calendar date (January 2026 has 31 days)'],
    // Forms Temporal would take but nobody means: basic format, extended years, a time, spaces.
    ['20260203', 'not a date written YYYY-MM-DD (e.g. 2026-03-08)'],
    ['+020000-01-01', 'not a date written YYYY-MM-DD (e.g. 2026-03-08)'],
    ['2026-2-3', 'not a date written YYYY-MM-DD (e.g. 2026-03-08)'],
    ['2026-02-03T00:00', 'not a date written YYYY-MM-DD (e.g. 2026-03-08)'],
    [' 2026-02-03', 'not a date written YYYY-MM-DD (e.g. 2026-03-08)'],
    ['', 'not a date written YYYY-MM-DD (e.g. 2026-03-08)'],
  ])('refuses %j: %s', (text, problem) => {
    expect(calendarDateProblem(text)).toBe(problem);
    expect(() => parseCalendarDate(text, '--start')).toThrow(`--start ${text}: ${problem}`);
  });

  it('accepts real dates, leap days included', () => {
    for (const text of ['2024-02-29', '2000-02-29', '2026-12-31', '2026-01-01'])
      expect(calendarDateProblem(text)).toBeUndefined();
    expect(calendarDateProblem('1900-02-29')).toBe('not a calendar date (February 1900 has 28 days)');
    const date = parseCalendarDate('2024-02-29', '--as-of');
    expect([date.year, date.month, date.day]).toEqual([2024, 2, 29]);
  });

  it('names the setting and value in a zod issue', () => {
    const result = calendarDateSchema.safeParse('2026-02-31');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      '2026-02-31: not a calendar date (February 2026 has 28 days)',
    );
  });
});

describe('date-times an operator moves something to', () => {
  const now = Date.parse('2026-06-15T12:00:00Z');
  const bounds = withinTwoYears(now);

  it('accepts an ISO date-time with Z or an offset, within two years', () => {
    expect(parseInstant('2026-12-05T22:00:00Z', '--postpone', bounds).toString()).toBe(
      '2026-12-05T22:00:00Z',
    );
    expect(parseInstant('2026-12-05T23:00+01:00', '--postpone', bounds).toString()).toBe(
      '2026-12-05T22:00:00Z',
    );
    expect(parseInstant('2028-06-15T12:00:00Z', '--postpone', bounds).toString()).toBe(
      '2028-06-15T12:00:00Z',
    );
  });

  it.each([
    ['+020000-01-01', 'not an ISO date-time with an offset'],
    ['+020000-01-01T00:00:00Z', 'not an ISO date-time with an offset'],
    ['2026-12-05', 'not an ISO date-time with an offset'],
    ['2026-12-05T22:00:00', 'not an ISO date-time with an offset'],
    ['Dec 5 2026 22:00 GMT', 'not an ISO date-time with an offset'],
    ['2026-12-05t22:00:00z', 'not an ISO date-time with an offset'],
    ['2026-12-05T24:00:00Z', 'not an ISO date-time with an offset'],
    ['2026-02-31T22:00:00Z', 'not a calendar date (February 2026 has 28 days)'],
    ['2026-06-15T12:00:00Z', 'not in the future (now is 2026-06-15T12:00:00Z)'],
    ['2025-12-05T22:00:00Z', 'not in the future'],
    ['2028-06-15T12:00:01Z', 'more than 2 years from now (after 2028-06-15T12:00:00Z)'],
    ['9999-12-31T23:59:59Z', 'more than 2 years from now'],
  ])('refuses %j: %s', (text, problem) => {
    expect(() => parseInstant(text, '--postpone', bounds)).toThrow(`--postpone ${text}: ${problem}`);
  });
});

describe('time zones in plan settings', () => {
  it('knows IANA names and refuses typos and fixed offsets', () => {
    expect(
      ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'].every(isTimeZone),
    ).toBe(true);
    expect(['Europe/Berln', 'America/Kolkata', '+01:00', '-05:00', ''].some(isTimeZone)).toBe(false);
  });
});

describe('plan settings (plan.json options)', () => {
  const issueOf = (edit: (o: PlanOptions) => void) => {
    const options = defaultPlanOptions('2026-03-02');
    edit(options);
    const result = planOptionsSchema.safeParse(options);
    const issue = result.error?.issues[0];
    return issue === undefined ? undefined : `${issue.path.join('.')}: ${issue.message}`;
  };

  it('accepts the defaults and a well-formed blackout', () => {
    expect(issueOf(() => undefined)).toBeUndefined();
    expect(
      issueOf((o) => (o.schedule.blackouts = [{ from: '2026-12-24', to: '2027-01-01', reason: 'year end' }])),
    ).toBeUndefined();
  });

  it('refuses a start or blackout date that is not on the calendar, naming where and what', () => {
    expect(issueOf((o) => (o.start = '2026-02-31'))).toBe(
      'start: 2026-02-31: not a calendar date (February 2026 has 28 days)',
    );
    expect(issueOf((o) => (o.schedule.blackouts = [{ from: '2026-12-24', to: '2026-13-01' }]))).toBe(
      'schedule.blackouts.0.to: 2026-13-01: not a calendar date (there is no month 13)',
    );
    expect(issueOf((o) => (o.schedule.blackouts = [{ from: '2026-4-1', to: '2026-04-02' }]))).toBe(
      'schedule.blackouts.0.from: 2026-4-1: not a date written YYYY-MM-DD (e.g. 2026-03-08)',
    );
  });

  it('refuses a blackout that ends before it starts, and a window in an unknown zone', () => {
    expect(issueOf((o) => (o.schedule.blackouts = [{ from: '2026-12-24', to: '2026-12-20' }]))).toBe(
      'schedule.blackouts.0.to: to 2026-12-20 is before from 2026-12-24',
    );
    expect(
      issueOf((o) => {
        const [window] = o.schedule.maintenanceWindows;
        if (window !== undefined) window.timeZone = 'Europe/Berln';
      }),
    ).toBe(
      'schedule.maintenanceWindows.0.timeZone: Europe/Berln: not an IANA time zone name (e.g. Europe/Berlin or UTC)',
    );
  });

  it('reports a hand-edited date with the file, the setting and the value', async () => {
    const dir = tempDir();
    const path = join(dir, 'options.json');
    const options = defaultPlanOptions('2026-03-02');
    options.schedule.blackouts = [{ from: '2026-04-30', to: '2026-04-31' }];
    writeFileSync(path, JSON.stringify(options));
    await expect(readValidated(path, planOptionsSchema, 'missing')).rejects.toThrow(
      `${path} is not valid at schedule.blackouts.0.to: 2026-04-31: not a calendar date (April 2026 has 30 days)`,
    );
  });
});

describe('the CLI refuses a bad date as a usage error naming the option and value', () => {
  const factory = (args: string[]) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli/factory.ts'), ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, FACTORY_WORKSPACE: '' },
    });
    return { code: run.status, stderr: run.stderr };
  };

  it('maps date errors and action-thrown argument errors to exit 2 with their message', () => {
    const dateError = new UserDateError('--start', '2026-02-31', 'not a calendar date');
    expect(toExit(dateError)).toEqual({
      exitCode: ExitCode.usage,
      message: '--start 2026-02-31: not a calendar date',
    });
    expect(toExit(new InvalidArgumentError('--sizing must be performance or as-on-premises'))).toEqual({
      exitCode: ExitCode.usage,
      message: '--sizing must be performance or as-on-premises',
    });
    // Commander's own parse errors were printed by commander already.
    expect(toExit(new CommanderError(1, 'commander.invalidArgument', 'x'))).toEqual({
      exitCode: ExitCode.usage,
      message: '',
    });
  });

  it('assess --as-of 2026-13-45 exits 2 and writes no assessment', async () => {
    const workspace = tempDir();
    const imported = await importInto(workspace, [join(docsFormats, 'rvtools')]);
    expect(imported.outcome.ok).toBe(true);
    const run = factory(['assess', '--workspace', workspace, '--as-of', '2026-13-45']);
    expect(run).toEqual({
      code: ExitCode.usage,
      stderr: 'factory: --as-of 2026-13-45: not a calendar date (there is no month 13)\n',
    });
    expect(existsSync(join(workspace, 'assessment.json'))).toBe(false);
  });

  it('plan --start 2026-02-31 exits 2 before reading the workspace', () => {
    const run = factory(['plan', '--workspace', tempDir(), '--start', '2026-02-31']);
    expect(run).toEqual({
      code: ExitCode.usage,
      stderr: 'factory: --start 2026-02-31: not a calendar date (February 2026 has 28 days)\n',
    });
  });

  it('wave cutover --postpone +020000-01-01 exits 2 without contacting Temporal', () => {
    const run = factory([
      'wave',
      'cutover',
      'wave-01',
      '--batch',
      'wave-01-batch-01',
      '--postpone',
      '+020000-01-01',
      '--reason',
      'change moved',
      '--address',
      '127.0.0.1:1',
    ]);
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toBe(
      'factory: --postpone +020000-01-01: not an ISO date-time with an offset (e.g. 2026-12-05T22:00:00Z or 2026-12-05T23:00:00+01:00)\n',
    );
  });

  it('runCutover refuses a postponement past the two-year horizon or in the past before connecting', async () => {
    const flags = { batch: 'wave-01-batch-01', reason: 'change moved', address: '127.0.0.1:1' };
    // Both are outside the bounds for any clock this test can run under (year 2400, year 2000).
    for (const postpone of ['2400-01-01T00:00:00Z', '2000-01-01T00:00:00Z']) {
      const refused = await runCutover('wave-01', { ...flags, postpone }, () => undefined).catch(
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(UserDateError);
      expect(toExit(refused).exitCode).toBe(ExitCode.usage);
    }
  });
});
