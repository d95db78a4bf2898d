/**
 * Real exports as teams have them: the Azure Migrate assessment export with bracketed address lists,
 * machines that share a display name, "No data" counters and Azure Migrate's own verdicts; RVTools
 * with two VMs of one name; the import template's platform columns. Fixtures follow the published
 * column layouts (the assessment export's All_Assessed_Machines / All_Assessed_Disks headers, RVTools'
 * vInfo / vDisk / vNetwork, Microsoft Learn's import template field list).
 */
import { describe, expect, it } from 'vitest';
import { ipList, macList } from '../../domain/inventory/cells.ts';
import { missingCounters } from '../../domain/inventory/data-collection-issues.ts';
import { osOf } from '../../domain/inventory/azure-migrate-import.ts';
import { runAssess } from '../../cli/assess/assess-command.ts';
import { azureMigrateReadiness, compareReadiness } from '../../domain/assess/compare-readiness.ts';
import { loadEstate } from '../../workspace/files.ts';
import { importInto, tempDir, writeInputs, xlsx } from './helpers.ts';

/** All_Assessed_Machines as the portal export lays it out (unread columns included on purpose). */
const MACHINE_HEADER = [
  'Machine',
  'VM host',
  'Azure VM readiness',
  'Azure readiness issues',
  'Data collection issues',
  'Recommended size',
  'Compute monthly cost estimate USD',
  'Storage monthly cost estimate USD',
  'Operating system',
  'Boot type',
  'Cores',
  'Memory(MB)',
  'CPU usage(%)',
  'Memory usage(%)',
  'Storage(GB)',
  'Standard HDD disks',
  'Standard SSD disks',
  'Premium disks',
  'Ultra disks',
  'Disk read(ops/sec)',
  'Disk write(ops/sec)',
  'Disk read(MBPS)',
  'Disk write(MBPS)',
  'Confidence Rating (% of utilization data collected)',
  'Network adapters',
  'IP address',
  'MAC address',
  'Network in(MBPS)',
  'Network out(MBPS)',
  'Group name',
];
type MachineRow = Partial<Record<(typeof MACHINE_HEADER)[number], string | number>>;
const machineRow = (values: MachineRow) => MACHINE_HEADER.map((h) => values[h] ?? '');

const DISK_HEADER = [
  'Machine',
  'Disk name',
  'Azure disk readiness',
  'Recommended disk size SKU',
  'Recommended disk type',
  'Azure readiness issues',
  'Data collection issues',
  'Monthly cost estimate',
  'Source disk size(GB)',
  'Target disk size(GB)',
  'Disk read(MBPS)',
  'Disk write(MBPS)',
  'Disk read(ops/sec)',
  'Disk write(ops/sec)',
];
const diskRow = (values: Partial<Record<(typeof DISK_HEADER)[number], string | number>>) =>
  DISK_HEADER.map((h) => values[h] ?? '');

const appliance = (host: string, mac: string, ip: string): MachineRow => ({
  Machine: 'AzMigAppliance',
  'VM host': host,
  'Azure VM readiness': 'Ready',
  'Recommended size': 'Standard_D4s_v3',
  'Compute monthly cost estimate USD': '140.16',
  'Storage monthly cost estimate USD': '10.24',
  'Operating system': 'Microsoft Windows Server 2022 Datacenter',
  'Boot type': 'UEFI',
  Cores: 8,
  'Memory(MB)': 16384,
  'CPU usage(%)': 22,
  'Memory usage(%)': 48,
  'Storage(GB)': 80,
  'Confidence Rating (% of utilization data collected)': 100,
  'Network adapters': 1,
  'IP address': ip,
  'MAC address': mac,
  'Group name': 'All',
});

