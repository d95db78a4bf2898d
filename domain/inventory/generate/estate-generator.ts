/**
 * Generates a realistic estate as the files a migration team would bring: RVTools tabs, an Azure
 * Migrate import CSV with utilisation for part of the estate, a service catalog, a database
 * inventory and an Azure Migrate dependency export. Deterministic for a seed (pure; no I/O).
 */
import { seededRandom, seededUuid } from '../../random.ts';
import {
  appNouns,
  businessGroups,
  cpuMix,
  infrastructureServices,
  memoryPerCpuGiB,
  mysqlVersions,
  osMix,
  pick,
  postgresVersions,
  round,
  skewedInt,
  sqlServerVersions,
  weighted,
  type Rng,
} from './distributions.ts';

export interface GenerateOptions {
  vms: number;
  seed: number;
  /** Defaults: 0.85 databases, 0.3 applications and 5 dependency rows per VM (the Contoso ratios). */
  databases?: number;
  applications?: number;
  connections?: number;
}

export interface GeneratedFile {
  name: string;
  header: readonly string[];
  rows: (string | number)[][];
}

type Tier = 'web' | 'app' | 'db';
interface Vm {
  name: string;
  uuid: string;
  vcenter: string;
  cluster: string;
  host: string;
  ip: string;
  os: (typeof osMix)[number][0];
  uefi: boolean;
  cpus: number;
  memoryMiB: number;
  disksGiB: number[];
  poweredOn: boolean;
  tier: Tier;
  app: number;
}
interface App {
  name: string;
  group: string;
  vms: number[];
  cluster: number;
  catalogued: boolean;
  databases: string[];
}

const MIB = 1024;
const ipOf = (i: number) =>
  `10.${16 + Math.floor(i / 65_024)}.${Math.floor((i % 65_024) / 254)}.${(i % 254) + 1}`;

export function generateEstate(options: GenerateOptions): GeneratedFile[] {
  const rng = seededRandom(options.seed);
  const vmCount = Math.max(1, Math.floor(options.vms));
  const infraCount = Math.min(vmCount, Math.max(infrastructureServices.length, Math.round(vmCount * 0.005)));
  const appCount = Math.max(
    1,
    Math.min(vmCount - infraCount || 1, options.applications ?? Math.round(vmCount * 0.3)),
  );
  const apps = makeApps(rng, appCount);
  const vms = makeVms(rng, vmCount, infraCount, apps);
  const databases = makeDatabases(rng, options.databases ?? Math.round(vmCount * 0.85), vms, apps);
  return [
    ...rvtoolsFiles(rng, vms),
    migrateImport(rng, vms),
    catalog(rng, apps, vms, infraCount),
    databases,
    dependencies(rng, options.connections ?? vmCount * 5, vms, apps, infraCount),
  ];
}

function makeApps(rng: Rng, count: number): App[] {
  const apps: App[] = [];
  let cluster = 0;
  for (let i = 0; i < count; i += 1) {
    const group = pick(rng, businessGroups);
    // Dependency clusters: runs of 1-6 applications that call each other.
    if (i === 0 || rng() < 0.3) cluster += 1;
    apps.push({
      name: `${group.toLowerCase().replace(/[^a-z]/g, '')}-${pick(rng, appNouns)}-${String(i + 1).padStart(4, '0')}`,
      group,
      vms: [],
      cluster,
      catalogued: rng() > 0.12,
      databases: [],
    });
  }
  return apps;
}

