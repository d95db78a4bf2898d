/**
 * vms.csv and vms.xlsx: the report's per-VM table as files for spreadsheets and sign-off. The xlsx goes
 * through exceljs' streaming writer (rows are committed as they are written, so 10,000 VMs never build
 * a whole workbook model); both are returned as content for the workspace's all-or-nothing write.
 */
import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { csvLine } from '../../domain/inventory/csv.ts';
import { vmTableColumns, type VmTableRow } from './vm-table.ts';

/**
 * A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe: names come from customer exports (OWASP "CSV injection").
 */
const defused = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

export function vmTableCsv(rows: readonly VmTableRow[]): string {
  const lines = [csvLine(vmTableColumns.map((c) => c.header))];
  for (const row of rows)
    lines.push(
      csvLine(
        vmTableColumns.map((c) => {
          const value = row[c.key];
          return typeof value === 'string' ? defused(value) : value;
        }),
      ),
    );
  return `${lines.join('\r\n')}\r\n`;
}

export async function vmTableXlsx(rows: readonly VmTableRow[]): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true });
  const sheet = workbook.addWorksheet('VMs', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = vmTableColumns.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width,
    ...(c.kind === 'usd' ? { style: { numFmt: '#,##0.00' } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: vmTableColumns.length } };
  sheet.getRow(1).commit();
  for (const row of rows) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
  await finished;
  return Buffer.concat(chunks);
}
