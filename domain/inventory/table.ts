/** A sheet of cells as every importer sees it, whatever file it came from (CSV or xlsx). */

export interface TableRow {
  /** 1-based row number as a spreadsheet would show it. */
  line: number;
  cells: string[];
}

export interface Table {
  file: string;
  sheet?: string;
  /**
   * Where the cells came from. A CSV row with fewer cells than the header ended early (truncated);
   * an xlsx row simply omits its empty trailing cells, so only CSV rows can be short.
   */
  source: 'csv' | 'xlsx';
  header: string[];
  /** Row number of the header line (1 for CSV and most sheets). */
  headerLine: number;
  rows: TableRow[];
}

/**
 * Header names are compared loosely: case, surrounding spaces, repeated inner spaces and the
 * Azure Migrate "required" star do not matter, so re-saved exports still match.
 */
export const normalizeHeader = (header: string): string =>
  header
    .replace(/^\uFEFF/, '')
    .replace(/^\*/, '')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();

/** Index of each normalised header; the first occurrence wins (RVTools repeats a few names). */
export function headerIndex(table: Table): Map<string, number> {
  const index = new Map<string, number>();
  table.header.forEach((name, position) => {
    const key = normalizeHeader(name);
    if (key !== '' && !index.has(key)) index.set(key, position);
  });
  return index;
}

export const locationOf = (table: Table, line?: number, column?: string) => ({
  file: table.file,
  ...(table.sheet === undefined ? {} : { sheet: table.sheet }),
  ...(line === undefined ? {} : { row: line }),
  ...(column === undefined ? {} : { column }),
});
