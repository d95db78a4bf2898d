/**
 * Where a wave runs and how fast it is watched, as a validated settings profile. Every client that starts
 * a wave (CLI, demo, bench, tests) resolves its settings here and nowhere else:
 *
 * - `simulator`: the simulator's seeded ids and fast timings (seconds, not hours) for the compressed clock.
 * - `azure`: nothing is assumed. Subscription, resource groups, networks, cache storage account (and, for a
 *   wave with databases, the migration services) must be given; timings are production ones.
 *
 * A value comes from the caller (a CLI flag) or the environment variable named next to it; the simulator
 * profile alone falls back to the simulator's layout. Nothing of the simulator reaches an `azure` wave.
 */
import { z } from 'zod';
import { demoDatabaseServices, demoDatabaseTargetGroup, demoScope, demoTarget } from '../domain/demo.ts';
import type { DatabaseMigrationServices, TargetSettings } from '../domain/migration.ts';
import type { DatabaseTargetConvention } from '../domain/plan/database-specs.ts';
import { TASK_QUEUES } from './task-queues.ts';
import type { BatchSettings, DatabaseSettings } from './workflow-inputs.ts';

export const settingsProfiles = ['simulator', 'azure'] as const;
export type SettingsProfile = (typeof settingsProfiles)[number];

/** Each setting with the flag and the environment variable that set it. */
export const waveSettingSources = {
  profile: { flag: '--profile', env: 'FACTORY_PROFILE' },
  subscriptionId: { flag: '--subscription', env: 'AZURE_SUBSCRIPTION_ID' },
  resourceGroup: { flag: '--resource-group', env: 'AZURE_RESOURCE_GROUP' },
  location: { flag: '--location', env: 'AZURE_LOCATION' },
  vmwareSites: { flag: '--vmware-site', env: 'FACTORY_VMWARE_SITES' },
  targetResourceGroupId: { flag: '--target-resource-group', env: 'FACTORY_TARGET_RESOURCE_GROUP_ID' },
  targetNetworkId: { flag: '--target-network', env: 'FACTORY_TARGET_NETWORK_ID' },
  targetSubnet: { flag: '--target-subnet', env: 'FACTORY_TARGET_SUBNET' },
  testNetworkId: { flag: '--test-network', env: 'FACTORY_TEST_NETWORK_ID' },
  cacheStorageAccountId: { flag: '--cache-storage-account', env: 'FACTORY_CACHE_STORAGE_ACCOUNT_ID' },
  runAsAccountId: { flag: '--run-as-account', env: 'FACTORY_RUN_AS_ACCOUNT_ID' },
  sqlMigrationServiceId: { flag: '--sql-migration-service', env: 'FACTORY_SQL_MIGRATION_SERVICE_ID' },
  dmsServiceId: { flag: '--dms-service', env: 'FACTORY_DMS_SERVICE_ID' },
  dmsSubnetId: { flag: '--dms-subnet', env: 'FACTORY_DMS_SUBNET_ID' },
  dmsSku: { flag: '--dms-sku', env: 'FACTORY_DMS_SKU' },
  databaseTargetResourceGroupId: {
    flag: '--database-target-resource-group',
    env: 'FACTORY_DATABASE_TARGET_RESOURCE_GROUP_ID',
  },
  workflowTaskQueue: { flag: '--task-queue', env: 'FACTORY_TASK_QUEUE' },
  azureTaskQueue: { flag: '--azure-task-queue', env: 'FACTORY_AZURE_TASK_QUEUE' },
} as const;
export type WaveSettingKey = keyof typeof waveSettingSources;
/** Values given by the caller (flags), by setting; unset ones are read from the environment. */
export type GivenSettings = Partial<Record<WaveSettingKey, string>>;

/** How a wave is watched: how often replication and migrations report, when a stall needs a person. */
export interface WaveTimings {
  batch: Omit<BatchSettings, 'azureTaskQueue' | 'requireValidationSignOff' | 'validation' | 'cutoverWindow'>;
  database: Omit<DatabaseSettings, 'azureTaskQueue'>;
}

const minutes = (n: number) => n * 60_000;
const hours = (n: number) => n * 3_600_000;

export const profileTimings: Record<SettingsProfile, WaveTimings> = {
  // The simulator's clock runs hundreds of times faster than the wall clock.
  simulator: {
    batch: {
      replicationReportEveryMs: 2000,
      heartbeatTimeoutMs: 30_000,
      initialReplicationTimeoutMs: hours(72),
      stallAfterMs: 60_000,
      maxRepairs: 1,
      continueAsNewAfterPolls: 500,
    },
    database: { reportEveryMs: 2000, heartbeatTimeoutMs: 30_000, continueAsNewAfterPolls: 500 },
  },
  // Azure reports replication health every few minutes; a stall is hours, initial replication days.
  azure: {
    batch: {
      replicationReportEveryMs: minutes(5),
      heartbeatTimeoutMs: minutes(2),
      initialReplicationTimeoutMs: hours(24 * 14),
      stallAfterMs: hours(4),
      maxRepairs: 2,
      continueAsNewAfterPolls: 500,
    },
    database: {
      reportEveryMs: minutes(5),
      readyCheckEveryMs: minutes(30),
      heartbeatTimeoutMs: minutes(2),
      continueAsNewAfterPolls: 500,
    },
  },
};

