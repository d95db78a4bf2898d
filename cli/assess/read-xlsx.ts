/** Reads every worksheet of an xlsx workbook into Tables of strings (the edge; domain code sees text). */
import ExcelJS from 'exceljs';
import type { Table, TableRow } from '../../domain/inventory/table.ts';

/** Turns one cell value into the text the importers expect: RVTools-style True/False, ISO dates. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return cellText(value.result);
    if ('text' in value) return String(value.text);
    if ('error' in value) return String(value.error);
  }
  return '';
}

export async function readXlsx(file: string, content: Buffer): Promise<Table[]> {
  const workbook = new ExcelJS.Workbook();
  // exceljs accepts a Node Buffer at run time; its typings name an older Buffer shape.
  await workbook.xlsx.load(content as unknown as ExcelJS.Buffer);
  const tables: Table[] = [];
  for (const sheet of workbook.worksheets) {
    let header: TableRow | undefined;
    const rows: TableRow[] = [];
    sheet.eachRow({ includeEmpty: false }, (row, line) => {
      const values = row.values as ExcelJS.CellValue[];
      // exceljs row values are 1-based: position 0 is always empty.
      const cells = Array.from({ length: Math.max(0, values.length - 1) }, (_, i) =>
        cellText(values[i + 1]).trim(),
      );
      if (cells.every((c) => c === '')) return;
      if (header === undefined) header = { line, cells };
      else rows.push({ line, cells });
    });
    if (header !== undefined) {
      tables.push({ file, sheet: sheet.name, header: header.cells, headerLine: header.line, rows });
    }
  }
  return tables;
}