async function assessmentExport() {
  return xlsx({
    Assessment_Summary: [['Assessment', 'Finance']],
    All_Assessed_Machines: [
      MACHINE_HEADER,
      machineRow(
        appliance('esx01.contoso.local', '[00:50:56:aa:00:10];', '[172.21.12.27,fe80::8c5e:aa9:c0d7:61e6];'),
      ),
      machineRow(appliance('esx02.contoso.local', '[00-50-56-AA-00-11];', '[172.21.12.28];')),
      machineRow({
        Machine: 'fin-db01',
        'VM host': 'esx02.contoso.local',
        'Azure VM readiness': 'Ready with conditions',
        'Azure readiness issues': 'Windows Server 2012 R2 is out of support; Check the OS license',
        'Data collection issues': 'PercentageOfCoresUtilizedMissing; PercentageOfMemoryUtilizedMissing',
        'Recommended size': 'Standard_E8s_v5',
        'Compute monthly cost estimate USD': '$420.48',
        'Storage monthly cost estimate USD': '1,024.50',
        'Operating system': 'Microsoft Windows Server 2012 R2 Datacenter',
        'Boot type': 'BIOS',
        Cores: 8,
        'Memory(MB)': 32768,
        'CPU usage(%)': 0,
        'Memory usage(%)': 0,
        'Storage(GB)': 640,
        'Confidence Rating (% of utilization data collected)': 15,
        'Network adapters': 2,
        'IP address': '[10.2.0.31];[10.2.0.32];',
        'MAC address': '[00:50:56:aa:00:31];[00:50:56:aa:00:32];',
        // Columns the factory does not read cannot block the row.
        'Network in(MBPS)': 'n/a',
        'Group name': '#REF!',
      }),
      machineRow({
        Machine: 'fin-web01',
        'VM host': 'esx01.contoso.local',
        'Azure VM readiness': 'Ready',
        'Data collection issues': 'No data for disk, network utilization',
        'Recommended size': 'Standard_D2s_v3',
        'Operating system': 'Ubuntu Linux (64-bit)',
        'Boot type': 'Unknown',
        Cores: 2,
        'Memory(MB)': 4096,
        'CPU usage(%)': 31,
        'Memory usage(%)': 57,
        'Confidence Rating (% of utilization data collected)': 'Not applicable',
        'IP address': '[10.2.0.41];',
        'MAC address': '[not-a-mac];',
      }),
    ],
    All_Assessed_Disks: [
      DISK_HEADER,
      diskRow({ Machine: 'fin-db01', 'Disk name': 'scsi0:0', 'Source disk size(GB)': 128 }),
      diskRow({ Machine: 'fin-db01', 'Disk name': 'scsi0:1', 'Source disk size(GB)': 512 }),
      diskRow({
        Machine: 'fin-web01',
        'Disk name': 'scsi0:0',
        'Data collection issues': 'NumberOfReadOperationsPerSecondMissing; MegabytesPerSecondOfWriteMissing',
        'Source disk size(GB)': 64,
        'Disk read(ops/sec)': 0,
        'Disk write(MBPS)': 0,
      }),
      diskRow({ Machine: 'AzMigAppliance', 'Disk name': 'scsi0:0', 'Source disk size(GB)': 80 }),
      diskRow({ Machine: 'AzMigAppliance', 'Disk name': 'scsi0:0', 'Source disk size(GB)': 80 }),
    ],
  });
}