const armId = (what: string) =>
  z
    .string()
    .regex(
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+(\/providers\/.+)?$/i,
      `must be the ARM id of ${what}`,
    );

const timingsSchema = z.object({
  batch: z.object({
    replicationReportEveryMs: z.number().int().positive(),
    heartbeatTimeoutMs: z.number().int().positive(),
    initialReplicationTimeoutMs: z.number().int().positive(),
    stallAfterMs: z.number().int().positive(),
    maxRepairs: z.number().int().nonnegative(),
    continueAsNewAfterPolls: z.number().int().positive(),
  }),
  database: z.object({
    reportEveryMs: z.number().int().positive(),
    readyCheckEveryMs: z.number().int().positive().optional(),
    heartbeatTimeoutMs: z.number().int().positive(),
    continueAsNewAfterPolls: z.number().int().positive(),
  }),
});

const settingsSchema = z.object({
  profile: z.enum(settingsProfiles),
  subscriptionId: z.uuid('must be a subscription id (a GUID)'),
  resourceGroup: z.string().min(1),
  location: z.string().min(1),
  /** vCenter → Azure Migrate VMware site; `*` names the site of every other vCenter. */
  vmwareSites: z.record(z.string(), z.string().min(1)),
  target: z.object({
    resourceGroupId: armId('a resource group'),
    networkId: armId('a virtual network'),
    subnetName: z.string().min(1),
    testNetworkId: armId('a virtual network'),
    logStorageAccountId: armId('a storage account'),
    runAsAccountId: z
      .string()
      .regex(
        /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OffAzure\/VMwareSites\/[^/]+\/runAsAccounts\/[^/]+$/i,
        'must be the ARM id of an Azure Migrate run-as account (…/providers/Microsoft.OffAzure/VMwareSites/{site}/runAsAccounts/{name})',
      )
      .optional(),
  }),
  databases: z
    .object({
      services: z.object({
        location: z.string().min(1),
        sqlMigrationServiceId: armId('a SQL migration service'),
        classic: z.object({
          serviceId: armId('a Database Migration Service'),
          virtualSubnetId: armId('a subnet'),
          skuName: z.string().min(1),
        }),
      }),
      targets: z.object({ resourceGroupId: armId('a resource group') }),
    })
    .optional(),
  timings: timingsSchema,
  taskQueues: z.object({ workflows: z.string().min(1), azure: z.string().min(1) }),
});

export interface WaveSettings {
  profile: SettingsProfile;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  vmwareSites: Record<string, string>;
  target: TargetSettings;
  /** Absent when the wave has no databases. */
  databases?: { services: DatabaseMigrationServices; targets: DatabaseTargetConvention };
  timings: WaveTimings;
  taskQueues: { workflows: string; azure: string };
}

/** Settings that are missing or invalid, each named with the flag and the variable that set it. */
export class WaveSettingsError extends Error {
  constructor(readonly problems: { setting: string; problem: string }[]) {
    super(
      `The wave's settings are incomplete or invalid:\n${problems
        .map(({ setting, problem }) => {
          const source = waveSettingSources[setting as WaveSettingKey];
          return `  ${setting}: ${problem}${source ? ` (set ${source.flag} or $${source.env})` : ''}`;
        })
        .join('\n')}`,
    );
    this.name = 'WaveSettingsError';
  }
}

/** The simulator's seeded layout (see `factory stack`): only the simulator profile ever uses it. */
export const simulatorDefaults: Partial<Record<WaveSettingKey, string>> = (() => {
  const target = demoTarget(demoScope);
  const services = demoDatabaseServices(demoScope);
  return {
    subscriptionId: demoScope.subscriptionId,
    resourceGroup: demoScope.resourceGroup,
    location: demoScope.location,
    targetResourceGroupId: target.resourceGroupId,
    targetNetworkId: target.networkId,
    targetSubnet: target.subnetName,
    testNetworkId: target.testNetworkId,
    cacheStorageAccountId: target.logStorageAccountId,
    sqlMigrationServiceId: services.sqlMigrationServiceId,
    dmsServiceId: services.classic.serviceId,
    dmsSubnetId: services.classic.virtualSubnetId,
    databaseTargetResourceGroupId: `/subscriptions/${demoScope.subscriptionId}/resourceGroups/${demoDatabaseTargetGroup}`,
  };
})();

/** Values that are choices rather than ids: the same in both profiles. */
const sharedDefaults: Partial<Record<WaveSettingKey, string>> = {
  dmsSku: 'Premium_4vCores',
  workflowTaskQueue: TASK_QUEUES.workflows,
  azureTaskQueue: TASK_QUEUES.azure,
};

