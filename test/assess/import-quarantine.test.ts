/**
 * `factory import --quarantine`: the good rows are imported, the bad ones are written with their exact
 * errors to quarantine/ (one CSV per source sheet with `Import errors` and `Source row` first, and
 * errors.csv listing every error); errors that are not about one row still fail the import; without
 * the flag the import stays all-or-nothing. Inputs use RVTools' published vInfo columns.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../cli/assess/import-command.ts';
import { loadEstate } from '../../workspace/files.ts';
import { quarantineFiles } from '../../workspace/quarantine.ts';
import { runFactory, snapshot, tempDir, writeInputs, xlsx, rowsOf } from './helpers.ts';

const VINFO_HEADER =
  'VM,Powerstate,Template,CPUs,Memory,Primary IP Address,Creation date,VM UUID,VI SDK Server';
const vm = (n: number, cpus = '2', memory = '4096') =>
  `vm${n},poweredOn,False,${cpus},${memory},10.0.0.${n},2020-01-01,uuid-${n},vc1`;
const vinfo = (...rows: string[]) => `${[VINFO_HEADER, ...rows].join('\n')}\n`;
const DB_HEADER =
  'Database,Engine,Version,Size (GB),Log rate (MB/s),Change rate (GB/day),Host server,Application,Target';

/** vm2's CPUs are not a number, vm3 has no memory, vm5 repeats vm4's UUID (a true duplicate). */
const withBadRows = () =>
  writeInputs({
    'vc1/RVTools_tabvInfo.csv': vinfo(
      vm(1),
      vm(2, 'abc'),
      vm(3, '2', ''),
      vm(4),
      'vm4,poweredOn,False,2,4096,10.0.0.4,2020-01-01,uuid-4,vc1',
      vm(6),
    ),
    'databases.csv': `${DB_HEADER}\norders,SQL Server,2019,100,,,vm1,,\norders,SQL Server,2019,120,,,vm1,,\n`,
  });

const importQuarantining = async (workspace: string, paths: string[], add = false) => {
  const lines: string[] = [];
  const outcome = await runImport({
    paths,
    workspace,
    quarantine: true,
    add,
    print: (line) => lines.push(line),
  });
  return { outcome, lines };
};

const BOM = '\uFEFF';
const crlf = (...lines: string[]) => `${BOM}${lines.join('\r\n')}\r\n`;