describe('Azure Migrate assessment export', () => {
  it('imports bracketed lists, same-named machines, "No data" counters and Azure Migrate\'s own view', async () => {
    const { paths } = writeInputs({ 'assessment.xlsx': await assessmentExport() });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, paths);
    expect(outcome.errors).toEqual([]);
    expect(outcome.ok).toBe(true);
    const estate = await loadEstate(workspace);
    expect(estate.servers.map((s) => s.id)).toEqual([
      'name:azmigappliance',
      'name:azmigappliance@esx02.contoso.local',
      'name:fin-db01',
      'name:fin-web01',
    ]);
    const [first, second, db, web] = estate.servers;
    expect(first).toMatchObject({
      name: 'AzMigAppliance',
      host: 'esx01.contoso.local',
      ips: ['172.21.12.27', 'fe80::8c5e:aa9:c0d7:61e6'],
      macs: ['00:50:56:aa:00:10'],
      azureMigrate: {
        readiness: 'Ready',
        recommendedSize: 'Standard_D4s_v3',
        monthlyComputeCost: 140.16,
        monthlyStorageCost: 10.24,
        confidenceStars: 5,
        from: { file: 'assessment.xlsx', sheet: 'All_Assessed_Machines', row: 2 },
      },
    });
    expect(second).toMatchObject({
      name: 'AzMigAppliance',
      host: 'esx02.contoso.local',
      macs: ['00:50:56:aa:00:11'],
    });
    // Their disk rows name only "AzMigAppliance": reported with both candidates, not silently lost.
    expect(first?.disks).toEqual([]);
    expect(second?.disks).toEqual([]);

    expect(db?.missingPerformance).toEqual(['cpu', 'memory']);
    expect(db?.cpuUtilisation).toEqual([]);
    expect(db?.memoryUtilisation).toEqual([]);
    expect(db?.azureMigrate).toEqual({
      readiness: 'Ready with conditions',
      readinessIssues: ['Windows Server 2012 R2 is out of support', 'Check the OS license'],
      recommendedSize: 'Standard_E8s_v5',
      monthlyComputeCost: 420.48,
      monthlyStorageCost: 1024.5,
      confidenceStars: 1,
      from: { file: 'assessment.xlsx', sheet: 'All_Assessed_Machines', row: 4 },
    });
    expect(db?.ips).toEqual(['10.2.0.31', '10.2.0.32']);
    expect(db?.macs).toEqual(['00:50:56:aa:00:31', '00:50:56:aa:00:32']);
    expect(db?.disks.map((d) => [d.id, d.sizeGiB])).toEqual([
      ['scsi0:0', 128],
      ['scsi0:1', 512],
    ]);

    // Disk and network had no data: the disk's 0s are not I/O figures; CPU and memory were measured.
    expect(web?.missingPerformance).toEqual(['disk', 'network']);
    expect(web?.cpuUtilisation.map((s) => s.value)).toEqual([31]);
    expect(web?.disks).toEqual([{ id: 'scsi0:0', label: 'scsi0:0', sizeGiB: 64 }]);
    expect(web?.firmware).toBeUndefined();
    expect(web?.macs).toBeUndefined();
    expect(web?.azureMigrate?.confidenceStars).toBeUndefined();

    expect(outcome.warnings.map((w) => [w.sheet, w.row, w.column, w.value, w.rule])).toEqual([
      [
        'All_Assessed_Machines',
        5,
        'MAC address',
        '[not-a-mac];',
        'must be MAC addresses like 00:50:56:aa:00:01 or 00-50-56-AA-00-01 ("not-a-mac" is not one); value ignored (the row is still imported)',
      ],
      [
        'All_Assessed_Disks',
        5,
        'Machine',
        'AzMigAppliance',
        '2 disk row(s) (row 5, 6) name "AzMigAppliance", which is 2 machines: name:azmigappliance (host esx01.contoso.local, MAC 00:50:56:aa:00:10); name:azmigappliance@esx02.contoso.local (host esx02.contoso.local, MAC 00:50:56:aa:00:11); the sheet names machines only by display name, so these rows are not attached; the machines keep the sizes their own rows give',
      ],
      [
        'All_Assessed_Machines',
        2,
        'Machine',
        'AzMigAppliance',
        'display name is shared by 2 machines, imported as separate servers: name:azmigappliance (host esx01.contoso.local, MAC 00:50:56:aa:00:10); name:azmigappliance@esx02.contoso.local (host esx02.contoso.local, MAC 00:50:56:aa:00:11). Each would become the Azure VM "AzMigAppliance": two VMs of one name cannot share a target resource group, so rename one or plan them into different resource groups',
      ],
    ]);
  });

  it('refuses a true duplicate: one name, nothing that differs, in one sheet', async () => {
    const row = appliance('esx01.contoso.local', '[00:50:56:aa:00:10];', '[172.21.12.27];');
    const { paths } = writeInputs({
      'assessment.xlsx': await xlsx({
        All_Assessed_Machines: [MACHINE_HEADER, machineRow(row), machineRow(row)],
      }),
    });
    const { outcome } = await importInto(tempDir(), paths);
    expect(outcome.ok).toBe(false);
    expect(outcome.errors).toEqual([
      {
        severity: 'error',
        file: 'assessment.xlsx',
        sheet: 'All_Assessed_Machines',
        row: 3,
        column: 'Machine',
        value: 'AzMigAppliance',
        rule: 'each VM may appear once per file (also at row 2)',
      },
    ]);
  });
});

const VINFO = 'VM,Template,CPUs,Memory,Host,VM UUID,VI SDK Server';
const VNETWORK = 'VM,Template,NIC label,Mac Address,IPv4 Address,VM UUID,VI SDK Server';

