import { discoveredMachineId, type SourceSite, type SourceVm, type Tier } from './estate.ts';
import type { BatchSpec, DatabaseMigrationServices, DatabaseSpec, TargetSettings } from './migration.ts';
import { seededRandom, seededUuid } from './random.ts';

/** Where the migration lands in Azure: one subscription, one Recovery Services vault. */
export interface AzureScope {
  subscriptionId: string;
  resourceGroup: string;
  vaultName: string;
  location: string;
}

export const demoScope: AzureScope = {
  subscriptionId: '6f1c7e4a-52b1-4b6e-9d43-0c2f5a1d9e10',
  resourceGroup: 'rg-migration-factory',
  vaultName: 'rsv-contoso-migration',
  location: 'westeurope',
};

/**
 * The Azure Migrate VMware site a vCenter is discovered into, unless `--vmware-site` says otherwise:
 * "<domain>-vmware-site" (vcenter01.contoso.local → contoso-vmware-site), the simulator's convention.
 */
export function defaultVmwareSiteName(vcenter: string): string {
  const labels = vcenter.split('.');
  const name = labels.length > 1 && labels[1] ? labels[1] : vcenter;
  return `${name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-vmware-site`;
}

export interface DemoBatch {
  batchId: string;
  vmNames: string[];
}

export interface DemoWave {
  waveId: string;
  batches: DemoBatch[];
}

const applications: { name: string; tiers: Tier[] }[] = [
  { name: 'payroll', tiers: ['db', 'app', 'app', 'web', 'web'] },
  { name: 'intranet', tiers: ['db', 'app', 'web', 'web', 'web'] },
  { name: 'crm', tiers: ['db', 'db', 'app', 'app', 'web'] },
  { name: 'reporting', tiers: ['db', 'app', 'app', 'web', 'web'] },
];

const osChoices = ['Windows Server 2019', 'Windows Server 2022', 'Ubuntu 22.04', 'RHEL 8.8'];

/** A 20-VM estate of four applications (five VMs each) on one vCenter with two replication appliances. */
export function demoSite(seed = 42, applicationCount = applications.length): SourceSite {
  const next = seededRandom(seed);
  const vms: SourceVm[] = [];
  // Beyond the four demo applications, copies are numbered (payroll-2, intranet-2, …) for larger runs.
  const apps = Array.from({ length: applicationCount }, (_, i) => {
    const template = applications[i % applications.length]!;
    const copy = Math.floor(i / applications.length);
    return { name: copy === 0 ? template.name : `${template.name}-${copy + 1}`, tiers: template.tiers };
  });
  for (const app of apps) {
    app.tiers.forEach((tier, index) => {
      const diskCount = tier === 'db' ? 2 : 1;
      vms.push({
        name: `${app.name}-${tier}-${String(index + 1).padStart(2, '0')}`,
        uuid: seededUuid(next),
        os: osChoices[Math.floor(next() * osChoices.length)] ?? 'Ubuntu 22.04',
        cpus: tier === 'db' ? 8 : 4,
        memoryMiB: tier === 'db' ? 32768 : 8192,
        disks: Array.from({ length: diskCount }, (_, d) => {
          const sizeGiB = d === 0 ? 128 : 512;
          return { id: String(2000 + d), sizeGiB, usedGiB: Math.round(sizeGiB * (0.3 + next() * 0.5)) };
        }),
        churnMiBPerDay: Math.round((tier === 'db' ? 40_000 : 5_000) * (0.5 + next())),
        application: app.name,
        tier,
      });
    });
  }
  return {
    vcenter: 'vcenter01.contoso.local',
    vmwareSiteName: 'contoso-vmware-site',
    appliances: [
      { name: 'asr-appliance-01', bandwidthMbps: 1000 },
      { name: 'asr-appliance-02', bandwidthMbps: 1000 },
    ],
    uplinkMbps: 2000,
    vms,
  };
}

/** Two batches of ten VMs; each application moves whole within one batch. */
export function demoWave(site: SourceSite, waveId = 'wave-demo-01'): DemoWave {
  const byApp = (apps: string[]) =>
    site.vms.filter((vm) => apps.includes(vm.application)).map((vm) => vm.name);
  return {
    waveId,
    batches: [
      { batchId: `${waveId}-batch-01`, vmNames: byApp(['payroll', 'intranet']) },
      { batchId: `${waveId}-batch-02`, vmNames: byApp(['crm', 'reporting']) },
    ],
  };
}