describe('import --quarantine', () => {
  it('imports the good rows and writes the bad ones with their exact errors', async () => {
    const workspace = tempDir();
    const { paths } = withBadRows();
    const { outcome, lines } = await importQuarantining(workspace, paths);

    expect(outcome.ok).toBe(true);
    expect(outcome.counts).toMatchObject({ servers: 3, databases: 1 });
    expect(outcome.quarantine).toEqual({
      rows: 4,
      errors: 4,
      sheets: 2,
      folder: join(workspace, 'quarantine'),
      files: [
        join(workspace, 'quarantine/RVTools_tabvInfo.csv'),
        join(workspace, 'quarantine/databases.csv'),
        join(workspace, 'quarantine/errors.csv'),
      ],
    });
    expect(lines[1]).toMatch(
      /^Quarantined 4 rows \(4 errors\) from 2 sheets into .*quarantine: see errors\.csv there; fix the rows and import again$/,
    );
    const estate = await loadEstate(workspace);
    expect(estate.servers.map((s) => s.name).sort()).toEqual(['vm1', 'vm4', 'vm6']);
    expect(estate.databases.map((d) => d.sizeGB)).toEqual([100]);
    expect(estate.warnings).toContainEqual({
      severity: 'warning',
      file: 'RVTools_tabvInfo.csv',
      rule: '3 row(s) with errors quarantined to quarantine/RVTools_tabvInfo.csv; not imported',
    });

    const quarantine = join(workspace, 'quarantine');
    expect(readdirSync(quarantine).sort()).toEqual(['RVTools_tabvInfo.csv', 'databases.csv', 'errors.csv']);
    expect(readFileSync(join(quarantine, 'RVTools_tabvInfo.csv'), 'utf8')).toBe(
      crlf(
        `Import errors,Source row,${VINFO_HEADER}`,
        `"column ""CPUs"" value ""abc"": must be a whole number from 1 to 1024",3,${vm(2, 'abc')}`,
        `"column ""Memory"": required value is empty",4,${vm(3, '2', '')}`,
        `"column ""VM UUID"" value ""uuid-4"": each VM may appear once per file (also at row 5)",6,vm4,poweredOn,False,2,4096,10.0.0.4,2020-01-01,uuid-4,vc1`,
      ),
    );
    expect(readFileSync(join(quarantine, 'databases.csv'), 'utf8')).toBe(
      crlf(
        `Import errors,Source row,${DB_HEADER}`,
        `"column ""Database"" value ""orders"": a database must appear once per host server (first listed at row 2)",3,orders,SQL Server,2019,120,,,vm1,,`,
      ),
    );
    expect(readFileSync(join(quarantine, 'errors.csv'), 'utf8')).toBe(
      crlf(
        'File,Sheet,Row,Column,Value,Rule,Quarantine file',
        'RVTools_tabvInfo.csv,,3,CPUs,abc,must be a whole number from 1 to 1024,quarantine/RVTools_tabvInfo.csv',
        'RVTools_tabvInfo.csv,,4,Memory,,required value is empty,quarantine/RVTools_tabvInfo.csv',
        'RVTools_tabvInfo.csv,,6,VM UUID,uuid-4,each VM may appear once per file (also at row 5),quarantine/RVTools_tabvInfo.csv',
        'databases.csv,,3,Database,orders,a database must appear once per host server (first listed at row 2),quarantine/databases.csv',
      ),
    );
  });

  it('exits 0 from the CLI with --quarantine and 1 without, leaving the workspace unchanged', async () => {
    const { paths } = withBadRows();
    const strict = tempDir();
    const failed = await runFactory(['import', ...paths, '--workspace', strict]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('Import failed with 4 errors; the workspace is unchanged.');
    expect(readdirSync(strict)).toEqual([]);

    const lenient = tempDir();
    const run = await runFactory(['import', ...paths, '--workspace', lenient, '--quarantine']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Imported 3 servers');
    expect(run.stdout).toContain('Quarantined 4 rows (4 errors) from 2 sheets');
  }, 60_000);

  it('keeps the default all-or-nothing: a failed import touches nothing, not even a good workspace', async () => {
    const workspace = tempDir();
    const good = writeInputs({ 'RVTools_tabvInfo.csv': vinfo(vm(1)) });
    expect((await runImport({ paths: good.paths, workspace, print: () => undefined })).ok).toBe(true);
    const before = snapshot(workspace);
    const { paths } = withBadRows();
    const outcome = await runImport({ paths, workspace, print: () => undefined });
    expect(outcome.ok).toBe(false);
    expect(outcome.errors).toHaveLength(4);
    expect(snapshot(workspace)).toEqual(before);
  });

  it.each<{ name: string; files: Record<string, string | Buffer>; rule: string }>([
    {
      name: 'a missing required column',
      files: { 'RVTools_tabvInfo.csv': 'VM,Powerstate,Memory\nvm1,poweredOn,4096\n' },
      rule: 'required column is missing from the header',
    },
    {
      name: 'a file of no accepted format',
      files: { 'notes.csv': 'Colour,Shape\nred,round\n' },
      rule: 'header matches no accepted format',
    },
    {
      name: 'a file that is not UTF-8',
      files: { 'RVTools_tabvInfo.csv': Buffer.from([0x56, 0x4d, 0x0a, 0xff, 0xfe, 0x0a]) },
      rule: 'must be UTF-8 text',
    },
  ])('still fails on $name, with bad rows beside it, and changes nothing', async ({ files, rule }) => {
    const workspace = tempDir();
    const { paths } = writeInputs({ ...files, 'vc1/RVTools_tabvInfo.csv': vinfo(vm(1), vm(2, 'abc')) });
    const before = snapshot(workspace);
    const { outcome, lines } = await importQuarantining(workspace, paths);
    expect(outcome.ok).toBe(false);
    expect(outcome.errors.some((e) => e.rule.includes(rule))).toBe(true);
    expect(lines[0]).toMatch(/^Import failed with \d+ errors; the workspace is unchanged\.$/);
    expect(snapshot(workspace)).toEqual(before);
  });

  it('fails on a path that does not exist', async () => {
    const workspace = tempDir();
    const { paths } = withBadRows();
    const { outcome } = await importQuarantining(workspace, [...paths, '/nonexistent/RVTools.xlsx']);
    expect(outcome.ok).toBe(false);
    expect(outcome.errors).toContainEqual({
      severity: 'error',
      file: '/nonexistent/RVTools.xlsx',
      rule: 'file does not exist or cannot be read',
    });
    expect(existsSync(workspace) ? readdirSync(workspace) : []).toEqual([]);
  });

  it('names an xlsx sheet in the quarantine file name and keeps every error of a row', async () => {
    const workspace = tempDir();
    const { paths } = writeInputs({
      'export.xlsx': await xlsx({
        vInfo: rowsOf(`${VINFO_HEADER}\n${vm(1)}\n${vm(2, 'x', 'y')}`),
      }),
    });
    const { outcome } = await importQuarantining(workspace, paths);
    expect(outcome.quarantine).toMatchObject({ rows: 1, errors: 2, sheets: 1 });
    expect(readFileSync(join(workspace, 'quarantine/export.vInfo.csv'), 'utf8')).toBe(
      crlf(
        `Import errors,Source row,${VINFO_HEADER}`,
        `"column ""CPUs"" value ""x"": must be a whole number from 1 to 1024; column ""Memory"" value ""y"": must be a whole number from 1 to 67108864",3,${vm(2, 'x', 'y')}`,
      ),
    );
  });

  it('takes the fixed quarantine file back with --add, and a clean import clears the folder', async () => {
    const workspace = tempDir();
    const { paths } = writeInputs({ 'RVTools_tabvInfo.csv': vinfo(vm(1), vm(2, 'abc')) });
    await importQuarantining(workspace, paths);
    const held = readFileSync(join(workspace, 'quarantine/RVTools_tabvInfo.csv'), 'utf8');
    const fixed = writeInputs({ 'fixed/RVTools_tabvInfo.csv': held.replace(',abc,', ',4,') });
    const { outcome } = await importQuarantining(workspace, fixed.paths, true);
    expect(outcome.ok).toBe(true);
    const estate = await loadEstate(workspace);
    expect(estate.servers.map((s) => [s.name, s.cpus])).toEqual([
      ['vm1', 2],
      ['vm2', 4],
    ]);
    // The original file still holds the bad row: it stays listed, under the name it now has.
    expect(readdirSync(join(workspace, 'quarantine')).sort()).toEqual([
      `${basename(dirname(paths[0] ?? ''))}_RVTools_tabvInfo.csv`,
      'errors.csv',
    ]);

    const clean = writeInputs({ 'RVTools_tabvInfo.csv': vinfo(vm(7)) });
    expect((await runImport({ paths: clean.paths, workspace, print: () => undefined })).ok).toBe(true);
    expect(existsSync(join(workspace, 'quarantine'))).toBe(false);
  });

  it("gives each sheet its own file name, never the index's", () => {
    const sheet = (file: string, sheetName?: string) => ({
      file,
      ...(sheetName === undefined ? {} : { sheet: sheetName }),
      header: ['Database'],
      rows: [{ row: { line: 2, cells: ['x'] }, issues: [] }],
    });
    const files = quarantineFiles([
      sheet('errors.csv'),
      sheet('vc1/RVTools_tabvInfo.csv'),
      sheet('Export (2).xlsx', 'vInfo'),
      sheet('vc1_RVTools_tabvInfo.csv'),
    ]);
    expect(files.map((f) => f.path)).toEqual([
      'quarantine/errors-2.csv',
      'quarantine/vc1_RVTools_tabvInfo.csv',
      'quarantine/Export_2_.vInfo.csv',
      'quarantine/vc1_RVTools_tabvInfo-2.csv',
      'quarantine/errors.csv',
    ]);
  });
});
