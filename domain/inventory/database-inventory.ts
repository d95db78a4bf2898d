/**
 * The database inventory CSV (this project's format, see docs/formats/databases.csv): one row per
 * database with engine, version, size, log/change rate when known, host server, owning application
 * and the wanted target (blank = let the assessment recommend).
 */
import { sqlDatabaseNameProblem } from '../azure-names.ts';
import { decimal, oneOf, text } from './cells.ts';
import { column, readRecords, required } from './columns.ts';
import { dbEngines, dbTargets, type DbTarget } from './estate-schema.ts';
import type { IssueLog } from './issues.ts';
import { provenance, type Collected } from './observations.ts';
import { locationOf, type Table } from './table.ts';

const targetAliases: Record<string, DbTarget> = {
  'sql database': 'Azure SQL Database',
  'sql managed instance': 'Azure SQL Managed Instance',
  'sql mi': 'Azure SQL Managed Instance',
  'sql vm': 'SQL Server on Azure VM',
  'mysql flexible server': 'Azure Database for MySQL flexible server',
  'postgresql flexible server': 'Azure Database for PostgreSQL flexible server',
};

const columns = {
  database: required('Database', text(255)),
  engine: required('Engine', oneOf(dbEngines, { mssql: 'SQL Server', postgres: 'PostgreSQL' })),
  version: required('Version', text(64)),
  sizeGB: required('Size (GB)', decimal(0, 1_000_000)),
  logRate: column('Log rate (MB/s)', decimal(0, 100_000)),
  changeRate: column('Change rate (GB/day)', decimal(0, 1_000_000)),
  host: column('Host server', text(255)),
  application: column('Application', text(255)),
  target: column('Target', oneOf(dbTargets, targetAliases)),
};

export function readDatabaseInventory(table: Table, log: IssueLog, into: Collected): number {
  const records = readRecords(table, columns, log);
  const seen = new Map<string, number>();
  for (const { line, values: v } of records) {
    const key = `${v.host ?? ''}/${v.database}`.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      log.error(
        locationOf(table, line, 'Database'),
        `a database must appear once per host server (first listed at row ${first})`,
        v.database,
      );
      continue;
    }
    seen.set(key, line);
    const nameProblem = v.engine === 'SQL Server' ? sqlDatabaseNameProblem(v.database) : undefined;
    if (nameProblem !== undefined) {
      log.error(locationOf(table, line, 'Database'), nameProblem, v.database);
      continue;
    }
    into.databases.push({
      name: v.database,
      engine: v.engine,
      version: v.version,
      sizeGB: v.sizeGB,
      ...(v.logRate === undefined ? {} : { logRateMBps: v.logRate }),
      ...(v.changeRate === undefined ? {} : { changeRateGBPerDay: v.changeRate }),
      ...(v.host === undefined ? {} : { hostServer: v.host }),
      ...(v.application === undefined ? {} : { application: v.application }),
      ...(v.target === undefined ? {} : { wantedTarget: v.target }),
      from: provenance(table.file, table.sheet, line),
    });
  }
  return records.length;
}
