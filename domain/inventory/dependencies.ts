/**
 * Azure Migrate agentless dependency export CSV: one row per time slot × source/destination
 * process pair. A side needs a server name or an IP; names are blank for servers without
 * dependency analysis, and "Unknown process" is common.
 */
import { ipAddress, text, wholeNumber } from './cells.ts';
import { column, readRecords, required } from './columns.ts';
import type { IssueLog } from './issues.ts';
import { provenance, type Collected } from './observations.ts';
import { locationOf, type Table } from './table.ts';

const columns = {
  timeSlot: column('Time slot', text(64)),
  sourceName: column('Source server name', text(255)),
  sourceIp: column('Source IP', ipAddress),
  sourceProcess: column('Source process', text(255)),
  destinationName: column('Destination server name', text(255)),
  destinationIp: column('Destination IP', ipAddress),
  destinationProcess: column('Destination process', text(255)),
  port: required('Destination port', wholeNumber(0, 65535)),
};

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
    const process = v.destinationProcess ?? v.sourceProcess;
    into.connections.push({
      ...(v.sourceName === undefined ? {} : { sourceName: v.sourceName }),
      ...(v.sourceIp === undefined ? {} : { sourceIp: v.sourceIp }),
      ...(v.destinationName === undefined ? {} : { destinationName: v.destinationName }),
      ...(v.destinationIp === undefined ? {} : { destinationIp: v.destinationIp }),
      port: v.port,
      ...(process === undefined || /^unknown/i.test(process) ? {} : { process }),
      from: provenance(table.file, table.sheet, line),
    });
  }
  return records.length;
}