function makeVms(rng: Rng, count: number, infraCount: number, apps: App[]): Vm[] {
  const vcenters = Math.max(1, Math.ceil(count / 4000));
  const vms: Vm[] = [];
  for (let i = 0; i < count; i += 1) {
    const infra = i < infraCount;
    // Every application gets one VM first, then the rest go mostly to the bigger applications.
    const appIndex = infra
      ? -1
      : i - infraCount < apps.length
        ? i - infraCount
        : skewedInt(rng, 0, apps.length - 1, 1.6);
    const app = apps[appIndex];
    const position = app?.vms.length ?? 0;
    const tier: Tier = infra
      ? 'app'
      : position === 0
        ? 'app'
        : rng() < 0.35
          ? 'web'
          : rng() < 0.5
            ? 'db'
            : 'app';
    const os = weighted(rng, osMix);
    const cpus = weighted(rng, cpuMix);
    const memoryGiB = Math.min(cpus * weighted(rng, memoryPerCpuGiB), 2048);
    const dataDisks = skewedInt(rng, 0, tier === 'db' ? 6 : 3, 1.5);
    const disksGiB = [
      os.windows ? pick(rng, [80, 100, 127, 150]) : pick(rng, [40, 60, 80, 100]),
      ...Array.from({ length: dataDisks }, () => (rng() < 0.01 ? 40_960 : skewedInt(rng, 20, 4096, 3))),
    ];
    const vcenter = `vcenter${String((i % vcenters) + 1).padStart(2, '0')}.contoso.local`;
    const clusterNo = (i % 12) + 1;
    const name = infra
      ? `${infrastructureServices[i % infrastructureServices.length]?.role ?? 'infra'}${String(Math.floor(i / infrastructureServices.length) + 1).padStart(2, '0')}`
      : `${app?.name ?? 'vm'}-${tier}${String(position + 1).padStart(2, '0')}`;
    vms.push({
      name,
      uuid: seededUuid(rng),
      vcenter,
      cluster: `cl-${String(clusterNo).padStart(2, '0')}`,
      host: `esx${String(clusterNo).padStart(2, '0')}-${String((i % 16) + 1).padStart(2, '0')}.contoso.local`,
      ip: ipOf(i),
      os,
      uefi: rng() < os.uefiShare,
      cpus,
      memoryMiB: memoryGiB * MIB,
      disksGiB,
      poweredOn: rng() > 0.05,
      tier,
      app: appIndex,
    });
    app?.vms.push(i);
  }
  return vms;
}

const bool = (value: boolean) => (value ? 'True' : 'False');