describe('RVTools: two VMs with one name', () => {
  const vinfo = [
    VINFO,
    'web,False,2,4096,esx01,u-1,vc1',
    'web,False,4,8192,esx02,u-2,vc1',
    'tmpl-web,True,2,4096,esx01,u-9,vc1',
  ].join('\n');

  it('keeps both machines and each one its disks (rows name the VM UUID)', async () => {
    const { paths } = writeInputs({
      'RVTools_tabvInfo.csv': vinfo,
      'RVTools_tabvDisk.csv': [
        'VM,Template,Disk,Capacity MiB,VM UUID,VI SDK Server',
        'web,False,Hard disk 1,10240,u-1,vc1',
        'web,False,Hard disk 1,20480,u-2,vc1',
        'web,False,Hard disk 2,30720,u-2,vc1',
        'tmpl-web,True,Hard disk 1,40960,u-9,vc1',
      ].join('\n'),
      'RVTools_tabvNetwork.csv': [
        VNETWORK,
        'web,False,Network adapter 1,00:50:56:aa:00:01,10.0.0.1,u-1,vc1',
        'web,False,Network adapter 1,00:50:56:AA:00:02,10.0.0.2,u-2,vc1',
      ].join('\n'),
    });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, paths);
    expect(outcome.errors).toEqual([]);
    const servers = (await loadEstate(workspace)).servers;
    expect(servers.map((s) => [s.id, s.name, s.disks.map((d) => d.sizeGiB), s.macs, s.template])).toEqual([
      ['u-1', 'web', [10], ['00:50:56:aa:00:01'], undefined],
      ['u-2', 'web', [20, 30], ['00:50:56:aa:00:02'], undefined],
      ['u-9', 'tmpl-web', [40], undefined, true],
    ]);
    expect(outcome.warnings.map((w) => w.rule)).toEqual([
      'display name is shared by 2 machines, imported as separate servers: u-1 (VM UUID u-1, vCenter vc1, host esx01, MAC 00:50:56:aa:00:01); u-2 (VM UUID u-2, vCenter vc1, host esx02, MAC 00:50:56:aa:00:02). Each would become the Azure VM "web": two VMs of one name cannot share a target resource group, so rename one or plan them into different resource groups',
    ]);
  });

  it('attributes rows without a VM UUID by host, and refuses rows nothing attributes, naming the candidates', async () => {
    // Older exports: vDisk without VM UUID. Before, both VMs lost their disks with "names a VM that no
    // machine list contains".
    const byHost = writeInputs({
      'RVTools_tabvInfo.csv': vinfo,
      'RVTools_tabvDisk.csv':
        'VM,Disk,Capacity MiB,Host\nweb,Hard disk 1,10240,esx01\nweb,Hard disk 1,20480,esx02\n',
    });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, byHost.paths);
    expect(outcome.errors).toEqual([]);
    const servers = (await loadEstate(workspace)).servers;
    expect(servers.map((s) => s.disks.map((d) => d.sizeGiB))).toEqual([[10], [20], []]);

    const byName = writeInputs({
      'RVTools_tabvInfo.csv': vinfo,
      'RVTools_tabvDisk.csv': 'VM,Disk,Capacity MiB\nweb,Hard disk 1,10240\nweb,Hard disk 2,20480\n',
    });
    const refused = (await importInto(tempDir(), byName.paths)).outcome;
    expect(refused.errors).toEqual([
      {
        severity: 'error',
        file: 'RVTools_tabvDisk.csv',
        row: 2,
        column: 'VM',
        value: 'web',
        rule: '2 disk row(s) (row 2, 3) name "web", which is 2 machines: u-1 (VM UUID u-1, vCenter vc1, host esx01); u-2 (VM UUID u-2, vCenter vc1, host esx02); export the tab with its VM UUID (or Host) column so each row names one VM',
      },
    ]);
  });

  it('matches an Azure Migrate row to the right one of two same-named VMs by MAC address', async () => {
    const { paths } = writeInputs({
      'RVTools_tabvInfo.csv': vinfo,
      'RVTools_tabvNetwork.csv': [
        VNETWORK,
        'web,False,Network adapter 1,00:50:56:aa:00:01,10.0.0.1,u-1,vc1',
        'web,False,Network adapter 1,00:50:56:aa:00:02,10.0.0.2,u-2,vc1',
      ].join('\n'),
      'assessment.xlsx': await xlsx({
        All_Assessed_Machines: [
          MACHINE_HEADER,
          // vMotion moved it since the RVTools export: the host differs, the MAC does not.
          machineRow({
            ...appliance('esx07', '[00-50-56-aa-00-02];', '[10.0.0.2];'),
            Machine: 'web',
            Cores: 4,
            'Memory(MB)': 8192,
          }),
        ],
      }),
    });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, paths);
    expect(outcome.errors).toEqual([]);
    const u2 = (await loadEstate(workspace)).servers.find((s) => s.id === 'u-2');
    expect(u2?.azureMigrate?.recommendedSize).toBe('Standard_D4s_v3');
    expect(u2?.cpuUtilisation.map((s) => s.value)).toEqual([22]);
    expect(u2?.conflicts.map((c) => [c.field, c.chosen, c.other])).toEqual([['host', 'esx02', 'esx07']]);
  });
});

