/**
 * The pure heart of `factory import`: tables in, one validated estate (or the complete list of
 * errors) out. All-or-nothing by default: any error means no estate. With `quarantine`, rows with
 * errors are held back with their errors and the estate is built from the rest; errors that are not
 * about one row (a missing column, an unreadable file, an unknown format) still fail the import.
 */
import { readAssessedDisks, readAssessedMachines } from './azure-migrate-assessment.ts';
import { readAzureMigrateImport } from './azure-migrate-import.ts';
import { readDatabaseInventory } from './database-inventory.ts';
import { readDependencies } from './dependencies.ts';
import type { Estate } from './estate-schema.ts';
import { acceptedFormatsHint, detectFormat, type FormatId } from './formats.ts';
import { IssueLog, type ImportIssue } from './issues.ts';
import { mergeEstate } from './merge.ts';
import { emptyCollected, type Collected } from './observations.ts';
import { readRvtools } from './rvtools.ts';
import { readServiceCatalog } from './service-catalog.ts';
import { locationOf, type Table, type TableRow } from './table.ts';

/** The rows of one sheet that were held back, each with every error found in it. */
export interface QuarantinedSheet {
  file: string;
  sheet?: string;
  header: string[];
  rows: { row: TableRow; issues: ImportIssue[] }[];
}

export type ImportResult =
  | {
      ok: true;
      estate: Estate;
      warnings: ImportIssue[];
      suppressed: { errors: number; warnings: number };
      /** Empty unless the build quarantined rows. */
      quarantined: QuarantinedSheet[];
    }
  | {
      ok: false;
      errors: ImportIssue[];
      warnings: ImportIssue[];
      suppressed: { errors: number; warnings: number };
    };

const readers: Record<FormatId, (table: Table, log: IssueLog, into: Collected) => number> = {
  'rvtools-vInfo': (t, l, c) => readRvtools('vInfo', t, l, c),
  'rvtools-vDisk': (t, l, c) => readRvtools('vDisk', t, l, c),
  'rvtools-vPartition': (t, l, c) => readRvtools('vPartition', t, l, c),
  'rvtools-vNetwork': (t, l, c) => readRvtools('vNetwork', t, l, c),
  'rvtools-vHost': (t, l, c) => readRvtools('vHost', t, l, c),
  'azure-migrate-import': readAzureMigrateImport,
  'azure-migrate-assessed-machines': readAssessedMachines,
  'azure-migrate-assessed-disks': readAssessedDisks,
  'azure-migrate-dependencies': readDependencies,
  'service-catalog': readServiceCatalog,
  'database-inventory': readDatabaseInventory,
};

/**
 * @param log may already hold errors from reading the files (unreadable, too large); they count.
 */
export function buildEstate(
  tables: readonly Table[],
  log: IssueLog = new IssueLog(),
  options: { quarantine?: boolean } = {},
): ImportResult {
  return options.quarantine === true ? buildQuarantining(tables, log) : buildOnce(tables, log);
}

function buildOnce(tables: readonly Table[], log: IssueLog): ImportResult {
  const collected = emptyCollected();
  for (const table of tables) {
    const detection = detectFormat(table);
    if (detection.kind === 'ignored') continue;
    if (detection.kind === 'unknown') {
      if (table.sheet === undefined) {
        log.error(
          locationOf(table, table.headerLine),
          `header matches no accepted format (${acceptedFormatsHint})`,
        );
      } else log.warn(locationOf(table), 'sheet is not an accepted format; ignored');
      continue;
    }
    const rows = readers[detection.format](table, log, collected);
    collected.sources.push({
      file: table.file,
      ...(table.sheet === undefined ? {} : { sheet: table.sheet }),
      format: detection.format,
      rows,
    });
  }
  if (collected.sources.length === 0 && !log.hasErrors) {
    log.error({ file: tables[0]?.file ?? '(no input)' }, 'no input file holds data in an accepted format');
  }
  const estate = mergeEstate(collected, log);
  if (log.hasErrors)
    return { ok: false, errors: log.errors, warnings: log.warnings, suppressed: log.suppressed };
  return {
    ok: true,
    estate: { ...estate, warnings: log.warnings },
    warnings: log.warnings,
    suppressed: log.suppressed,
    quarantined: [],
  };
}