function rvtoolsFiles(rng: Rng, vms: Vm[]): GeneratedFile[] {
  const vInfo: GeneratedFile = {
    name: 'RVTools_tabvInfo.csv',
    header: [
      'VM',
      'Powerstate',
      'Template',
      'CPUs',
      'Memory',
      'NICs',
      'Disks',
      'Total disk capacity MiB',
      'Primary IP Address',
      'Firmware',
      'Creation date',
      'In Use MiB',
      'Datacenter',
      'Cluster',
      'Host',
      'OS according to the configuration file',
      'OS according to the VMware Tools',
      'VM UUID',
      'VI SDK Server',
    ],
    rows: [],
  };
  const vDisk: GeneratedFile = {
    name: 'RVTools_tabvDisk.csv',
    header: [
      'VM',
      'Template',
      'Disk',
      'Disk Key',
      'Capacity MiB',
      'Raw',
      'Sharing mode',
      'Thin',
      'VM UUID',
      'VI SDK Server',
    ],
    rows: [],
  };
  const vPartition: GeneratedFile = {
    name: 'RVTools_tabvPartition.csv',
    header: [
      'VM',
      'Template',
      'Disk',
      'Capacity MiB',
      'Consumed MiB',
      'Free MiB',
      'VM UUID',
      'VI SDK Server',
    ],
    rows: [],
  };
  const vNetwork: GeneratedFile = {
    name: 'RVTools_tabvNetwork.csv',
    header: [
      'VM',
      'Template',
      'NIC label',
      'Network',
      'Connected',
      'IPv4 Address',
      'VM UUID',
      'VI SDK Server',
    ],
    rows: [],
  };
  const hosts = new Map<string, { cluster: string; vcenter: string }>();
  for (const vm of vms) {
    const capacityMiB = vm.disksGiB.reduce((s, d) => s + d, 0) * MIB;
    const usedMiB = Math.round(capacityMiB * (0.2 + rng() * 0.6));
    // RVTools writes dates as text; re-saved sheets turn them into Excel serials: use both.
    const created =
      rng() < 0.5
        ? `${1 + Math.floor(rng() * 12)}/${1 + Math.floor(rng() * 28)}/${2012 + Math.floor(rng() * 12)} 9:30:00 AM`
        : String(40_000 + Math.floor(rng() * 5000));
    vInfo.rows.push([
      vm.name,
      vm.poweredOn ? 'poweredOn' : 'poweredOff',
      'False',
      vm.cpus,
      vm.memoryMiB,
      1,
      vm.disksGiB.length,
      capacityMiB,
      vm.ip,
      vm.uefi ? 'efi' : 'bios',
      created,
      usedMiB,
      'DC1',
      vm.cluster,
      vm.host,
      vm.os.name,
      vm.poweredOn ? vm.os.name : '',
      vm.uuid,
      vm.vcenter,
    ]);
    vm.disksGiB.forEach((sizeGiB, d) => {
      vDisk.rows.push([
        vm.name,
        'False',
        `Hard disk ${d + 1}`,
        2000 + d,
        sizeGiB * MIB,
        'False',
        'sharingNone',
        bool(rng() < 0.7),
        vm.uuid,
        vm.vcenter,
      ]);
      const consumed = Math.round(sizeGiB * MIB * (0.2 + rng() * 0.6));
      vPartition.rows.push([
        vm.name,
        'False',
        vm.os.windows ? `${String.fromCharCode(67 + d)}:\\` : d === 0 ? '/' : `/data${d}`,
        sizeGiB * MIB - 512,
        consumed,
        sizeGiB * MIB - 512 - consumed,
        vm.uuid,
        vm.vcenter,
      ]);
    });
    vNetwork.rows.push([
      vm.name,
      'False',
      'Network adapter 1',
      `VLAN-${100 + (vm.app % 50)}`,
      'True',
      vm.ip,
      vm.uuid,
      vm.vcenter,
    ]);
    hosts.set(vm.host, { cluster: vm.cluster, vcenter: vm.vcenter });
  }
  const vHost: GeneratedFile = {
    name: 'RVTools_tabvHost.csv',
    header: [
      'Host',
      'Datacenter',
      'Cluster',
      '# CPU',
      'Cores per CPU',
      '# Cores',
      'CPU usage %',
      '# Memory',
      'Memory usage %',
      'ESX Version',
      'VI SDK Server',
    ],
    rows: [...hosts.entries()].map(([host, h]) => [
      host,
      'DC1',
      h.cluster,
      2,
      24,
      48,
      Math.round(20 + rng() * 50),
      1_048_576,
      Math.round(40 + rng() * 40),
      pick(rng, [
        'VMware ESXi 6.7.0 build-17700523',
        'VMware ESXi 7.0.3 build-21930508',
        'VMware ESXi 8.0.2 build-22380479',
      ]),
      h.vcenter,
    ]),
  };
  return [vInfo, vDisk, vPartition, vNetwork, vHost];
}

/** Azure Migrate import rows with utilisation for about 70 % of the powered-on VMs. */
function migrateImport(rng: Rng, vms: Vm[]): GeneratedFile {
  const maxDisks = 8;
  const header = [
    '*Server name',
    'IP addresses',
    '*Cores',
    '*Memory (In MB)',
    '*OS name',
    'OS architecture',
    'Server type',
    'CPU utilization percentage',
    'Memory utilization percentage',
    'Network adapters',
    'Boot type',
    'Number of disks',
    'Virtual machine ID',
  ];
  for (let d = 1; d <= maxDisks; d += 1) {
    header.push(
      `Disk ${d} size (In GB)`,
      `Disk ${d} read throughput (MB per second)`,
      `Disk ${d} write throughput (MB per second)`,
      `Disk ${d} read ops (operations per second)`,
      `Disk ${d} write ops (operations per second)`,
    );
  }
  const rows: (string | number)[][] = [];
  for (const vm of vms) {
    if (!vm.poweredOn || rng() > 0.7) continue;
    const busy = vm.tier === 'db' ? 1.6 : 1;
    const disks = vm.disksGiB.slice(0, maxDisks);
    // About 1 % of rows disagree with vCenter on memory: a resize since the RVTools export.
    const memory = rng() < 0.01 ? vm.memoryMiB * 2 : vm.memoryMiB;
    const row: (string | number)[] = [
      vm.name,
      vm.ip,
      vm.cpus,
      memory,
      vm.os.name,
      vm.os.name.includes('32-bit') ? 'x86' : 'x64',
      'Virtual',
      round(5 + rng() ** 1.5 * 80),
      round(30 + rng() * 60),
      1,
      vm.uefi ? 'UEFI' : 'BIOS',
      vm.disksGiB.length,
      vm.uuid,
    ];
    for (let d = 0; d < maxDisks; d += 1) {
      const size = disks[d];
      if (size === undefined) row.push('', '', '', '', '');
      else {
        const iops = round(skewedInt(rng, 5, 3000, 3) * busy, 0);
        // A few disks churn heavily, beyond what Site Recovery can replicate.
        const writeMBps = rng() < 0.004 ? round(25 + rng() * 30) : round(rng() ** 4 * 10 * busy);
        row.push(size, round(rng() ** 2 * 40 * busy), writeMBps, iops, round(iops * 0.4, 0));
      }
    }
    rows.push(row);
  }
  return { name: 'azure-migrate-import.csv', header, rows };
}