describe('Azure Migrate import template', () => {
  const header =
    '*Server name,IP addresses,*Cores,*Memory (In MB),*OS name,OS version,Server type,Hypervisor,Virtual machine ID,MAC address,BIOS ID';
  it('reads Server type and Hypervisor as the platform, the VM ID and MAC as identity', async () => {
    const { paths } = writeInputs({
      'import.csv': [
        header,
        'hv01,10.1.0.1,2,4096,Windows Server 2019,,Virtual,Hyper-V,6ba7b810-9dad-11d1-80b4-00c04fd430c8,00-15-5D-01-02-03,',
        'phys01,10.1.0.2,16,65536,Red Hat Enterprise Linux 7.1,7.1,Physical,,,,4C4C4544-0042-3010-8052-B4C04F564433',
        'ec2-01,10.1.0.3,2,8192,Ubuntu Linux,20.04,Physical,AWS,,,',
        'vm01,10.1.0.4,2,4096,CentOS,7,Virtual,VMware,,,',
        'xen01,10.1.0.5,2,4096,SUSE Linux Enterprise 12,,Virtual,Xen,,,',
      ].join('\n'),
    });
    const workspace = tempDir();
    const { outcome } = await importInto(workspace, paths);
    expect(outcome.errors).toEqual([]);
    const servers = (await loadEstate(workspace)).servers;
    expect(servers.map((s) => [s.name, s.platform, s.os])).toEqual([
      ['hv01', 'hyper-v', 'Windows Server 2019'],
      ['ec2-01', 'aws', 'Ubuntu Linux 20.04'],
      ['phys01', 'physical', 'Red Hat Enterprise Linux 7.1'],
      ['vm01', 'vmware', 'CentOS 7'],
      ['xen01', 'other', 'SUSE Linux Enterprise 12'],
    ]);
    const hv01 = servers.find((s) => s.name === 'hv01');
    expect(hv01).toMatchObject({ id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', macs: ['00:15:5d:01:02:03'] });
    expect(servers.find((s) => s.name === 'phys01')?.biosUuid).toBe('4C4C4544-0042-3010-8052-B4C04F564433');
  });

  it('refuses a hypervisor the template does not allow', async () => {
    const { paths } = writeInputs({
      'import.csv': `${header}\nkvm01,10.1.0.9,2,4096,Ubuntu Linux,,Virtual,KVM,,,\n`,
    });
    const { outcome } = await importInto(tempDir(), paths);
    expect(outcome.errors).toEqual([
      {
        severity: 'error',
        file: 'import.csv',
        row: 2,
        column: 'Hypervisor',
        value: 'KVM',
        rule: 'must be one of VMware, Hyper-V, Xen, AWS, GCP, Other',
      },
    ]);
  });
});

describe('cells and wordings', () => {
  it('parses bracketed, semicolon-terminated address lists', () => {
    expect(ipList.parse('[172.21.12.27,fe80::8c5e:aa9:c0d7:61e6];')).toEqual([
      '172.21.12.27',
      'fe80::8c5e:aa9:c0d7:61e6',
    ]);
    expect(ipList.parse('[10.0.0.1];[10.0.0.2, ::ffff:10.0.0.3];')).toEqual([
      '10.0.0.1',
      '10.0.0.2',
      '::ffff:10.0.0.3',
    ]);
    expect(macList.parse('[00-50-56-AA-00-01];[00:50:56:aa:00:01,00:15:5d:01:02:03];')).toEqual([
      '00:50:56:aa:00:01',
      '00:15:5d:01:02:03',
    ]);
    expect(macList.safeParse('00:50:56-aa:00:01').success).toBe(false);
  });

  it('reads the counters a data collection issue says are missing, and only those', () => {
    expect(missingCounters('PercentageOfCoresUtilizedMissing')).toEqual(['cpu']);
    expect(missingCounters('PercentageOfMemoryUtilizedMissing;PercentageOfCoresUtilizedMissing')).toEqual([
      'cpu',
      'memory',
    ]);
    expect(missingCounters('No data for CPU/memory/disk/network')).toEqual([
      'cpu',
      'memory',
      'disk',
      'network',
    ]);
    expect(missingCounters('Performance data not available for memory utilization')).toEqual(['memory']);
    expect(missingCounters('MegabytesOfDataTransmittedMissing')).toEqual(['network']);
    expect(missingCounters('NumberOfWriteOperationsPerSecondMissing')).toEqual(['disk']);
    expect(missingCounters('DiskGigabytesConsumedMissing')).toEqual([]);
    expect(missingCounters('PercentageOfCoresUtilizedOutOfRange')).toEqual([]);
    expect(missingCounters('CPU data collected')).toEqual([]);
  });

  it('does not repeat a version the OS name already holds', () => {
    expect(osOf('Red Hat Enterprise Linux 7.1', '7.1')).toBe('Red Hat Enterprise Linux 7.1');
    expect(osOf('Red Hat Enterprise Linux 8.6 (Ootpa)', '8.6')).toBe('Red Hat Enterprise Linux 8.6 (Ootpa)');
    expect(osOf('Red Hat Enterprise Linux 7', '7.1')).toBe('Red Hat Enterprise Linux 7 7.1');
    expect(osOf('Windows Server 2016', undefined)).toBe('Windows Server 2016');
  });
});

describe('an Azure Migrate assessment export, import to assess --compare (issue 17, done when)', () => {
  it('imports fully, sizes a no-data machine as on premises, and lists every readiness disagreement with both reasons', async () => {
    const { paths } = writeInputs({ 'assessment.xlsx': await assessmentExport() });
    const workspace = tempDir();
    expect((await importInto(workspace, paths)).outcome.ok).toBe(true);

    const lines: string[] = [];
    const performance = await runAssess({
      workspace,
      asOf: '2026-12-05',
      compare: true,
      print: (line) => lines.push(line),
    });
    expect(performance.vms).toHaveLength(4);
    const db = performance.vms.find((vm) => vm.name === 'fin-db01');
    // No CPU or memory data (and no disk I/O figures at all): the 0 % Azure Migrate wrote is not
    // utilisation, so the machine keeps its allocated 8 cores / 32 GB, exactly as as-on-premises sizing
    // sizes it, at the lowest confidence.
    expect(db?.sizing).toMatchObject({
      basis: 'as-on-premises',
      missingData: ['cpu', 'memory', 'disk'],
      confidence: 1,
    });
    const onPremises = await runAssess({
      workspace,
      asOf: '2026-12-05',
      sizing: { mode: 'as-on-premises' },
      print: () => undefined,
    });
    const dbOnPremises = onPremises.vms.find((vm) => vm.name === 'fin-db01');
    expect(db?.sizing?.vmSize).toBe(dbOnPremises?.sizing?.vmSize);
    expect(db?.sizing?.needed).toEqual(dbOnPremises?.sizing?.needed);
    expect(db?.sizing?.monthlyCompute).toBe(dbOnPremises?.sizing?.monthlyCompute);
    expect(db?.sizing?.vmSize).not.toBe('Standard_F2s_v2');

    // Every machine carries Azure Migrate's own verdict; every disagreement is listed with both reasons.
    const comparison = compareReadiness(performance.vms);
    expect(comparison.compared).toBe(4);
    expect(comparison.agree + comparison.disagree).toBe(4);
    const disagreeing = performance.vms.filter(
      (vm) =>
        vm.azureMigrate?.readiness !== undefined &&
        azureMigrateReadiness(vm.azureMigrate.readiness) !== vm.readiness.status,
    );
    expect(comparison.disagreements.map((d) => d.name).sort()).toEqual(
      disagreeing.map((vm) => vm.name).sort(),
    );
    for (const d of comparison.disagreements) {
      // Ours: the findings that set our status, or (Ready) the notes, or that every check passed.
      const ours = lines.filter((line) => line.startsWith('  ours'));
      expect(ours.length).toBeGreaterThan(0);
      const vm = performance.vms.find((v) => v.serverId === d.serverId);
      expect(d.azureMigrateReasons).toEqual(vm?.azureMigrate?.readinessIssues ?? []);
      expect(
        lines.some((line) => line.startsWith(`${d.name}: ours ${d.ours}, Azure Migrate ${d.azureMigrate}`)),
      ).toBe(true);
    }
    const dbDisagreement = comparison.disagreements.find((d) => d.name === 'fin-db01');
    expect(dbDisagreement).toMatchObject({ ours: 'Ready', azureMigrate: 'Conditionally ready' });
    expect(dbDisagreement?.ourNotes.map((n) => n.code)).toEqual(['os-end-of-support']);
    expect(lines).toContain('  Azure Migrate: Windows Server 2012 R2 is out of support');
  });
});