/** Where the demo's VMs land: a target resource group, production and isolated test networks. */
export function demoTarget(scope: AzureScope): TargetSettings {
  const rg = (name: string) => `/subscriptions/${scope.subscriptionId}/resourceGroups/${name}`;
  return {
    resourceGroupId: rg('rg-contoso-migrated'),
    networkId: `${rg('rg-contoso-network')}/providers/Microsoft.Network/virtualNetworks/vnet-contoso-prod`,
    subnetName: 'snet-workloads',
    testNetworkId: `${rg('rg-contoso-network')}/providers/Microsoft.Network/virtualNetworks/vnet-contoso-test`,
    logStorageAccountId: `${rg(scope.resourceGroup)}/providers/Microsoft.Storage/storageAccounts/stasrcachecontoso`,
  };
}

/** The demo wave's batches with each VM's discovered-machine id and appliance (one appliance per application). */
export function demoBatchSpecs(scope: AzureScope, site: SourceSite, wave: DemoWave): BatchSpec[] {
  const appliances = site.appliances.map((a) => a.name);
  const applications = [...new Set(site.vms.map((vm) => vm.application))];
  return wave.batches.map((batch) => ({
    waveId: wave.waveId,
    batchId: batch.batchId,
    vms: batch.vmNames.map((name) => {
      const vm = site.vms.find((v) => v.name === name);
      if (!vm) throw new Error(`demo wave names unknown VM ${name}`);
      return {
        name,
        machineId: discoveredMachineId(scope.subscriptionId, scope.resourceGroup, site, vm),
        tier: vm.tier,
        appliance: appliances[applications.indexOf(vm.application) % appliances.length] ?? '',
        targetVmSize: vm.tier === 'db' ? 'Standard_E8s_v5' : 'Standard_D4s_v5',
      };
    }),
  }));
}

/** A demo database: what the factory migrates, and what the source side looks like to seed a simulator. */
export interface DemoDatabase {
  spec: DatabaseSpec;
  /** Index of the demo batch whose application owns it. */
  batchIndex: number;
  version: string;
  logRateMBPerHour: number;
}

const demoDataGroup = 'rg-contoso-data';

/** Where the simulator profile puts the target database servers of planned waves. */
export const demoDatabaseTargetGroup = 'rg-data-targets';

/** Resource groups of the demo's databases (the hand-made demo's and the planned waves'). */
export const demoDatabaseGroups = [demoDataGroup, demoDatabaseTargetGroup];

/** Payroll's SQL Server database to a managed instance (scaled up while it migrates) and CRM's MySQL. */
export function demoDatabases(scope: AzureScope): DemoDatabase[] {
  const providers = `/subscriptions/${scope.subscriptionId}/resourceGroups/${demoDataGroup}/providers`;
  return [
    {
      spec: {
        id: 'payroll-db-01.payroll',
        name: 'payroll',
        sourceServer: 'payroll-db-01',
        engine: 'SQL Server',
        application: 'payroll',
        mode: 'online',
        sizeGB: 20,
        target: {
          kind: 'SqlMi',
          serverId: `${providers}/Microsoft.Sql/managedInstances/sqlmi-payroll`,
          databaseName: 'payroll',
        },
        scaleUp: {
          migrationSku: { name: 'GP_Gen5', tier: 'GeneralPurpose', capacity: 16 },
          normalSku: { name: 'GP_Gen5', tier: 'GeneralPurpose', capacity: 8 },
        },
      },
      batchIndex: 0,
      version: '2019',
      logRateMBPerHour: 300,
    },
    {
      spec: {
        id: 'crm-db-01.crm',
        name: 'crm',
        sourceServer: 'crm-db-01',
        engine: 'MySQL',
        application: 'crm',
        mode: 'online',
        sizeGB: 10,
        target: {
          kind: 'MySql',
          serverId: `${providers}/Microsoft.DBforMySQL/flexibleServers/mysql-crm`,
          databaseName: 'crm',
        },
      },
      batchIndex: 1,
      version: '8.0',
      logRateMBPerHour: 200,
    },
  ];
}

/** The migration services the demo's databases run through. */
export function demoDatabaseServices(scope: AzureScope): DatabaseMigrationServices {
  const group = `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}`;
  return {
    location: scope.location,
    sqlMigrationServiceId: `${group}/providers/Microsoft.DataMigration/sqlMigrationServices/sqlms-contoso`,
    classic: {
      serviceId: `${group}/providers/Microsoft.DataMigration/services/dms-contoso`,
      virtualSubnetId: `${group}/providers/Microsoft.Network/virtualNetworks/vnet-migration/subnets/dms`,
      skuName: 'Premium_4vCores',
    },
  };
}
