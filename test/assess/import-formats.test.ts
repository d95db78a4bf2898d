import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEstate } from '../../workspace/files.ts';
import { parseCsv } from '../../cli/assess/read-csv.ts';
import { docsFile, docsFormats, importInto, rowsOf, tempDir, writeInputs, xlsx } from './helpers.ts';

const rvtoolsDir = join(docsFormats, 'rvtools');
const docsCsvs = [
  'azure-migrate-import.csv',
  'azure-migrate-dependencies.csv',
  'service-catalog.csv',
  'databases.csv',
];

describe('importing the documented sample formats', () => {
  it('merges RVTools, Azure Migrate, catalog, database and dependency samples into one estate', async () => {
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, [
      rvtoolsDir,
      ...docsCsvs.map((f) => join(docsFormats, f)),
    ]);
    expect(outcome.errors).toEqual([]);
    expect(outcome.ok).toBe(true);
    const estate = await loadEstate(workspace);
    // The template in vInfo is kept, flagged, so assessment can name it an exclude candidate;
    // sap-legacy01 comes only from the Migrate CSV.
    expect(estate.servers.map((s) => s.name).sort()).toEqual([
      'app01',
      'db01',
      'sap-legacy01',
      'tmpl-win2019',
      'web01',
    ]);
    expect(estate.servers.filter((s) => s.template === true).map((s) => s.name)).toEqual(['tmpl-win2019']);
    expect(estate.servers.find((s) => s.name === 'tmpl-win2019')?.disks).toEqual([]);
    expect(estate.servers.find((s) => s.name === 'web01')?.macs).toEqual(['00:50:56:aa:00:01']);
    const app01 = estate.servers.find((s) => s.name === 'app01');
    expect(app01?.firmware).toBe('UEFI');
    expect(app01?.disks.map((d) => d.sizeGiB)).toEqual([80, 200]);
    // Per-disk performance from the Migrate CSV lands on the RVTools disks (same disk count).
    expect(app01?.disks[1]?.writeMBps).toBe(3.1);
    expect(app01?.usedGiB).toBe(120);
    expect(app01?.cpuUtilisation.map((s) => s.value)).toEqual([35]);
    expect(app01?.provenance.map((p) => p.file)).toContain('azure-migrate-import.csv');
    expect(app01?.provenance.map((p) => p.file)).toContain('RVTools_tabvInfo.csv');
    // vInfo "Creation date" as an Excel serial number.
    expect(app01?.createdOn).toBe('2019-01-15T12:00:00.000Z');
    const db01 = estate.servers.find((s) => s.name === 'db01');
    expect(db01?.ips).toEqual(['10.0.1.31', '10.0.1.32']);
    expect(estate.applications.find((a) => a.name === 'Order Portal')?.servers).toHaveLength(3);
    expect(estate.databases.find((d) => d.name === 'orders')?.hostServerId).toBe(db01?.id);
    const web = estate.connections.find((c) => c.port === 8080);
    expect(web?.observations).toBe(2);
    expect(web?.source.serverId).toBe(estate.servers.find((s) => s.name === 'web01')?.id);
    // The dependency row that names no source server is matched by IP.
    expect(estate.connections.find((c) => c.port === 3200)?.source.serverId).toBe(db01?.id);
  });

  it('reports conflicting values between sources as warnings and keeps the RVTools value', async () => {
    const migrate = docsFile('azure-migrate-import.csv').replace(
      'web01,10.0.1.11,2,4096',
      'web01,10.0.1.11,4,4096',
    );
    const { paths } = writeInputs({ 'migrate.csv': migrate });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, [rvtoolsDir, ...paths]);
    expect(outcome.ok).toBe(true);
    const warning = outcome.warnings.find((w) => w.column === 'cpus');
    expect(warning).toMatchObject({ file: 'migrate.csv', row: 2, value: '4', severity: 'warning' });
    expect(warning?.rule).toContain('RVTools_tabvInfo.csv row 2 ("2")');
    const web01 = (await loadEstate(workspace)).servers.find((s) => s.name === 'web01');
    expect(web01?.cpus).toBe(2);
    expect(web01?.conflicts).toHaveLength(1);
  });

  it('reads the RVTools xlsx form with the same result as the CSV-per-tab form', async () => {
    const sheets = Object.fromEntries(
      readdirSync(rvtoolsDir).map((file) => [
        /RVTools_tab(\w+)\.csv/.exec(file)?.[1] ?? file,
        (() => {
          const parsed = parseCsv(file, docsFile(`rvtools/${file}`));
          if (!parsed.ok) throw new Error(parsed.rule);
          return [parsed.table.header, ...parsed.table.rows.map((r) => r.cells)];
        })(),
      ]),
    );
    // Extra tabs RVTools always writes are ignored rather than rejected.
    const { paths } = writeInputs({
      'RVTools_export_all.xlsx': await xlsx({ ...sheets, vSnapshot: [['VM']] }),
    });
    const fromXlsx = tempDir();
    const fromCsv = tempDir();
    expect((await importInto(fromXlsx, paths)).outcome.ok).toBe(true);
    expect((await importInto(fromCsv, [rvtoolsDir])).outcome.ok).toBe(true);
    const strip = (e: Awaited<ReturnType<typeof loadEstate>>) =>
      e.servers.map(({ provenance: _p, ...s }) => s);
    expect(strip(await loadEstate(fromXlsx))).toEqual(strip(await loadEstate(fromCsv)));
  });

  it('accepts RVTools 3.x "MB" headers, other column orders, case, a BOM and ";" delimiters', async () => {
    const vinfo = '\uFEFFvi sdk server;memory;vm;cpus;powerstate\nvc1;2048;alpha;1;poweredOff\n';
    const vdisk = 'VM,VI SDK Server,Disk,Capacity MB\nalpha,vc1,Hard disk 1,10240\n';
    const { paths } = writeInputs({ 'RVTools_tabvInfo.csv': vinfo, 'RVTools_tabvDisk.csv': vdisk });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, paths);
    expect(outcome.errors).toEqual([]);
    const [alpha] = (await loadEstate(workspace)).servers;
    expect(alpha).toMatchObject({ id: 'vc1/alpha', cpus: 1, memoryMiB: 2048, poweredOn: false });
    expect(alpha?.disks[0]?.sizeGiB).toBe(10);
  });

  it('reads an Azure Migrate assessment export (machines and disks sheets)', async () => {
    const book = await xlsx({
      Assessment_Summary: [['Assessment', 'x']],
      All_Assessed_Machines:
        rowsOf(`Machine,Azure VM readiness,Operating system,Boot type,Cores,Memory(MB),CPU usage(%),Memory usage(%),Storage(GB),Network adapters,IP address
fin01,Ready,Microsoft Windows Server 2019 Datacenter,BIOS,4,8192,41,63,250,1,10.2.0.4`),
      All_Assessed_Disks:
        rowsOf(`Machine,Disk name,Azure disk readiness,Source disk size(GB),Disk read(ops/sec),Disk write(ops/sec),Disk read(MBPS),Disk write(MBPS)
fin01,scsi0:0,Ready,128,120,60,4,2
fin01,scsi0:1,Ready,512,900,400,30,12`),
    });
    const { paths } = writeInputs({ 'assessment.xlsx': book });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, paths);
    expect(outcome.errors).toEqual([]);
    const [fin01] = (await loadEstate(workspace)).servers;
    expect(fin01).toMatchObject({
      name: 'fin01',
      cpus: 4,
      memoryMiB: 8192,
      firmware: 'BIOS',
      ips: ['10.2.0.4'],
    });
    expect(fin01?.disks.map((d) => d.readIops)).toEqual([120, 900]);
    expect(fin01?.cpuUtilisation[0]).toEqual({
      value: 41,
      from: { file: 'assessment.xlsx', sheet: 'All_Assessed_Machines', row: 2 },
    });
  });

  it('merges two vCenter exports whose files share a name, naming them by folder', async () => {
    const header = 'VM,CPUs,Memory,VM UUID,VI SDK Server';
    const { paths } = writeInputs({
      'vc1/RVTools_tabvInfo.csv': `${header}\nweb,2,4096,u-1,vc1\nshared,2,4096,u-9,vc1\n`,
      'vc2/RVTools_tabvInfo.csv': `${header}\nweb,4,8192,u-2,vc2\nshared,2,4096,u-9,vc1\n`,
    });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, paths);
    expect(outcome.errors).toEqual([]);
    const estate = await loadEstate(workspace);
    expect(estate.servers.map((s) => s.id)).toEqual(['u-1', 'u-2', 'u-9']);
    expect(estate.servers[2]?.provenance.map((p) => p.file)).toEqual([
      'vc1/RVTools_tabvInfo.csv',
      'vc2/RVTools_tabvInfo.csv',
    ]);
  });

  it('reads the documented assessment export sample', async () => {
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, [join(docsFormats, 'azure-migrate-assessment.xlsx')]);
    expect(outcome.errors).toEqual([]);
    const ledger = (await loadEstate(workspace)).servers.find((s) => s.name === 'fin-ledger01');
    expect(ledger?.disks.map((d) => [d.sizeGiB, d.writeMBps])).toEqual([
      [100, 0.6],
      [256, 12],
    ]);
    expect(ledger?.memoryUtilisation[0]?.from).toEqual({
      file: 'azure-migrate-assessment.xlsx',
      sheet: 'All_Assessed_Machines',
      row: 2,
    });
  });

  it('keeps provenance of every source row and records server-level totals from the Migrate CSV', async () => {
    const workspace = tempDir();
    await importInto(workspace, [join(docsFormats, 'azure-migrate-import.csv')]);
    const sap = (await loadEstate(workspace)).servers.find((s) => s.name === 'sap-legacy01');
    expect(sap).toMatchObject({ id: 'name:sap-legacy01', cpus: 8, usedGiB: 300, firmware: 'BIOS' });
    expect(sap?.provenance).toEqual([{ file: 'azure-migrate-import.csv', row: 4 }]);
  });
});