/**
 * Rebuilding can surface errors that depended on a held row (rarely more than one extra pass); a
 * build that still fails after this many is reported as it is rather than chased further.
 */
const MAX_QUARANTINE_PASSES = 5;

function buildQuarantining(tables: readonly Table[], readLog: IssueLog): ImportResult {
  const held = new Map<Table, Map<number, { row: TableRow; issues: ImportIssue[] }>>();
  const dataRowOf = dataRowFinder(tables);
  /** Holds the rows the issues name; returns whether every issue named a data row of a table. */
  const hold = (issues: readonly ImportIssue[]): boolean => {
    const located = issues.map((issue) => ({ issue, at: dataRowOf(issue) }));
    if (located.some(({ at }) => at === undefined)) return false;
    for (const { issue, at } of located) {
      if (at === undefined) continue;
      const rows = held.get(at.table) ?? new Map<number, { row: TableRow; issues: ImportIssue[] }>();
      held.set(at.table, rows);
      const entry = rows.get(at.row.line) ?? { row: at.row, issues: [] };
      rows.set(at.row.line, entry);
      entry.issues.push(issue);
    }
    return true;
  };
  const failed = (log: IssueLog): ImportResult =>
    log === readLog
      ? { ok: false, errors: log.errors, warnings: log.warnings, suppressed: log.suppressed }
      : {
          ok: false,
          errors: [...readLog.errors, ...log.errors],
          warnings: [...readLog.warnings, ...log.warnings],
          suppressed: {
            errors: readLog.suppressed.errors + log.suppressed.errors,
            warnings: readLog.suppressed.warnings + log.suppressed.warnings,
          },
        };

  if (!hold(readLog.errors)) return failed(readLog);
  let result: ImportResult | undefined;
  for (let pass = 0; pass < MAX_QUARANTINE_PASSES; pass += 1) {
    const log = new IssueLog(Number.POSITIVE_INFINITY);
    const remaining = tables.map((table) => {
      const rows = held.get(table);
      return rows === undefined ? table : { ...table, rows: table.rows.filter((r) => !rows.has(r.line)) };
    });
    result = buildOnce(remaining, log);
    if (result.ok) {
      const warnings = [...readLog.warnings, ...result.warnings];
      return {
        ...result,
        estate: { ...result.estate, warnings },
        warnings,
        quarantined: quarantinedSheets(tables, held),
      };
    }
    if (!hold(result.errors)) return failed(log);
  }
  return result ?? failed(readLog);
}

/** Finds the table and data row an issue names, if it names one (not a header, a whole file or nothing). */
function dataRowFinder(tables: readonly Table[]) {
  const key = (file: string, sheet: string | undefined) => `${file}\u0000${sheet ?? ''}`;
  const byName = new Map(tables.map((table) => [key(table.file, table.sheet), table]));
  const lines = new Map<Table, Map<number, TableRow>>();
  return (issue: ImportIssue): { table: Table; row: TableRow } | undefined => {
    if (issue.row === undefined) return undefined;
    const table = byName.get(key(issue.file, issue.sheet));
    if (table === undefined || issue.row <= table.headerLine) return undefined;
    let rows = lines.get(table);
    if (rows === undefined) {
      rows = new Map(table.rows.map((row) => [row.line, row]));
      lines.set(table, rows);
    }
    const row = rows.get(issue.row);
    return row === undefined ? undefined : { table, row };
  };
}

function quarantinedSheets(
  tables: readonly Table[],
  held: Map<Table, Map<number, { row: TableRow; issues: ImportIssue[] }>>,
): QuarantinedSheet[] {
  return tables.flatMap((table) => {
    const rows = held.get(table);
    if (rows === undefined) return [];
    return [
      {
        file: table.file,
        ...(table.sheet === undefined ? {} : { sheet: table.sheet }),
        header: table.header,
        rows: [...rows.values()].sort((a, b) => a.row.line - b.row.line),
      },
    ];
  });
}
