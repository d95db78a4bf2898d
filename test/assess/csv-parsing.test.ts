/**
 * CSV reading (csv-parse, strict RFC 4180), rows that end early, and control characters: each case
 * runs the real import and checks the exact error or warning and what reaches the estate.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../cli/assess/read-csv.ts';
import { importInto, tempDir, writeInputs, xlsx } from './helpers.ts';
import { sheetXml, textCell, workbookOf } from './xlsx-builder.ts';

const VINFO_HEADER =
  'VM,Powerstate,Template,CPUs,Memory,Primary IP Address,Creation date,VM UUID,VI SDK Server';
const goodVm = (n: number) => `vm${n},poweredOn,False,2,4096,10.0.0.${n},2020-01-01,uuid-${n},vc1`;

async function importCsv(files: Record<string, string | Buffer>) {
  const { paths } = writeInputs(files);
  const workspace = tempDir();
  const result = await importInto(workspace, paths);
  return { ...result, workspace };
}

const servers = (estatePath: string | undefined) =>
  (
    JSON.parse(readFileSync(estatePath ?? '', 'utf8')) as {
      servers: { name: string; os?: string; cpus: number }[];
    }
  ).servers;

describe('CSV parsing', () => {
  it('refuses text after a closing quote ("a"b) instead of reading it as ab, naming row and column', async () => {
    const { outcome } = await importCsv({
      'RVTools_tabvInfo.csv': [VINFO_HEADER, goodVm(1), 'vm2,"powered"On,False,2,4096,,,,vc1'].join('\n'),
    });
    expect(outcome.errors).toEqual([
      {
        severity: 'error',
        file: 'RVTools_tabvInfo.csv',
        row: 3,
        column: 'Powerstate',
        rule: 'text follows the closing quote of a quoted cell (RFC 4180: a quoted cell ends at the quote; write "" for a quote inside it)',
      },
    ]);
  });

  it('refuses a quote inside an unquoted cell', () => {
    expect(parseCsv('f.csv', 'VM,OS\nvm1,Windows "Server"\n')).toEqual({
      ok: false,
      row: 2,
      column: 'OS',
      rule: 'a cell holding a quote must be quoted as a whole, with each quote doubled (RFC 4180: "a ""b"" c")',
    });
  });

  it('reads doubled quotes and delimiters inside quoted cells', () => {
    const parsed = parseCsv('f.csv', 'VM,Annotation\nvm1,"says ""hi"", twice"\n');
    expect(parsed.ok && parsed.table.rows[0]?.cells).toEqual(['vm1', 'says "hi", twice']);
  });

  it('counts a quoted cell spanning lines as one row and blank lines as rows, as a spreadsheet does', async () => {
    const text = [
      VINFO_HEADER + ',Annotation',
      `${goodVm(1)},"line one`,
      'line two"',
      '',
      'vm3,poweredOn,False,many,4096,,,,vc1,',
    ].join('\r\n');
    const parsed = parseCsv('RVTools_tabvInfo.csv', text);
    expect(parsed.ok && parsed.table.rows.map((r) => [r.line, r.cells.at(-1)])).toEqual([
      [2, 'line one\r\nline two'],
      [4, ''],
    ]);
    const { outcome } = await importCsv({ 'RVTools_tabvInfo.csv': text });
    expect(outcome.errors).toEqual([expect.objectContaining({ row: 4, column: 'CPUs', value: 'many' })]);
  });

  it('reads ";"-separated files (European Excel) and a UTF-8 BOM', async () => {
    const text = `\uFEFF${VINFO_HEADER.replaceAll(',', ';')}\r\nvm1;poweredOn;False;4;8192;"10.0.0.1";;uuid-1;vc1\r\n`;
    const { outcome } = await importCsv({ 'RVTools_tabvInfo.csv': text });
    expect(outcome.ok, JSON.stringify(outcome.errors)).toBe(true);
    expect(servers(outcome.estatePath)).toEqual([expect.objectContaining({ name: 'vm1', cpus: 4 })]);
  });

  it('accepts LF, CRLF and CR line ends in one file', () => {
    const parsed = parseCsv('f.csv', 'VM,CPUs\nvm1,1\r\nvm2,2\rvm3,3');
    expect(parsed.ok && parsed.table.rows.map((r) => r.cells)).toEqual([
      ['vm1', '1'],
      ['vm2', '2'],
      ['vm3', '3'],
    ]);
  });
});

describe('short rows', () => {
  it('names a CSV row that ends before a required column as short, once, not as empty values', async () => {
    const { outcome } = await importCsv({
      'RVTools_tabvInfo.csv': [VINFO_HEADER, goodVm(1), 'vm2,poweredOn,False,2', goodVm(3)].join('\n'),
    });
    expect(outcome.errors).toEqual([
      {
        severity: 'error',
        file: 'RVTools_tabvInfo.csv',
        row: 3,
        rule: 'row has 4 cells but the header has 9 columns; the row ends early (before column "Memory")',
      },
    ]);
  });

  it('takes a CSV row that ends after every required column as having empty optional cells', async () => {
    const { outcome } = await importCsv({
      'RVTools_tabvInfo.csv': [VINFO_HEADER, goodVm(1), 'vm2,poweredOn,False,2,4096'].join('\n'),
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.counts?.servers).toBe(2);
  });

  it('does not call an xlsx row short: xlsx leaves out empty trailing cells', async () => {
    const rows = [
      VINFO_HEADER.split(','),
      ['vm1', 'poweredOn', 'False', '2', '4096'],
      ['vm2', 'poweredOn', 'False', '2'],
    ];
    const { outcome } = await importCsv({ 'RVTools_export_all.xlsx': await xlsx({ vInfo: rows }) });
    expect(outcome.errors).toEqual([
      {
        severity: 'error',
        file: 'RVTools_export_all.xlsx',
        sheet: 'vInfo',
        row: 3,
        column: 'Memory',
        rule: 'required value is empty',
      },
    ]);
  });
});

describe('control characters', () => {
  it('strips them from every cell read, with one warning per cell showing the escaped value', async () => {
    const { outcome } = await importCsv({
      'RVTools_tabvInfo.csv': [
        `${VINFO_HEADER},OS according to the VMware Tools`,
        `\u001b[31mweb01\u001b[0m,poweredOn,False,2,4096,,,,vc1,Windows Server 2019\u0007`,
        `${goodVm(2)},Ubuntu\u009b2J Linux (64-bit)`,
      ].join('\n'),
    });
    expect(outcome.ok, JSON.stringify(outcome.errors)).toBe(true);
    expect(outcome.warnings).toEqual([
      {
        severity: 'warning',
        file: 'RVTools_tabvInfo.csv',
        row: 2,
        column: 'VM',
        value: '\\u001b[31mweb01\\u001b[0m',
        rule: 'control characters were removed from the cell',
      },
      expect.objectContaining({
        row: 2,
        column: 'OS according to the VMware Tools',
        value: 'Windows Server 2019\\u0007',
      }),
      expect.objectContaining({
        row: 3,
        column: 'OS according to the VMware Tools',
        value: 'Ubuntu\\u009b2J Linux (64-bit)',
      }),
    ]);
    expect(
      servers(outcome.estatePath)
        .map((s) => [s.name, s.os])
        .sort(),
    ).toEqual([
      ['vm2', 'Ubuntu Linux (64-bit)'],
      ['web01', 'Windows Server 2019'],
    ]);
  });

  it('strips them from xlsx cells too (Excel stores ESC as _x001B_)', async () => {
    // exceljs drops characters XML 1.0 cannot hold, so the sheet is written by hand as Excel writes it.
    const row = (r: number, cells: string[]) =>
      `<row r="${r}">${cells.map((c, i) => textCell(`${String.fromCharCode(65 + i)}${r}`, c)).join('')}</row>`;
    const workbook = workbookOf([
      {
        name: 'vInfo',
        xml: sheetXml(
          row(1, VINFO_HEADER.split(',')) +
            row(2, ['db_x001B_]0;pwned_x0007_01', 'poweredOn', 'False', '2', '4096']),
        ),
      },
    ]);
    const { outcome } = await importCsv({ 'RVTools_export_all.xlsx': workbook });
    expect(outcome.ok, JSON.stringify(outcome.errors)).toBe(true);
    expect(outcome.warnings).toEqual([
      expect.objectContaining({ sheet: 'vInfo', row: 2, column: 'VM', value: 'db\\u001b]0;pwned\\u000701' }),
    ]);
    expect(servers(outcome.estatePath).map((s) => s.name)).toEqual(['db01']);
  });
});