function catalog(rng: Rng, apps: App[], vms: Vm[], infraCount: number): GeneratedFile {
  const header = [
    'Application',
    'Owner',
    'Business group',
    'Environment',
    'SLA',
    'Servers',
    'Databases',
    'POC candidate',
    'Technical debt',
    'Firewall implications',
    'Security issues',
    'Migration strategy',
    'Technical complexity',
    'Business criticality',
    'Migration priority',
    'Migration risk',
  ];
  const infraServers = vms.slice(0, infraCount).map((vm) => vm.name);
  const rows: (string | number)[][] = [
    [
      'shared-infrastructure',
      'platform-team@contoso.com',
      'IT',
      'Production',
      99.99,
      infraServers.join(';'),
      '',
      'N',
      'Some',
      'Y',
      'N',
      'Rehost',
      4,
      5,
      1,
      4,
    ],
  ];
  for (const app of apps) {
    if (!app.catalogued) continue;
    const environment = weighted(rng, [
      ['Production', 55],
      ['Staging', 10],
      ['Test', 20],
      ['Development', 15],
    ] as const);
    const criticality = environment === 'Production' ? skewedInt(rng, 2, 5, 1.2) : skewedInt(rng, 1, 3, 1.5);
    const complexity = Math.min(5, 1 + Math.floor(app.vms.length / 4) + (rng() < 0.3 ? 1 : 0));
    const debt = weighted(rng, [
      ['None', 50],
      ['Some', 35],
      ['Severe', 15],
    ] as const);
    rows.push([
      app.name,
      `${app.name.split('-')[1] ?? 'team'}-owner@contoso.com`,
      app.group,
      environment,
      environment === 'Production' ? pick(rng, [99.5, 99.9, 99.95]) : 99,
      app.vms.map((i) => vms[i]?.name ?? '').join(';'),
      app.databases.join(';'),
      rng() < 0.05 ? 'Y' : 'N',
      debt,
      rng() < 0.3 ? 'Y' : 'N',
      rng() < 0.1 ? 'Y' : 'N',
      weighted(rng, [
        ['Rehost', 70],
        ['Refactor', 15],
        ['Rearchitect', 10],
        ['Rebuild', 5],
      ] as const),
      complexity,
      criticality,
      criticality >= 4 ? 3 : criticality <= 2 ? 1 : 2,
      Math.min(5, Math.max(1, Math.round((complexity + criticality) / 2 + (debt === 'Severe' ? 1 : 0)))),
    ]);
  }
  return { name: 'service-catalog.csv', header, rows };
}

