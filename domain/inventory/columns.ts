/**
 * Reads a Table into typed records by header name (never by position). Each column declares its
 * header, older aliases, whether the column and value are required, and a cell schema.
 */
import type { CellSchema } from './cells.ts';
import type { IssueLog } from './issues.ts';
import { headerIndex, locationOf, normalizeHeader, type Table } from './table.ts';

export interface Column<T> {
  header: string;
  /** Other spellings seen in the wild (RVTools 3.x "MB" headers, older Azure Migrate templates). */
  aliases?: readonly string[];
  /** The column must exist and every row must fill it. */
  required?: boolean;
  /**
   * An invalid cell is a warning and the value is dropped, instead of an error that blocks the row:
   * for columns the factory only uses as extra evidence (another tool's opinion, an address list).
   */
  lenient?: boolean;
  cell: CellSchema<T>;
}

export type Columns = Record<string, Column<unknown>>;

export type RecordOf<C extends Columns> = {
  [K in keyof C]: C[K] extends Column<infer T> ? (C[K]['required'] extends true ? T : T | undefined) : never;
};

export interface ReadRecord<C extends Columns> {
  line: number;
  values: RecordOf<C>;
}

export const column = <T>(
  header: string,
  cell: CellSchema<T>,
  options: { required?: boolean; aliases?: readonly string[]; lenient?: boolean } = {},
): Column<T> => ({ header, cell, ...options });

export const required = <T>(header: string, cell: CellSchema<T>, aliases?: readonly string[]) =>
  ({ header, cell, required: true, ...(aliases === undefined ? {} : { aliases }) }) as Column<T> & {
    required: true;
  };

/** Resolves each column to its position; logs one error per missing required column. */
export function locateColumns<C extends Columns>(
  table: Table,
  columns: C,
  log: IssueLog,
): Map<keyof C, number> | undefined {
  const index = headerIndex(table);
  const positions = new Map<keyof C, number>();
  let missing = false;
  for (const [key, spec] of Object.entries(columns)) {
    const names = [spec.header, ...(spec.aliases ?? [])].map(normalizeHeader);
    const position = names.map((name) => index.get(name)).find((p) => p !== undefined);
    if (position !== undefined) positions.set(key, position);
    else if (spec.required === true) {
      log.error(
        locationOf(table, table.headerLine, spec.header),
        'required column is missing from the header',
      );
      missing = true;
    }
  }
  return missing ? undefined : positions;
}

/**
 * Parses every row. Rows with any invalid cell are logged and dropped (the import fails anyway);
 * the rest are returned so later checks can still report their own problems in the same run.
 *
 * Control characters in a cell that is read are stripped in place with one warning, so a later
 * reader of the same table (and every name in the estate) sees the clean text and warns no more.
 * A CSV row that ends before a required column is reported once as short rather than as empty
 * required values: truncated exports simply stop mid-row.
 */
export function readRecords<C extends Columns>(
  table: Table,
  columns: C,
  log: IssueLog,
  options: { checkWidth?: boolean } = {},
): ReadRecord<C>[] {
  const positions = locateColumns(table, columns, log);
  if (positions === undefined) return [];
  const entries = Object.entries(columns);
  const lastRequired = Math.max(
    -1,
    ...entries.filter(([, spec]) => spec.required === true).map(([key]) => positions.get(key) ?? -1),
  );
  const records: ReadRecord<C>[] = [];
  for (const row of table.rows) {
    if (table.source === 'csv' && row.cells.length <= lastRequired) {
      if (options.checkWidth !== false) {
        const endsBefore = (table.header[row.cells.length] ?? '').trim();
        log.error(
          locationOf(table, row.line),
          `row has ${row.cells.length} cells but the header has ${table.header.length} columns; ` +
            `the row ends early (before column "${endsBefore}")`,
        );
      }
      continue;
    }
    const values: Record<string, unknown> = {};
    let valid = true;
    for (const [key, spec] of entries) {
      const position = positions.get(key);
      let raw = position === undefined ? '' : (row.cells[position] ?? '').trim();
      if (position !== undefined && CONTROL_CHARACTER.test(raw)) {
        const clean = stripControlCharacters(raw);
        log.warn(
          locationOf(table, row.line, spec.header),
          'control characters were removed from the cell',
          escapeControlCharacters(raw),
        );
        row.cells[position] = clean;
        raw = clean.trim();
      }
      if (raw === '') {
        if (spec.required === true) {
          log.error(locationOf(table, row.line, spec.header), 'required value is empty');
          valid = false;
        }
        continue;
      }
      const parsed = spec.cell.safeParse(raw);
      if (parsed.success) values[key] = parsed.data;
      else if (spec.lenient === true) {
        log.warn(
          locationOf(table, row.line, spec.header),
          `${parsed.error.issues[0]?.message ?? 'is invalid'}; value ignored (the row is still imported)`,
          raw,
        );
      } else {
        log.error(
          locationOf(table, row.line, spec.header),
          parsed.error.issues[0]?.message ?? 'is invalid',
          raw,
        );
        valid = false;
      }
    }
    if (
      options.checkWidth !== false &&
      row.cells.length > table.header.length &&
      row.cells.slice(table.header.length).some((c) => c.trim() !== '')
    ) {
      log.error(
        locationOf(table, row.line),
        `row has ${row.cells.length} cells but the header has ${table.header.length} columns`,
      );
      valid = false;
    }
    if (valid) records.push({ line: row.line, values: values as RecordOf<C> });
  }
  return records;
}

/** C0 controls except tab, DEL and the C1 controls: they can drive a terminal that prints a name. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
/**
 * A whole terminal escape sequence (CSI "ESC [ … final" or its 8-bit form, OSC "ESC ] … BEL/ST")
 * goes at once, so `\u001b[31mred` becomes `red`, not `[31mred`; any other control goes alone.
 */
const CONTROL_SEQUENCES =
  // eslint-disable-next-line no-control-regex
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b\]|\u009d)[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

export const stripControlCharacters = (text: string): string => text.replace(CONTROL_SEQUENCES, '');

/** Shows control characters as JSON-style escapes (`\u001b[31m`), so a warning is safe to print. */
export const escapeControlCharacters = (text: string): string =>
  text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\\]/g,
    (ch) => (ch === '\\' ? '\\\\' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