/** "vcenter=site" pairs (comma-separated in the variable); a bare name is the site of every vCenter. */
function parseVmwareSites(text: string): Record<string, string> | string {
  const sites: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim())) {
    if (!part) continue;
    const [vcenter, site, extra] = part.split('=').map((p) => p.trim());
    if (extra !== undefined || !vcenter || site === '') return `'${part}' is not vcenter=site or a site name`;
    if (site === undefined) sites['*'] = vcenter;
    else sites[vcenter] = site;
  }
  return Object.keys(sites).length > 0 ? sites : 'names no site';
}

/**
 * Resolves a wave's settings for a profile from the caller's values and the environment. `databases`
 * says whether the wave has databases (their migration services are then required). Throws a
 * `WaveSettingsError` naming every missing or invalid setting.
 */
export function resolveWaveSettings(options: {
  profile: SettingsProfile;
  given?: GivenSettings;
  env?: Record<string, string | undefined>;
  databases: boolean;
  /** Timings that differ from the profile's (the bench's compressed calendar). */
  timings?: { batch?: Partial<WaveTimings['batch']>; database?: Partial<WaveTimings['database']> };
}): WaveSettings {
  const { profile, given = {}, env = {} } = options;
  const problems: { setting: string; problem: string }[] = [];
  const value = (key: WaveSettingKey): string | undefined => {
    const explicit = given[key]?.trim() || env[waveSettingSources[key].env]?.trim();
    if (explicit) return explicit;
    return sharedDefaults[key] ?? (profile === 'simulator' ? simulatorDefaults[key] : undefined);
  };
  const required = (key: WaveSettingKey): string => {
    const found = value(key);
    if (found === undefined) problems.push({ setting: key, problem: `required for the ${profile} profile` });
    return found ?? '';
  };

  let vmwareSites: Record<string, string> = {};
  const sitesText = value('vmwareSites');
  if (sitesText !== undefined) {
    const parsed = parseVmwareSites(sitesText);
    if (typeof parsed === 'string') problems.push({ setting: 'vmwareSites', problem: parsed });
    else vmwareSites = parsed;
  }
  const subscriptionId = required('subscriptionId');
  // Optional in both profiles: without it, VMs lacking the mobility agent fail to enable (preflight says which).
  const runAsAccountId = value('runAsAccountId');
  const candidate = {
    profile,
    subscriptionId,
    resourceGroup: required('resourceGroup'),
    location: required('location'),
    vmwareSites,
    target: {
      resourceGroupId: required('targetResourceGroupId'),
      networkId: required('targetNetworkId'),
      subnetName: required('targetSubnet'),
      testNetworkId: required('testNetworkId'),
      logStorageAccountId: required('cacheStorageAccountId'),
      ...(runAsAccountId === undefined ? {} : { runAsAccountId }),
    },
    ...(options.databases
      ? {
          databases: {
            services: {
              location: value('location') ?? '',
              sqlMigrationServiceId: required('sqlMigrationServiceId'),
              classic: {
                serviceId: required('dmsServiceId'),
                virtualSubnetId: required('dmsSubnetId'),
                skuName: required('dmsSku'),
              },
            },
            targets: { resourceGroupId: required('databaseTargetResourceGroupId') },
          },
        }
      : {}),
    timings: {
      batch: { ...profileTimings[profile].batch, ...options.timings?.batch },
      database: { ...profileTimings[profile].database, ...options.timings?.database },
    },
    taskQueues: { workflows: required('workflowTaskQueue'), azure: required('azureTaskQueue') },
  };
  if (problems.length > 0) throw new WaveSettingsError(problems);
  const parsed = settingsSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new WaveSettingsError(
      parsed.error.issues.map((issue) => ({
        setting: settingKeyOf(issue.path.map(String)),
        problem: `${issue.message}${issue.path.length > 0 ? ` (${issue.path.join('.')})` : ''}`,
      })),
    );
  }
  return parsed.data;
}

/** Which setting a schema path belongs to, so a problem names its flag and variable. */
function settingKeyOf(path: string[]): string {
  const byPath: Record<string, WaveSettingKey> = {
    'target.resourceGroupId': 'targetResourceGroupId',
    'target.networkId': 'targetNetworkId',
    'target.subnetName': 'targetSubnet',
    'target.testNetworkId': 'testNetworkId',
    'target.logStorageAccountId': 'cacheStorageAccountId',
    'target.runAsAccountId': 'runAsAccountId',
    'databases.services.sqlMigrationServiceId': 'sqlMigrationServiceId',
    'databases.services.classic.serviceId': 'dmsServiceId',
    'databases.services.classic.virtualSubnetId': 'dmsSubnetId',
    'databases.services.classic.skuName': 'dmsSku',
    'databases.targets.resourceGroupId': 'databaseTargetResourceGroupId',
  };
  const joined = path.join('.');
  return byPath[joined] ?? path[0] ?? 'settings';
}
