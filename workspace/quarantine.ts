/**
 * The files `factory import --quarantine` writes for the rows it held back, in the workspace's
 * quarantine/ folder:
 * - one CSV per source sheet with the sheet's own header and the held rows' original cells, preceded by
 *   two columns, `Import errors` (every error of the row) and `Source row` (its row in the source), so a
 *   person can fix the rows in a spreadsheet and import the file again (the importers read columns by
 *   name and ignore the two extra ones);
 * - errors.csv: one line per error (file, sheet, row, column, value, rule, quarantine file) to review,
 *   sort and filter.
 * UTF-8 with a byte order mark, as Excel's "CSV UTF-8" writes it, so names keep their accents in Excel.
 */
import { posix } from 'node:path';
import type { QuarantinedSheet } from '../domain/inventory/build-estate.ts';
import type { ImportIssue } from '../domain/inventory/issues.ts';

export const QUARANTINE_DIR = 'quarantine';
export const QUARANTINE_INDEX = 'errors.csv';
export const ERRORS_COLUMN = 'Import errors';
export const SOURCE_ROW_COLUMN = 'Source row';

const BOM = '\uFEFF';

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const csvLine = (cells: readonly string[]) => cells.map(field).join(',');
const csv = (rows: readonly (readonly string[])[]) => `${BOM}${rows.map(csvLine).join('\r\n')}\r\n`;

/** One error of a row, without the file/sheet/row the quarantine file already says. */
export function rowErrorText(issue: ImportIssue): string {
  const column = issue.column === undefined ? '' : `column "${issue.column}"`;
  const value = issue.value === undefined ? '' : `${column === '' ? '' : ' '}value "${issue.value}"`;
  const where = `${column}${value}`;
  return where === '' ? issue.rule : `${where}: ${issue.rule}`;
}

/** A file name for a sheet's quarantine file: its source's name (and sheet), safe on every system. */
function baseName(sheet: QuarantinedSheet): string {
  const stem = sheet.file.replace(/\.(csv|xlsx)$/i, '');
  const name = sheet.sheet === undefined ? stem : `${stem}.${sheet.sheet}`;
  return name.replace(/[^\w.-]+/g, '_');
}

export interface QuarantineFile {
  /** Relative to the workspace, e.g. quarantine/RVTools_tabvInfo.csv. */
  path: string;
  content: string;
  /** The source sheet's rows held (the index has none). */
  rows: number;
}

export function quarantineFiles(sheets: readonly QuarantinedSheet[]): QuarantineFile[] {
  const taken = new Set([QUARANTINE_INDEX.toLowerCase()]);
  const index: string[][] = [['File', 'Sheet', 'Row', 'Column', 'Value', 'Rule', 'Quarantine file']];
  const files: QuarantineFile[] = [];
  for (const sheet of sheets) {
    const base = baseName(sheet);
    let name = `${base}.csv`;
    for (let n = 2; taken.has(name.toLowerCase()); n += 1) name = `${base}-${n}.csv`;
    taken.add(name.toLowerCase());
    const path = posix.join(QUARANTINE_DIR, name);
    // A quarantine file imported again and still failing gets fresh errors, not a second pair of columns.
    const own = sheet.header[0] === ERRORS_COLUMN && sheet.header[1] === SOURCE_ROW_COLUMN ? 2 : 0;
    const rows: string[][] = [[ERRORS_COLUMN, SOURCE_ROW_COLUMN, ...sheet.header.slice(own)]];
    for (const { row, issues } of sheet.rows) {
      rows.push([issues.map(rowErrorText).join('; '), String(row.line), ...row.cells.slice(own)]);
      for (const issue of issues)
        index.push([
          issue.file,
          issue.sheet ?? '',
          String(issue.row ?? ''),
          issue.column ?? '',
          issue.value ?? '',
          issue.rule,
          path,
        ]);
    }
    files.push({ path, content: csv(rows), rows: sheet.rows.length });
  }
  return [...files, { path: posix.join(QUARANTINE_DIR, QUARANTINE_INDEX), content: csv(index), rows: 0 }];
}
