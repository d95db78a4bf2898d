/**
 * The pure heart of `factory import`: tables in, one validated estate (or the complete list of
 * errors) out. All-or-nothing: any error means no estate.
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
import { locationOf, type Table } from './table.ts';

export type ImportResult =
  | { ok: true; estate: Estate; warnings: ImportIssue[]; suppressed: { errors: number; warnings: number } }
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
export function buildEstate(tables: readonly Table[], log: IssueLog = new IssueLog()): ImportResult {
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
  };
}
