/**
 * Azure Migrate agentless dependency export CSV: one row per dependency observed in a time slot
 * (https://learn.microsoft.com/azure/migrate/how-to-create-group-machine-dependencies-agentless#dependency-information):
 * Time slot, Source server name, Source IP, Source application, Source process, Destination server
 * name, Destination IP, Destination application, Destination process, Destination port. A side needs
 * a server name or an IP; names, applications and processes are blank for servers without dependency
 * analysis, and "Unknown process" is common, so every side is kept on its own.
 */
import { z } from 'zod';
import { date, ipAddress, text, wholeNumber, type CellSchema } from './cells.ts';
import { column, readRecords, required } from './columns.ts';
import type { IssueLog } from './issues.ts';
import { provenance, type Collected } from './observations.ts';
import { locationOf, type Table } from './table.ts';

const TIME_SLOT_RULE =
  'must be a time slot: one date or "start - end", each ISO 8601 (2024-01-15T06:00Z) or M/D/YYYY h:mm [AM|PM]';

const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const isCalendarDay = (y: number, m: number, d: number) => {
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
};

/**
 * The shared date cell converts but lets clock fields roll over ("10:75", "13 PM", "2024-02-30");
 * a time slot that rolls over is a corrupt export, so its fields are range-checked first.
 */
function strictDate(value: string): boolean {
  const us = US.exec(value);
  if (us !== null) {
    const [, m, d, y, hh = '0', mm = '0', ss = '0', ampm] = us;
    const hour = Number(hh);
    const hourOk = ampm === undefined ? hour <= 23 : hour >= 1 && hour <= 12;
    return hourOk && Number(mm) <= 59 && Number(ss) <= 59 && isCalendarDay(Number(y), Number(m), Number(d));
  }
  const iso = ISO.exec(value);
  if (iso !== null) {
    const [, y, m, d, hh = '0', mm = '0', ss = '0'] = iso;
    return (
      Number(hh) <= 23 &&
      Number(mm) <= 59 &&
      Number(ss) <= 59 &&
      isCalendarDay(Number(y), Number(m), Number(d))
    );
  }
  // Excel serial numbers (a re-saved export) have no fields to roll over.
  return /^\d+(\.\d+)?$/.test(value);
}

/** "11/24/2025 00:00 - 11/24/2025 06:00" (six-hour slots) or one timestamp. */
export const timeSlot: CellSchema<{ start: string; end: string }> = z.string().transform((value, ctx) => {
  // ISO dates contain '-', so only a dash with spaces around it separates start and end.
  const parts = value.split(/\s+-\s+/);
  const parsed = parts.map((part) => (strictDate(part) ? date.safeParse(part) : undefined));
  const [start, end = start] = parsed.map((p) => (p?.success === true ? p.data : undefined));
  if (parts.length > 2 || start === undefined || end === undefined || parsed.some((p) => !p?.success)) {
    ctx.addIssue({ code: 'custom', message: TIME_SLOT_RULE });
    return z.NEVER;
  }
  if (end < start) {
    ctx.addIssue({ code: 'custom', message: 'a time slot must not end before it starts' });
    return z.NEVER;
  }
  return { start, end };
});

const columns = {
  timeSlot: column('Time slot', timeSlot, { aliases: ['Timeslot'] }),
  sourceName: column('Source server name', text(255)),
  sourceIp: column('Source IP', ipAddress),
  sourceApplication: column('Source application', text(255)),
  sourceProcess: column('Source process', text(255)),
  destinationName: column('Destination server name', text(255)),
  destinationIp: column('Destination IP', ipAddress),
  destinationApplication: column('Destination application', text(255)),
  destinationProcess: column('Destination process', text(255)),
  port: required('Destination port', wholeNumber(0, 65535)),
};

/** "Unknown process" / "Unknown application" are the export's placeholders for "not resolved". */
const known = (name: string | undefined) =>
  name === undefined || /^unknown\b/i.test(name) ? undefined : name;

export function readDependencies(table: Table, log: IssueLog, into: Collected): number {
  const records = readRecords(table, columns, log);
  for (const { line, values: v } of records) {
    if (v.sourceName === undefined && v.sourceIp === undefined) {
      log.error(
        locationOf(table, line, 'Source server name'),
        'a connection needs a source server name or IP',
      );
      continue;
    }
    if (v.destinationName === undefined && v.destinationIp === undefined) {
      log.error(
        locationOf(table, line, 'Destination server name'),
        'a connection needs a destination server name or IP',
      );
      continue;
    }
    const sourceProcess = known(v.sourceProcess);
    const sourceApplication = known(v.sourceApplication);
    const destinationProcess = known(v.destinationProcess);
    const destinationApplication = known(v.destinationApplication);
    into.connections.push({
      ...(v.sourceName === undefined ? {} : { sourceName: v.sourceName }),
      ...(v.sourceIp === undefined ? {} : { sourceIp: v.sourceIp }),
      ...(sourceApplication === undefined ? {} : { sourceApplication }),
      ...(sourceProcess === undefined ? {} : { sourceProcess }),
      ...(v.destinationName === undefined ? {} : { destinationName: v.destinationName }),
      ...(v.destinationIp === undefined ? {} : { destinationIp: v.destinationIp }),
      ...(destinationApplication === undefined ? {} : { destinationApplication }),
      ...(destinationProcess === undefined ? {} : { destinationProcess }),
      port: v.port,
      ...(v.timeSlot === undefined ? {} : { slot: v.timeSlot }),
      from: provenance(table.file, table.sheet, line),
    });
  }
  return records.length;
}
