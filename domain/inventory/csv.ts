/** RFC 4180 CSV parsing into a Table. Pure: takes text, never throws on bad input. */
import type { Table } from './table.ts';

export type CsvResult = { ok: true; table: Table } | { ok: false; row: number; rule: string };

/** Cells longer than this are rejected: no inventory field is legitimately that long. */
export const MAX_CELL_CHARS = 32_768;

/**
 * Parses CSV text. The delimiter is ',' unless the header line holds more ';' than ',' (European
 * Excel saves CSV with ';'). A UTF-8 BOM is dropped. Row numbers count records, as a spreadsheet
 * would, so a quoted cell spanning lines is still one row.
 */
export function parseCsv(file: string, text: string): CsvResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const delimiter = pickDelimiter(body);
  const records: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let inQuotes = false;
  let quotedRecordStart = 0;
  let cellWasQuoted = false;
  const endCell = () => {
    cells.push(cellWasQuoted ? cell : cell.trim());
    cell = '';
    cellWasQuoted = false;
  };
  for (let i = 0; i < body.length; i += 1) {
    const ch = body[i];
    if (inQuotes) {
      if (ch === '"') {
        if (body[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else inQuotes = false;
      } else cell += ch;
    } else if (ch === '"' && cell.trim() === '') {
      inQuotes = true;
      cellWasQuoted = true;
      cell = '';
      quotedRecordStart = records.length + 1;
    } else if (ch === delimiter) endCell();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i += 1;
      endCell();
      records.push(cells);
      cells = [];
    } else cell += ch;
    if (cell.length > MAX_CELL_CHARS) {
      return {
        ok: false,
        row: records.length + 1,
        rule: `a cell must be at most ${MAX_CELL_CHARS} characters`,
      };
    }
  }
  if (inQuotes) {
    return { ok: false, row: quotedRecordStart, rule: 'quoted cell is never closed (missing ")' };
  }
  if (cell !== '' || cells.length > 0) {
    endCell();
    records.push(cells);
  }
  const nonBlank = records
    .map((record, index) => ({ line: index + 1, cells: record }))
    .filter((row) => row.cells.some((c) => c !== ''));
  const [header, ...rows] = nonBlank;
  if (header === undefined) return { ok: false, row: 1, rule: 'file has no header row' };
  return { ok: true, table: { file, header: header.cells, headerLine: header.line, rows } };
}

function pickDelimiter(text: string): ',' | ';' {
  const end = text.search(/[\r\n]/);
  const firstLine = end === -1 ? text : text.slice(0, end);
  const commas = firstLine.split(',').length;
  const semicolons = firstLine.split(';').length;
  return semicolons > commas ? ';' : ',';
}

/** Quotes a cell when needed; used by the estate generator and the sample writer. */
export const csvCell = (value: string | number | boolean | undefined): string => {
  const text = value === undefined ? '' : String(value);
  return /[",;\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
};

export const csvLine = (cells: readonly (string | number | boolean | undefined)[]): string =>
  cells.map(csvCell).join(',');
