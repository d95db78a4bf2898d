/**
 * Workbook bombs: an xlsx that is tiny on disk but huge once read must be refused with a clear
 * error, in bounded memory, by the real `factory import` command, leaving the workspace unwritten.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultLimits } from '../../cli/assess/read-inputs.ts';
import { importInto, tempDir, writeInputs } from './helpers.ts';
import { repeatedPart, sheetXml, textCell, workbookOf } from './xlsx-builder.ts';

const projectRoot = join(import.meta.dirname, '../..');
const MAX_RSS_KB = 300 * 1024;

/** `factory import <file> --workspace <ws>` in a child process; resolves its exit code, output and peak RSS. */
function importInChild(
  file: string,
  workspace: string,
): Promise<{ code: number | null; stdout: string; stderr: string; maxRssKb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(projectRoot, 'test/assess/max-rss-cli.ts'),
        'import',
        file,
        '--workspace',
        workspace,
      ],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /maxRSS (\d+)/.exec(stderr)?.[1];
      resolve({ code, stdout, stderr, maxRssKb: rss === undefined ? Number.NaN : Number(rss) });
    });
  });
}

const VINFO_HEADER = ['VM', 'Powerstate', 'CPUs', 'Memory'];
const headerRow = `<row r="1">${VINFO_HEADER.map((h, i) => textCell(`${String.fromCharCode(65 + i)}1`, h)).join('')}</row>`;

/** One value in column XFD (16,384) on each of 20,000 rows: about 100 KB zipped. */
function xfdBomb(): Buffer {
  const rows: string[] = [headerRow];
  for (let r = 2; r <= 20_001; r += 1) rows.push(`<row r="${r}"><c r="XFD${r}"><v>1</v></c></row>`);
  return workbookOf([{ name: 'vInfo', xml: sheetXml(rows.join('')) }]);
}

/** A sheet whose XML unzips to 1.5 GiB of spaces from about 1.6 MB. */
const GIB_AND_A_HALF_BLOCKS = 1536;
function zipBomb() {
  const sheet = repeatedPart(
    'sheet',
    sheetXml(headerRow).replace('</sheetData></worksheet>', ''),
    Buffer.alloc(1024 * 1024, ' '),
    GIB_AND_A_HALF_BLOCKS,
    '</sheetData></worksheet>',
  );
  return { file: workbookOf([{ name: 'vInfo', xml: sheet }]), size: sheet.size };
}

describe('workbook bombs', () => {
  it('refuses one value in column XFD on 20,000 rows, in bounded memory, writing nothing', async () => {
    const bomb = xfdBomb();
    expect(bomb.length).toBeLessThan(200 * 1024);
    const { paths } = writeInputs({ 'RVTools_export_all.xlsx': bomb });
    const workspace = join(tempDir(), 'ws');
    const run = await importInChild(paths[0] ?? '', workspace);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout.split('\n')).toEqual([
      'Import failed with 1 errors; the workspace is unchanged.',
      '  error: RVTools_export_all.xlsx, sheet vInfo, row 2: cell XFD2 is in column 16384; the limit is column 1024 (AMJ, maxXlsxColumns)',
      '',
    ]);
    expect(existsSync(join(workspace, 'estate.json'))).toBe(false);
    expect(run.maxRssKb).toBeLessThan(MAX_RSS_KB);
  });

  it('refuses a sheet that unzips to 1.5 GiB before unzipping it, in bounded memory, writing nothing', async () => {
    const { file, size } = zipBomb();
    expect(file.length).toBeLessThan(4 * 1024 * 1024);
    const { paths } = writeInputs({ 'RVTools_export_all.xlsx': file });
    const workspace = join(tempDir(), 'ws');
    const run = await importInChild(paths[0] ?? '', workspace);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout.split('\n')).toEqual([
      'Import failed with 1 errors; the workspace is unchanged.',
      `  error: RVTools_export_all.xlsx: part xl/worksheets/sheet1.xml unzips to ${size} bytes; the limit is 536870912 (maxXlsxPartBytes)`,
      '',
    ]);
    expect(existsSync(join(workspace, 'estate.json'))).toBe(false);
    expect(run.maxRssKb).toBeLessThan(MAX_RSS_KB);
  });
});

