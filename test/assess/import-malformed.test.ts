/**
 * Malformed input: each case must fail the whole import with an error naming the file, sheet, row,
 * column, value and rule, and must leave the workspace exactly as it was.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultLimits, type InputLimits } from '../../cli/assess/read-inputs.ts';
import type { ImportIssue } from '../../domain/inventory/issues.ts';
import {
  docsFile,
  docsFormats,
  importInto,
  rowsOf,
  snapshot,
  tempDir,
  writeInputs,
  xlsx,
} from './helpers.ts';

const VINFO_HEADER =
  'VM,Powerstate,Template,CPUs,Memory,Primary IP Address,Creation date,VM UUID,VI SDK Server';
const vinfo = (...rows: string[]) => [VINFO_HEADER, ...rows].join('\n');
const goodVm = (n: number) => `vm${n},poweredOn,False,2,4096,10.0.0.${n},2020-01-01,uuid-${n},vc1`;

const MIGRATE = docsFile('azure-migrate-import.csv');
const migrateHeader = MIGRATE.split('\n')[0] ?? '';
const migrate = (row: string, header = migrateHeader) => `${header}\n${row}\n`;
const migrateRow = (overrides: Record<number, string>) => {
  const cells = (MIGRATE.split('\n')[1] ?? '').split(',');
  for (const [i, v] of Object.entries(overrides)) cells[Number(i)] = v;
  return cells.join(',');
};

const DEPS_HEADER =
  'Time slot,Source server name,Source IP,Source process,Destination server name,Destination IP,Destination process,Destination port';
const SLOT = '1/15/2024 6:00 AM - 1/15/2024 12:00 PM';
const CATALOG = docsFile('service-catalog.csv');
const catalogHeader = CATALOG.split('\n')[0] ?? '';
const catalogRow = (overrides: Record<number, string>) => {
  const cells = (CATALOG.split('\n')[1] ?? '').split(',');
  for (const [i, v] of Object.entries(overrides)) cells[Number(i)] = v;
  return `${catalogHeader}\n${cells.join(',')}\n`;
};
const DB_HEADER =
  'Database,Engine,Version,Size (GB),Log rate (MB/s),Change rate (GB/day),Host server,Application,Target';

type Expected = Partial<ImportIssue> & { rule: string };
interface Case {
  name: string;
  files: () => Promise<Record<string, string | Buffer>> | Record<string, string | Buffer>;
  expected: Expected;
  limits?: InputLimits;
}

const cases: Case[] = [
  {
    name: 'vInfo CPUs not a number',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo(goodVm(1), 'vm2,poweredOn,False,abc,4096,,,,vc1') }),
    expected: {
      file: 'RVTools_tabvInfo.csv',
      row: 3,
      column: 'CPUs',
      value: 'abc',
      rule: 'must be a whole number from 1 to 1024',
    },
  },
  {
    name: 'vInfo CPUs zero',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo('vm2,poweredOn,False,0,4096,,,,vc1') }),
    expected: { row: 2, column: 'CPUs', value: '0', rule: 'must be a whole number from 1 to 1024' },
  },
  {
    name: 'vInfo negative memory',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo('vm2,poweredOn,False,2,-1,,,,vc1') }),
    expected: { row: 2, column: 'Memory', value: '-1', rule: 'must be a whole number from 1 to 67108864' },
  },
  {
    name: 'vInfo required column missing',
    files: () => ({ 'RVTools_tabvInfo.csv': 'VM,Powerstate,Memory\nvm1,poweredOn,4096\n' }),
    expected: {
      file: 'RVTools_tabvInfo.csv',
      row: 1,
      column: 'CPUs',
      rule: 'required column is missing from the header',
    },
  },
  {
    name: 'vInfo empty VM name',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo(goodVm(1), ',poweredOn,False,2,4096,,,,vc1') }),
    expected: { row: 3, column: 'VM', rule: 'required value is empty' },
  },
  {
    name: 'vInfo Template not a boolean',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo('vm2,poweredOn,maybe,2,4096,,,,vc1') }),
    expected: { row: 2, column: 'Template', value: 'maybe', rule: 'must be True or False (or Yes/No, Y/N)' },
  },
  {
    name: 'vInfo impossible date',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo('vm2,poweredOn,False,2,4096,,2/30/2020,,vc1') }),
    expected: {
      row: 2,
      column: 'Creation date',
      value: '2/30/2020',
      rule: 'must be a date (ISO 8601, M/D/YYYY or an Excel serial number)',
    },
  },
  {
    name: 'vInfo Excel serial out of range',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo('vm2,poweredOn,False,2,4096,,9999999,,vc1') }),
    expected: {
      row: 2,
      column: 'Creation date',
      value: '9999999',
      rule: 'must be a date (ISO 8601, M/D/YYYY or an Excel serial number)',
    },
  },
  {
    name: 'vInfo unknown power state',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo('vm2,running,False,2,4096,,,,vc1') }),
    expected: {
      row: 2,
      column: 'Powerstate',
      value: 'running',
      rule: 'must be one of poweredOn, poweredOff, suspended',
    },
  },
  {
    name: 'vInfo bad IP address',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo('vm2,poweredOn,False,2,4096,10.0.0.256,,,vc1') }),
    expected: {
      row: 2,
      column: 'Primary IP Address',
      value: '10.0.0.256',
      rule: 'must be IP addresses ("10.0.0.256" is not one)',
    },
  },
  {
    name: 'vInfo duplicate VM UUID in one file',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo(goodVm(1), goodVm(2), goodVm(1)) }),
    expected: {
      row: 4,
      column: 'VM UUID',
      value: 'uuid-1',
      rule: 'each VM may appear once per file (also at row 2)',
    },
  },
  {
    name: 'vInfo row with more cells than the header',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo(`${goodVm(1)},surplus`) }),
    expected: { row: 2, rule: 'row has 10 cells but the header has 9 columns' },
  },
  {
    name: 'vDisk capacity not a number',
    files: () => ({
      'RVTools_tabvInfo.csv': vinfo(goodVm(1)),
      'RVTools_tabvDisk.csv': 'VM,Disk,Capacity MiB,VM UUID\nvm1,Hard disk 1,big,uuid-1\n',
    }),
    expected: {
      file: 'RVTools_tabvDisk.csv',
      row: 2,
      column: 'Capacity MiB',
      value: 'big',
      rule: 'must be a number from 0 to 1073741824',
    },
  },
  {
    name: 'vDisk capacity column missing',
    files: () => ({ 'RVTools_tabvDisk.csv': 'VM,Disk,Capacity\nvm1,Hard disk 1,10\n' }),
    expected: {
      file: 'RVTools_tabvDisk.csv',
      row: 1,
      column: 'Capacity MiB',
      rule: 'required column is missing from the header',
    },
  },
  {
    name: 'vPartition negative consumed',
    files: () => ({ 'RVTools_tabvPartition.csv': 'VM,Disk,Consumed MiB\nvm1,C:\\,-5\n' }),
    expected: {
      file: 'RVTools_tabvPartition.csv',
      row: 2,
      column: 'Consumed MiB',
      value: '-5',
      rule: 'must be a number from 0 to 1073741824',
    },
  },
  {
    name: 'vHost CPU usage above 100 %',
    files: () => ({ 'RVTools_tabvHost.csv': 'Host,# Cores,# Memory,CPU usage %\nesx1,40,524288,150\n' }),
    expected: {
      file: 'RVTools_tabvHost.csv',
      row: 2,
      column: 'CPU usage %',
      value: '150',
      rule: 'must be a number from 0 to 100',
    },
  },
  {
    name: 'vNetwork IPv4 not an address',
    files: () => ({
      'RVTools_tabvNetwork.csv': 'VM,NIC label,IPv4 Address\nvm1,Network adapter 1,not-an-ip\n',
    }),
    expected: {
      file: 'RVTools_tabvNetwork.csv',
      row: 2,
      column: 'IPv4 Address',
      value: 'not-an-ip',
      rule: 'must be IP addresses ("not-an-ip" is not one)',
    },
  },
  {
    name: 'Azure Migrate CSV without the *Cores column',
    files: () => ({
      'migrate.csv': migrate(
        'web01,10.0.0.1,4096,Windows Server 2019',
        '*Server name,IP addresses,*Memory (In MB),*OS name',
      ),
    }),
    expected: {
      file: 'migrate.csv',
      row: 1,
      column: 'Cores',
      rule: 'required column is missing from the header',
    },
  },
  {
    name: 'Azure Migrate memory with a unit',
    files: () => ({ 'migrate.csv': migrate(migrateRow({ 3: '16GB' })) }),
    expected: {
      file: 'migrate.csv',
      row: 2,
      column: 'Memory (In MB)',
      value: '16GB',
      rule: 'must be a whole number from 1 to 67108864',
    },
  },
  {
    name: 'Azure Migrate disk block numbered past 20',
    files: () => ({
      'migrate.csv': migrate(
        'web01,2,4096,Windows Server 2019,100',
        '*Server name,*Cores,*Memory (In MB),*OS name,Disk 21 size (In GB)',
      ),
    }),
    expected: {
      file: 'migrate.csv',
      row: 1,
      column: 'Disk 21 size (In GB)',
      rule: 'disk column blocks must be numbered 1 to 20',
    },
  },
  {
    name: 'Azure Migrate negative disk read ops',
    files: () => ({ 'migrate.csv': migrate(migrateRow({ 18: '-3' })) }),
    expected: {
      row: 2,
      column: 'Disk 1 read ops (operations per second)',
      value: '-3',
      rule: 'must be a number from 0 to 10000000',
    },
  },
  {
    name: 'Azure Migrate unknown OS architecture',
    files: () => ({ 'migrate.csv': migrate(migrateRow({ 6: 'arm64' })) }),
    expected: {
      row: 2,
      column: 'OS architecture',
      value: 'arm64',
      rule: 'must be one of x64, x86, amd64, 32-bit, 64-bit',
    },
  },
  {
    name: 'Azure Migrate CPU utilisation above 100',
    files: () => ({ 'migrate.csv': migrate(migrateRow({ 9: '101' })) }),
    expected: {
      row: 2,
      column: 'CPU utilization percentage',
      value: '101',
      rule: 'must be a number from 0 to 100',
    },
  },
  {
    name: 'Azure Migrate unknown boot type',
    files: () => ({ 'migrate.csv': migrate(migrateRow({ 12: 'legacy' })) }),
    expected: { row: 2, column: 'Boot type', value: 'legacy', rule: 'must be one of BIOS, UEFI' },
  },
  {
    name: 'Azure Migrate duplicate server name',
    files: () => ({
      'migrate.csv': `${migrateHeader}\n${migrateRow({})}\n${migrateRow({ 1: '10.0.1.99' })}\n`,
    }),
    expected: {
      row: 3,
      column: 'Server name',
      value: 'web01',
      rule: 'each VM may appear once per file (also at row 2)',
    },
  },
  {
    name: 'dependency port out of range',
    files: () => ({ 'deps.csv': `${DEPS_HEADER}\n${SLOT},web01,10.0.0.1,w3wp,app01,10.0.0.2,java,70000\n` }),
    expected: {
      file: 'deps.csv',
      row: 2,
      column: 'Destination port',
      value: '70000',
      rule: 'must be a whole number from 0 to 65535',
    },
  },
  {
    name: 'dependency source IP invalid',
    files: () => ({ 'deps.csv': `${DEPS_HEADER}\n${SLOT},web01,999.1.1.1,w3wp,app01,10.0.0.2,java,80\n` }),
    expected: { row: 2, column: 'Source IP', value: '999.1.1.1', rule: 'must be an IPv4 or IPv6 address' },
  },
  {
    name: 'dependency time slot whose minutes roll over',
    files: () => ({
      'deps.csv': `${DEPS_HEADER}\n1/15/2024 10:75 AM,web01,10.0.0.1,w3wp,app01,10.0.0.2,java,80\n`,
    }),
    expected: {
      file: 'deps.csv',
      row: 2,
      column: 'Time slot',
      value: '1/15/2024 10:75 AM',
      rule: 'must be a time slot: one date or "start - end"',
    },
  },
  {
    name: 'dependency time slot ending before it starts',
    files: () => ({
      'deps.csv': `${DEPS_HEADER}\n2024-01-15T06:00Z - 2024-01-15T00:00Z,web01,10.0.0.1,w3wp,app01,10.0.0.2,java,80\n`,
    }),
    expected: { row: 2, column: 'Time slot', rule: 'a time slot must not end before it starts' },
  },
  {
    name: 'dependency row without any destination',
    files: () => ({ 'deps.csv': `${DEPS_HEADER}\n${SLOT},web01,10.0.0.1,w3wp,,,java,80\n` }),
    expected: {
      row: 2,
      column: 'Destination server name',
      rule: 'a connection needs a destination server name or IP',
    },
  },
  {
    name: 'catalog unknown migration strategy',
    files: () => ({ 'catalog.csv': catalogRow({ 11: 'Lift and shift' }) }),
    expected: {
      file: 'catalog.csv',
      row: 2,
      column: 'Migration strategy',
      value: 'Lift and shift',
      rule: 'must be one of Rehost, Refactor, Rearchitect, Rebuild',
    },
  },
  {
    name: 'catalog technical complexity out of range',
    files: () => ({ 'catalog.csv': catalogRow({ 12: '6' }) }),
    expected: {
      row: 2,
      column: 'Technical complexity',
      value: '6',
      rule: 'must be a whole number from 1 to 5',
    },
  },
  {
    name: 'catalog migration priority 4',
    files: () => ({ 'catalog.csv': catalogRow({ 14: '4' }) }),
    expected: {
      row: 2,
      column: 'Migration priority',
      value: '4',
      rule: 'must be a whole number from 1 to 3',
    },
  },
  {
    name: 'catalog POC candidate not Y/N',
    files: () => ({ 'catalog.csv': catalogRow({ 7: 'maybe' }) }),
    expected: {
      row: 2,
      column: 'POC candidate',
      value: 'maybe',
      rule: 'must be True or False (or Yes/No, Y/N)',
    },
  },
  {
    name: 'catalog unknown technical debt',
    files: () => ({ 'catalog.csv': catalogRow({ 8: 'Lots' }) }),
    expected: { row: 2, column: 'Technical debt', value: 'Lots', rule: 'must be one of None, Some, Severe' },
  },
  {
    name: 'catalog duplicate application',
    files: () => ({
      'catalog.csv': `${CATALOG.trim()}\n${(CATALOG.split('\n')[1] ?? '').replace('Order Portal', 'order portal')}\n`,
    }),
    expected: {
      row: 4,
      column: 'Application',
      value: 'order portal',
      rule: 'application names must be unique (first listed at row 2)',
    },
  },
  {
    name: 'catalog without Business group column',
    files: () => ({ 'catalog.csv': 'Application,Migration strategy\nA,Rehost\n' }),
    expected: { row: 1, column: 'Business group', rule: 'required column is missing from the header' },
  },
  {
    name: 'database unknown engine',
    files: () => ({ 'databases.csv': `${DB_HEADER}\norders,Oracle,19c,100,,,db01,,\n` }),
    expected: {
      file: 'databases.csv',
      row: 2,
      column: 'Engine',
      value: 'Oracle',
      rule: 'must be one of SQL Server, MySQL, PostgreSQL',
    },
  },
  {
    name: 'database negative size',
    files: () => ({ 'databases.csv': `${DB_HEADER}\norders,MySQL,8.0,-1,,,db01,,\n` }),
    expected: { row: 2, column: 'Size (GB)', value: '-1', rule: 'must be a number from 0 to 1000000' },
  },
  {
    name: 'database unknown target',
    files: () => ({ 'databases.csv': `${DB_HEADER}\norders,MySQL,8.0,10,,,db01,,Cosmos DB\n` }),
    expected: {
      row: 2,
      column: 'Target',
      value: 'Cosmos DB',
      rule: 'must be one of Azure SQL Database, Azure SQL Managed Instance',
    },
  },
  {
    name: 'CSV with an unterminated quote',
    files: () => ({
      'RVTools_tabvInfo.csv': vinfo(goodVm(1), 'vm2,"poweredOn,False,2,4096,,,,vc1', goodVm(3)),
    }),
    expected: { file: 'RVTools_tabvInfo.csv', row: 3, rule: 'quoted cell is never closed (missing ")' },
  },
  {
    name: 'CSV that is not UTF-8',
    files: () => ({ 'catalog.csv': Buffer.from(`${catalogHeader}\nCaf\xe9,x\n`, 'latin1') }),
    expected: { file: 'catalog.csv', rule: 'must be UTF-8 text (save the CSV as "CSV UTF-8")' },
  },
  {
    name: 'CSV whose header matches no format',
    files: () => ({ 'random.csv': 'colour,shape\nred,round\n' }),
    expected: { file: 'random.csv', row: 1, rule: 'header matches no accepted format' },
  },
  {
    name: 'empty CSV',
    files: () => ({ 'empty.csv': '\n\n' }),
    expected: { file: 'empty.csv', row: 1, rule: 'file has no header row' },
  },
  {
    name: 'a cell longer than the cell limit',
    files: () => ({
      'RVTools_tabvInfo.csv': vinfo(`vm1,poweredOn,False,2,4096,,,${'x'.repeat(40_000)},vc1`),
    }),
    expected: { row: 2, rule: 'a cell must be at most 32768 characters' },
  },
  {
    name: 'file over the size limit',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo(goodVm(1), goodVm(2)) }),
    limits: { ...defaultLimits, maxFileBytes: 64, maxXlsxBytes: 64 },
    expected: { file: 'RVTools_tabvInfo.csv', rule: 'the limit is 64' },
  },
  {
    name: 'unsupported file type',
    files: () => ({ 'inventory.txt': 'VM,CPUs\n' }),
    expected: { file: 'inventory.txt', rule: 'must be a .csv or .xlsx file' },
  },
  {
    name: 'xlsx that is not a workbook',
    files: () => ({ 'RVTools_export_all.xlsx': Buffer.from('PK\u0003\u0004 this is not really a zip file') }),
    expected: { file: 'RVTools_export_all.xlsx', rule: 'is not a readable xlsx workbook' },
  },
  {
    name: 'RVTools xlsx vInfo sheet with a bad cell',
    files: async () => ({
      'RVTools_export_all.xlsx': await xlsx({
        vInfo: rowsOf(`${VINFO_HEADER}\n${goodVm(1)}\nvm2,poweredOn,False,two,4096,,,,vc1`),
      }),
    }),
    expected: {
      file: 'RVTools_export_all.xlsx',
      sheet: 'vInfo',
      row: 3,
      column: 'CPUs',
      value: 'two',
      rule: 'must be a whole number from 1 to 1024',
    },
  },
  {
    name: 'assessment export machine with cores not a number',
    files: async () => ({
      'assessment.xlsx': await xlsx({
        All_Assessed_Machines: rowsOf('Machine,Azure VM readiness,Cores,Memory(MB)\nfin01,Ready,many,8192'),
      }),
    }),
    expected: {
      file: 'assessment.xlsx',
      sheet: 'All_Assessed_Machines',
      row: 2,
      column: 'Cores',
      value: 'many',
      rule: 'must be a whole number from 1 to 1024',
    },
  },
  {
    name: 'assessment export disks sheet without a size column',
    files: async () => ({
      'assessment.xlsx': await xlsx({ All_Assessed_Disks: rowsOf('Machine,Disk name\nfin01,scsi0:0') }),
    }),
    expected: {
      sheet: 'All_Assessed_Disks',
      row: 1,
      column: 'Source disk size(GB)',
      rule: 'required column is missing from the header',
    },
  },
  {
    name: 'vInfo VM name that would address another ARM resource',
    files: () => ({
      'RVTools_tabvInfo.csv': vinfo(
        goodVm(1),
        '../../x/replicationProtectedItems/victim?y=,poweredOn,False,2,4096,,,,vc1',
      ),
    }),
    expected: {
      file: 'RVTools_tabvInfo.csv',
      row: 3,
      column: 'VM',
      value: '../../x/replicationProtectedItems/victim?y=',
      rule: 'contains "/": an Azure VM name (Microsoft.Compute/virtualMachines) has 1-64 characters',
    },
  },
  {
    name: 'vInfo VM name with a space',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo('web server 01,poweredOn,False,2,4096,,,,vc1') }),
    expected: { row: 2, column: 'VM', rule: 'contains whitespace' },
  },
  {
    name: 'vInfo VM name ending with a period',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo('web01.,poweredOn,False,2,4096,,,,vc1') }),
    expected: { row: 2, column: 'VM', value: 'web01.', rule: 'ends with "."' },
  },
  {
    name: 'vInfo VM name longer than an Azure VM name',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo(`${'v'.repeat(65)},poweredOn,False,2,4096,,,,vc1`) }),
    expected: { row: 2, column: 'VM', rule: 'is 65 characters long' },
  },
  {
    name: 'vInfo VM UUID with a path',
    files: () => ({ 'RVTools_tabvInfo.csv': vinfo('vm2,poweredOn,False,2,4096,,,%2e%2e/victim,vc1') }),
    expected: {
      row: 2,
      column: 'VM UUID',
      value: '%2e%2e/victim',
      rule: 'must be the VM UUID vCenter reports',
    },
  },
  {
    name: 'Azure Migrate server name with a query',
    files: () => ({ 'migrate.csv': migrate(migrateRow({ 0: 'web01?api-version=1' })) }),
    expected: { file: 'migrate.csv', row: 2, column: 'Server name', rule: 'contains "?"' },
  },
  {
    name: 'SQL Server database name with a slash',
    files: () => ({ 'databases.csv': `${DB_HEADER}\norders/../x,SQL Server,2019,100,,,db01,,\n` }),
    expected: {
      file: 'databases.csv',
      row: 2,
      column: 'Database',
      value: 'orders/../x',
      rule: 'contains "/": an Azure SQL database name',
    },
  },
];

describe('malformed input', () => {
  let workspace: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    // A workspace that already holds a good estate: failed imports must not touch it.
    workspace = tempDir();
    const { outcome } = await importInto(workspace, [join(docsFormats, 'rvtools')]);
    expect(outcome.ok).toBe(true);
    before = snapshot(workspace);
  });

  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name', async ({ files, expected, limits }) => {
    const { paths } = writeInputs(await files());
    const { outcome, lines } = await importInto(workspace, paths, limits);
    expect(outcome.ok).toBe(false);
    const { rule, ...location } = expected;
    const match = outcome.errors.find((e) => e.rule.includes(rule));
    expect(match, `errors were:\n${lines.join('\n')}`).toBeDefined();
    expect(match).toMatchObject({ severity: 'error', ...location });
    expect(lines[0]).toMatch(/^Import failed with \d+ errors; the workspace is unchanged\.$/);
    expect(snapshot(workspace)).toEqual(before);
  });

  it('reports a missing input path and still changes nothing', async () => {
    const { outcome } = await importInto(workspace, ['/nonexistent/RVTools_tabvInfo.csv']);
    expect(outcome.errors[0]).toMatchObject({
      file: '/nonexistent/RVTools_tabvInfo.csv',
      rule: 'file does not exist or cannot be read',
    });
    expect(snapshot(workspace)).toEqual(before);
  });

  it('reports every bad row of a file in one run, with a cap on how many it keeps', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `vm${i},poweredOn,False,x,4096,,,,vc1`);
    const { paths } = writeInputs({ 'RVTools_tabvInfo.csv': vinfo(...rows) });
    const { outcome, lines } = await importInto(workspace, paths);
    expect(outcome.errors).toHaveLength(1000);
    expect(outcome.omitted).toEqual({ errors: 500, warnings: 0 });
    expect(lines).toContain('  … and 1450 more (--json lists the first 1000 and counts the 500 not kept)');
    expect(snapshot(workspace)).toEqual(before);
  });

  it('keeps warnings apart from errors', async () => {
    const { paths } = writeInputs({
      'RVTools_tabvInfo.csv': vinfo(goodVm(1)),
      'RVTools_tabvDisk.csv': 'VM,Disk,Capacity MiB,VM UUID\nghost,Hard disk 1,1024,uuid-404\n',
    });
    const ws = tempDir();
    const { outcome } = await importInto(ws, paths);
    expect(outcome.ok).toBe(true);
    expect(outcome.errors).toEqual([]);
    expect(outcome.warnings[0]).toMatchObject({
      severity: 'warning',
      file: 'RVTools_tabvDisk.csv',
      row: 2,
      // The row names its VM by UUID, so the warning names that column and value.
      column: 'VM UUID',
      value: 'uuid-404',
      rule: 'disk row names a VM that vInfo does not contain; ignored',
    });
  });
});
