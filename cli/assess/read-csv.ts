/**
 * Strict RFC 4180 CSV parsing (csv-parse) into a Table. Takes text, never throws on bad input. It
 * lives at the CLI edge because csv-parse is not sandbox-safe (domain/ imports only zod).
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { Table, TableRow } from '../../domain/inventory/table.ts';

export type CsvResult =
  { ok: true; table: Table } | { ok: false; row: number; column?: string; rule: string };

/** Cells longer than this are rejected: no inventory field is legitimately that long. */
export const MAX_CELL_CHARS = 32_768;

/**
 * Parses CSV text. The delimiter is ',' unless the header line holds more ';' than ',' (European
 * Excel saves CSV with ';'). A UTF-8 BOM is dropped. Row numbers count records, as a spreadsheet
 * would, so a quoted cell spanning lines is still one row; blank rows are counted but skipped.
 * Rows may be ragged: their width is checked by the column reader, which knows the header.
 */
export function parseCsv(file: string, text: string): CsvResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let header: string[] | undefined;
  let records: string[][];
  try {
    records = parse(body, {
      delimiter: pickDelimiter(body),
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      // Blank lines stay records so the row numbers match what a spreadsheet shows.
      skip_empty_lines: false,
      // Spaces around a cell are dropped; a quoted cell keeps its inner spaces.
      trim: true,
      on_record: (record: string[]) => {
        if (header === undefined && record.some((c) => c !== '')) header = record;
        return record;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    return refusal(error, header);
  }
  let headerRow: TableRow | undefined;
  const rows: TableRow[] = [];
  for (let index = 0; index < records.length; index += 1) {
    const cells = records[index] ?? [];
    let blank = true;
    for (let position = 0; position < cells.length; position += 1) {
      const cell = cells[position] ?? '';
      if (cell.length > MAX_CELL_CHARS) {
        return {
          ok: false,
          row: index + 1,
          ...(headerRow?.cells[position] === undefined ? {} : { column: headerRow.cells[position] }),
          rule: `a cell must be at most ${MAX_CELL_CHARS} characters`,
        };
      }
      if (cell !== '') blank = false;
    }
    if (blank) continue;
    if (headerRow === undefined) headerRow = { line: index + 1, cells };
    else rows.push({ line: index + 1, cells });
  }
  if (headerRow === undefined) return { ok: false, row: 1, rule: 'file has no header row' };
  return {
    ok: true,
    table: { file, source: 'csv', header: headerRow.cells, headerLine: headerRow.line, rows },
  };
}

/** Turns csv-parse's error into the row (a record number, as a spreadsheet counts) and the rule broken. */
function refusal(error: CsvError, header: string[] | undefined): CsvResult {
  // csv-parse counts the records completed before the failing one.
  const row = (typeof error.records === 'number' ? error.records : 0) + 1;
  const position = typeof error.column === 'number' ? error.column : undefined;
  const name = header !== undefined && position !== undefined ? header[position] : undefined;
  const at = { ok: false as const, row, ...(name === undefined ? {} : { column: name }) };
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      // The open quote swallows the rest of the file, so the column guess would be meaningless.
      return { ok: false, row, rule: 'quoted cell is never closed (missing ")' };
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return {
        ...at,
        rule: 'text follows the closing quote of a quoted cell (RFC 4180: a quoted cell ends at the quote; write "" for a quote inside it)',
      };
    case 'INVALID_OPENING_QUOTE':
      return {
        ...at,
        rule: 'a cell holding a quote must be quoted as a whole, with each quote doubled (RFC 4180: "a ""b"" c")',
      };
    default:
      return { ...at, rule: `is not valid CSV (${error.message})` };
  }
}

function pickDelimiter(text: string): ',' | ';' {
  const end = text.search(/[\r\n]/);
  const firstLine = end === -1 ? text : text.slice(0, end);
  const commas = firstLine.split(',').length;
  const semicolons = firstLine.split(';').length;
  return semicolons > commas ? ';' : ',';
}