function makeDatabases(rng: Rng, count: number, vms: Vm[], apps: App[]): GeneratedFile {
  const header = [
    'Database',
    'Engine',
    'Version',
    'Size (GB)',
    'Log rate (MB/s)',
    'Change rate (GB/day)',
    'Host server',
    'Application',
    'Target',
  ];
  const hosts = vms.filter((vm) => vm.tier === 'db' && vm.app >= 0);
  const fallback = vms.filter((vm) => vm.app >= 0);
  const pool = hosts.length > 0 ? hosts : fallback;
  const rows: (string | number)[][] = [];
  const engineOfHost = new Map<string, 'SQL Server' | 'MySQL' | 'PostgreSQL'>();
  for (let i = 0; i < count && pool.length > 0; i += 1) {
    const host = pool[i % pool.length] as Vm;
    const engine =
      engineOfHost.get(host.name) ??
      (host.os.windows
        ? 'SQL Server'
        : weighted(rng, [
            ['MySQL', 50],
            ['PostgreSQL', 50],
          ] as const));
    engineOfHost.set(host.name, engine);
    const version =
      engine === 'SQL Server'
        ? weighted(rng, sqlServerVersions)
        : engine === 'MySQL'
          ? weighted(rng, mysqlVersions)
          : weighted(rng, postgresVersions);
    const app = apps[host.app];
    const name = `${app?.name.split('-')[1] ?? 'db'}_${String(i + 1).padStart(5, '0')}`;
    app?.databases.push(name);
    const sizeGB = round(Math.exp(rng() * 8.5), 1); // 1 GB … ~5 TB, log-uniform
    const logKnown = rng() < 0.6;
    const target =
      rng() < 0.1
        ? pick(rng, ['Azure SQL Database', 'Azure SQL Managed Instance', 'SQL Server on Azure VM'])
        : '';
    rows.push([
      name,
      engine,
      version,
      sizeGB,
      logKnown ? round(rng() ** 2 * 10, 2) : '',
      logKnown ? round(sizeGB * rng() * 0.1, 1) : '',
      host.name,
      app?.name ?? '',
      engine === 'SQL Server' ? target : '',
    ]);
  }
  return { name: 'databases.csv', header, rows };
}

const SLOTS = [
  '11/24/2025 00:00 - 11/24/2025 06:00',
  '11/24/2025 06:00 - 11/24/2025 12:00',
  '11/24/2025 12:00 - 11/24/2025 18:00',
  '11/24/2025 18:00 - 11/25/2025 00:00',
];

function dependencies(rng: Rng, target: number, vms: Vm[], apps: App[], infraCount: number): GeneratedFile {
  const header = [
    'Time slot',
    'Source server name',
    'Source IP',
    'Source application',
    'Source process',
    'Destination server name',
    'Destination IP',
    'Destination application',
    'Destination process',
    'Destination port',
  ];
  const rows: (string | number)[][] = [];
  const portFor = (vm: Vm) =>
    vm.tier === 'web' ? 443 : vm.tier === 'db' ? (vm.os.windows ? 1433 : 5432) : 8080;
  const processFor = (vm: Vm) =>
    vm.tier === 'web'
      ? 'w3wp.exe'
      : vm.tier === 'db'
        ? vm.os.windows
          ? 'sqlservr.exe'
          : 'postgres'
        : 'java';
  const push = (from: Vm, to: Vm, port: number, process: string) => {
    // Servers without dependency analysis show up by IP only.
    const named = rng() > 0.05;
    rows.push([
      pick(rng, SLOTS),
      named ? from.name : '',
      from.ip,
      '',
      'Unknown process',
      named ? to.name : '',
      to.ip,
      '',
      process,
      port,
    ]);
  };
  const appVms = vms.filter((vm) => vm.app >= 0);
  const byCluster = new Map<number, number[]>();
  apps.forEach((app, i) => byCluster.set(app.cluster, [...(byCluster.get(app.cluster) ?? []), i]));
  while (rows.length < target && appVms.length > 0) {
    const roll = rng();
    const from = pick(rng, appVms);
    const app = apps[from.app] as App;
    if (roll < 0.55 && app.vms.length > 1) {
      const to = vms[pick(rng, app.vms)] as Vm;
      if (to !== from) push(from, to, portFor(to), processFor(to));
    } else if (roll < 0.7) {
      const neighbours = byCluster.get(app.cluster) ?? [];
      const other = apps[pick(rng, neighbours)] as App;
      const to = vms[pick(rng, other.vms)];
      if (to !== undefined && to !== from) push(from, to, portFor(to), processFor(to));
    } else if (roll < 0.93 && infraCount > 0) {
      const index = Math.floor(rng() * infraCount);
      const service = infrastructureServices[index % infrastructureServices.length];
      const to = vms[index] as Vm;
      if (service !== undefined) push(from, to, service.port, service.process);
    } else {
      // Noise: replies to ephemeral ports and one-off scans.
      const to = pick(rng, appVms);
      if (to !== from) push(from, to, 49_152 + Math.floor(rng() * 16_000), 'Unknown process');
    }
  }
  return { name: 'azure-migrate-dependencies.csv', header, rows };
}