describe('xlsx limits', () => {
  const row = (r: number, cells: string[]) =>
    `<row r="${r}">${cells.map((c, i) => textCell(`${String.fromCharCode(65 + i)}${r}`, c)).join('')}</row>`;
  const vm = (r: number) => row(r, [`vm${r}`, 'poweredOn', '2', '4096']);
  const vinfo = (...rows: string[]) =>
    workbookOf([{ name: 'vInfo', xml: sheetXml([row(1, VINFO_HEADER), ...rows].join('')) }]);

  async function refused(file: Buffer, limits = defaultLimits) {
    const { paths } = writeInputs({ 'RVTools_export_all.xlsx': file });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, paths, limits);
    expect(existsSync(join(workspace, 'estate.json'))).toBe(false);
    expect(outcome.ok).toBe(false);
    return outcome.errors;
  }

  it('imports a hand-built workbook within the limits', async () => {
    const { paths } = writeInputs({ 'RVTools_export_all.xlsx': vinfo(vm(2), vm(3)) });
    const { outcome } = await importInto(tempDir(), paths);
    expect(outcome.counts?.servers).toBe(2);
  });

  it('refuses more rows per sheet than the limit, naming the sheet and the first row past it', async () => {
    const errors = await refused(vinfo(vm(2), vm(3), vm(4)), { ...defaultLimits, maxXlsxRowsPerSheet: 2 });
    expect(errors).toEqual([
      {
        severity: 'error',
        file: 'RVTools_export_all.xlsx',
        sheet: 'vInfo',
        row: 4,
        rule: 'sheet has more than 2 rows; the limit is 2 (maxXlsxRowsPerSheet)',
      },
    ]);
  });

  it('refuses more cells than the limit, counting each row up to its last value', async () => {
    const wide = `<row r="3">${textCell('A3', 'vm3')}<c r="T3"><v>1</v></c></row>`;
    const errors = await refused(vinfo(vm(2), wide), { ...defaultLimits, maxXlsxCells: 20 });
    expect(errors[0]).toMatchObject({
      sheet: 'vInfo',
      row: 3,
      rule: 'the workbook holds more than 20 cells (each row counted up to its last value); the limit is 20 (maxXlsxCells)',
    });
  });

  it('ignores empty formatted cells past the column limit; only values there are refused', async () => {
    const formatted = `<row r="2">${textCell('A2', 'vm2')}${textCell('B2', 'poweredOn')}<c r="C2"><v>2</v></c><c r="D2"><v>4096</v></c><c r="XFD2" s="0"/></row>`;
    const { paths } = writeInputs({ 'RVTools_export_all.xlsx': vinfo(formatted) });
    const { outcome } = await importInto(tempDir(), paths);
    expect(outcome.ok).toBe(true);
    const errors = await refused(vinfo(row(2, ['vm2', 'poweredOn', '2', '4096', 'x'])), {
      ...defaultLimits,
      maxXlsxColumns: 4,
    });
    expect(errors[0]).toMatchObject({
      row: 2,
      rule: 'cell E2 is in column 5; the limit is column 4 (D, maxXlsxColumns)',
    });
  });

  it('refuses a part compressed beyond the ratio limit before unzipping it', async () => {
    const sheet = repeatedPart('sheet', '', Buffer.alloc(1024 * 1024, ' '), 8, '');
    const errors = await refused(workbookOf([{ name: 'vInfo', xml: sheet }]));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.rule).toMatch(
      /^part xl\/worksheets\/sheet1\.xml is compressed \d{3,}:1; the limit is 200:1 \(maxXlsxCompressionRatio; a zip bomb\?\)$/,
    );
  });

  it('refuses a workbook whose parts together unzip beyond the total limit', async () => {
    const sheet = repeatedPart('sheet', '', Buffer.alloc(1024 * 1024, ' '), 3, '');
    const file = workbookOf([
      { name: 'vInfo', xml: sheet },
      { name: 'vDisk', xml: sheet },
      { name: 'vPartition', xml: sheet },
    ]);
    const errors = await refused(file, {
      ...defaultLimits,
      maxXlsxCompressionRatio: 10_000,
      maxXlsxUncompressedBytes: 8 * 1024 * 1024,
    });
    expect(errors[0]?.rule).toMatch(
      /^workbook unzips to \d+ bytes; the limit is 8388608 \(maxXlsxUncompressedBytes\)$/,
    );
  });

  it('stops at the declared size when a part unzips to more than its directory entry says', async () => {
    const sheet = repeatedPart('sheet', sheetXml(row(1, VINFO_HEADER)), Buffer.alloc(1024, ' '), 64, '');
    const errors = await refused(workbookOf([{ name: 'vInfo', xml: { ...sheet, size: 2000 } }]));
    expect(errors[0]?.rule).toMatch(/^is not a readable xlsx workbook \(.*too many bytes/);
  });

  it('never unzips the RVTools sheets no importer reads', async () => {
    const broken = workbookOf([
      { name: 'vInfo', xml: sheetXml([row(1, VINFO_HEADER), vm(2)].join('')) },
      { name: 'vHealth', xml: '<worksheet><sheetData><row r="1"><c r="XFD1"><v>1</v></c>' },
    ]);
    const { paths } = writeInputs({ 'RVTools_export_all.xlsx': broken });
    const { outcome } = await importInto(tempDir(), paths);
    expect(outcome.ok).toBe(true);
    expect(outcome.counts?.servers).toBe(1);
  });
});
