/**
 * The streaming xlsx reader must read what exceljs' whole-workbook loader read before it: shared and
 * inline strings, rich text, numbers, booleans, dates (1900 and 1904 systems), formulas' cached
 * results, hyperlinks and error values, row numbers and sheet names.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { defaultLimits } from '../../cli/assess/read-inputs.ts';
import { readXlsx } from '../../cli/assess/read-xlsx.ts';
import type { Table, TableRow } from '../../domain/inventory/table.ts';
import { importInto, tempDir, writeInputs } from './helpers.ts';

const limits = {
  maxUncompressedBytes: defaultLimits.maxXlsxUncompressedBytes,
  maxPartBytes: defaultLimits.maxXlsxPartBytes,
  maxCompressionRatio: defaultLimits.maxXlsxCompressionRatio,
  maxRowsPerSheet: defaultLimits.maxXlsxRowsPerSheet,
  maxColumns: defaultLimits.maxXlsxColumns,
  maxCells: defaultLimits.maxXlsxCells,
};

/** The reader this project used before streaming (exceljs `xlsx.load`), kept as the reference. */
function referenceText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return referenceText(value.result);
    if ('text' in value) return String(value.text);
    if ('error' in value) return String(value.error);
  }
  return '';
}

async function referenceRead(file: string, content: Buffer): Promise<Table[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(content as unknown as ExcelJS.Buffer);
  const tables: Table[] = [];
  for (const sheet of workbook.worksheets) {
    let header: TableRow | undefined;
    const rows: TableRow[] = [];
    sheet.eachRow({ includeEmpty: false }, (row, line) => {
      const values = row.values as ExcelJS.CellValue[];
      const cells = Array.from({ length: Math.max(0, values.length - 1) }, (_, i) =>
        referenceText(values[i + 1]).trim(),
      );
      if (cells.every((c) => c === '')) return;
      if (header === undefined) header = { line, cells };
      else rows.push({ line, cells });
    });
    if (header !== undefined) {
      tables.push({
        file,
        sheet: sheet.name,
        source: 'xlsx',
        header: header.cells,
        headerLine: header.line,
        rows,
      });
    }
  }
  return tables;
}

const VINFO_HEADER = [
  'VM',
  'Powerstate',
  'Template',
  'CPUs',
  'Memory',
  'Primary IP Address',
  'Creation date',
  'VM UUID',
  'VI SDK Server',
  'Annotation',
];

async function rvtoolsWorkbook(options: { date1904: boolean; sharedStrings: boolean }): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.properties.date1904 = options.date1904;
  const vInfo = workbook.addWorksheet('vInfo');
  vInfo.addRow(VINFO_HEADER);
  vInfo.addRow([
    'web01',
    'poweredOn',
    false,
    4,
    8192,
    '10.0.0.11',
    new Date('2019-01-15T10:24:00Z'),
    '4211a5c6-0c9b-2f3d-8e4f-a1b2c3d4e5f6',
    'vc01.contoso.local',
    'web tier',
  ]);
  vInfo.addRow([
    { richText: [{ text: 'db' }, { font: { bold: true }, text: '01' }] },
    'poweredOff',
    false,
    { formula: '2*4', result: 8 },
    { formula: '1024*16', result: 16384 },
    null,
    new Date('2021-06-30T23:59:59Z'),
    '4211a5c6-0c9b-2f3d-8e4f-a1b2c3d4e5f7',
    { text: 'vc01.contoso.local', hyperlink: 'https://vc01.contoso.local/' },
    { error: '#N/A' },
  ]);
  vInfo.addRow([]);
  vInfo.addRow([
    'app01',
    'suspended',
    true,
    2,
    4096,
    '10.0.0.12',
    null,
    null,
    'vc01.contoso.local',
    'O’Brien & <Co> "quoted" café 日本',
  ]);
  const vDisk = workbook.addWorksheet('vDisk');
  vDisk.addRow(['VM', 'Disk', 'Capacity MiB']);
  vDisk.addRow(['web01', 'Hard disk 1', 40960.5]);
  vDisk.getCell('A5').value = 'db01';
  vDisk.getCell('B5').value = 'Hard disk 1';
  vDisk.getCell('C5').value = 1.5e-7;
  workbook.addWorksheet('empty');
  return Buffer.from(await workbook.xlsx.writeBuffer({ useSharedStrings: options.sharedStrings }));
}

describe('streaming xlsx reader', () => {
  it.each([
    { date1904: false, sharedStrings: true },
    { date1904: true, sharedStrings: true },
    { date1904: false, sharedStrings: false },
  ])('reads what exceljs read: %o', async (options) => {
    const content = await rvtoolsWorkbook(options);
    const streamed = await readXlsx('RVTools_export_all.xlsx', content, { limits });
    expect(streamed).toEqual(await referenceRead('RVTools_export_all.xlsx', content));
    const vInfo = streamed[0];
    expect(vInfo?.rows.map((r) => r.line)).toEqual([2, 3, 5]);
    expect(vInfo?.rows[0]?.cells.slice(0, 7)).toEqual([
      'web01',
      'poweredOn',
      'False',
      '4',
      '8192',
      '10.0.0.11',
      '2019-01-15T10:24:00.000Z',
    ]);
    expect(vInfo?.rows[1]?.cells).toEqual([
      'db01',
      'poweredOff',
      'False',
      '8',
      '16384',
      '',
      '2021-06-30T23:59:59.000Z',
      '4211a5c6-0c9b-2f3d-8e4f-a1b2c3d4e5f7',
      'vc01.contoso.local',
      '#N/A',
    ]);
    expect(vInfo?.rows[2]?.cells[9]).toBe('O’Brien & <Co> "quoted" café 日本');
    expect(streamed.map((t) => t.sheet)).toEqual(['vInfo', 'vDisk']);
  });

  it('imports the workbook into the same estate as before streaming', async () => {
    const content = await rvtoolsWorkbook({ date1904: false, sharedStrings: true });
    const { paths } = writeInputs({ 'RVTools_export_all.xlsx': content });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, paths);
    expect(outcome.ok, JSON.stringify(outcome.errors)).toBe(true);
    const estate = JSON.parse(readFileSync(outcome.estatePath ?? '', 'utf8')) as {
      servers: { name: string; cpus: number; memoryMiB: number; poweredOn?: boolean; createdOn?: string }[];
    };
    const byName = new Map(estate.servers.map((s) => [s.name, s]));
    expect(byName.get('web01')).toMatchObject({
      cpus: 4,
      memoryMiB: 8192,
      poweredOn: true,
      createdOn: '2019-01-15T10:24:00.000Z',
    });
    expect(byName.get('db01')).toMatchObject({ cpus: 8, memoryMiB: 16384, poweredOn: false });
  });
});
