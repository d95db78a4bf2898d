/**
 * The source side of a planned estate as the simulator (and the demo) model it: one vCenter's VMs with
 * their UUIDs, disks, application and tier, and the replication appliances the plan assigns them to.
 * `factory stack --workspace` and the integration tests seed the simulator with it, so a wave started
 * from the plan finds its discovered machines.
 */
import { loadEstate } from '../../workspace/files.ts';
import { loadPlan } from '../../workspace/plan-files.ts';
import { resolveWaveSettings } from '../../contracts/wave-settings.ts';
import { defaultVmwareSiteName, demoScope } from '../../domain/demo.ts';
import type { Estate } from '../../domain/inventory/estate-schema.ts';
import { databaseSpecsFromPlan, type DatabaseTargetConvention } from '../../domain/plan/database-specs.ts';
import type { Plan } from '../../domain/plan/plan-schema.ts';
import type { SimulatorAdmin } from '../../simulators/admin-client.ts';
import type { DatabaseSeed } from '../../simulators/data-migration/seed.ts';
import type { SourceDisk, SourceSite, SourceVm } from '../../domain/estate.ts';

export interface SourceSiteOptions {
  /** Which vCenter, when the plan spans several. */
  vcenter?: string;
  /** Cap each disk's used size (GiB), so tests replicate in seconds. */
  maxDiskUsedGiB?: number;
}

export async function sourceSiteFromWorkspace(
  workspace: string,
  options: SourceSiteOptions = {},
): Promise<SourceSite> {
  const [estate, plan] = await Promise.all([loadEstate(workspace), loadPlan(workspace)]);
  const vcenters = [...new Set(plan.servers.flatMap((s) => (s.vcenter ? [s.vcenter] : [])))].sort();
  const vcenter = options.vcenter ?? vcenters[0];
  if (vcenter === undefined) throw new Error(`the plan in ${workspace} names no vCenter`);
  if (options.vcenter === undefined && vcenters.length > 1)
    throw new Error(`the plan spans several vCenters (${vcenters.join(', ')}); choose one`);
  const facts = new Map(estate.servers.map((s) => [s.id, s]));
  const vms: SourceVm[] = [];
  const appliances = new Set<string>();
  for (const server of plan.servers) {
    if (server.vcenter !== vcenter || server.uuid === undefined) continue;
    const fact = facts.get(server.id);
    if (server.appliance) appliances.add(server.appliance);
    vms.push({
      name: server.name,
      uuid: server.uuid,
      os: fact?.os ?? 'unknown',
      cpus: fact?.cpus ?? 2,
      memoryMiB: fact?.memoryMiB ?? 4096,
      disks: disksOf(fact?.disks ?? [], server.usedGiB, options.maxDiskUsedGiB),
      churnMiBPerDay: Math.round(server.churnGBPerDay * 1024),
      application: server.application,
      tier: server.tier,
    });
  }
  return {
    vcenter,
    vmwareSiteName: defaultVmwareSiteName(vcenter),
    appliances: [...appliances]
      .sort()
      .map((name) => ({ name, bandwidthMbps: plan.options.appliances.bandwidthMbps })),
    uplinkMbps: plan.options.network.uplinkMbps,
    vms,
  };
}

/** Disks with their used size: as inventoried, else the server's used storage spread by disk size. */
function disksOf(
  disks: { id: string; sizeGiB: number; usedGiB?: number }[],
  serverUsedGiB: number,
  cap = Number.POSITIVE_INFINITY,
): SourceDisk[] {
  if (disks.length === 0) {
    const used = Math.min(serverUsedGiB, cap);
    return [{ id: '2000', sizeGiB: Math.max(1, Math.ceil(serverUsedGiB)), usedGiB: round(used) }];
  }
  const total = disks.reduce((sum, d) => sum + d.sizeGiB, 0) || 1;
  return disks.map((d) => ({
    id: d.id,
    sizeGiB: d.sizeGiB,
    usedGiB: round(Math.min(d.usedGiB ?? (serverUsedGiB * d.sizeGiB) / total, d.sizeGiB, cap)),
  }));
}

const round = (n: number) => Math.round(n * 100) / 100;

const simulatorEngine = { 'SQL Server': 'SqlServer', MySQL: 'MySql', PostgreSQL: 'PostgreSql' } as const;

/**
 * Every database the plan's waves will migrate, as the wave workflow derives it (`databaseSpecsFromPlan`,
 * the code the plan activity runs, with the settings' target convention), as the simulator's seed of
 * source and target so the two agree. Waves whose databases cannot be derived are refused at start.
 */
export function databaseSeedFromPlan(
  plan: Plan,
  estate: Estate,
  settings: {
    subscriptionId: string;
    location: string;
    targets: DatabaseTargetConvention;
    /** The SQL migration service the waves use: prepared with an online integration runtime. */
    sqlMigrationServiceId: string;
  },
  bandwidthMbps: number,
): DatabaseSeed {
  const specs = plan.waves.flatMap((wave) => {
    try {
      return databaseSpecsFromPlan(plan, estate.databases, wave.id, settings.targets).databases.map(
        (d) => d.spec,
      );
    } catch {
      return [];
    }
  });
  const logRate = new Map(estate.databases.map((d) => [d.id, d.logRateMBps]));
  const targetGroup = /\/resourceGroups\/([^/]+)/i.exec(settings.targets.resourceGroupId)?.[1] ?? '';
  return {
    subscriptionId: settings.subscriptionId,
    location: settings.location,
    bandwidthMbps,
    sqlMigrationServices: [settings.sqlMigrationServiceId],
    databases: specs.map((spec) => ({
      name: spec.name,
      sourceServer: spec.sourceServer,
      engine: simulatorEngine[spec.engine],
      version: spec.engine === 'SQL Server' ? '2019' : spec.engine === 'MySQL' ? '8.0' : '14',
      sizeMB: Math.max(100, Math.round(spec.sizeGB * 1024)),
      logRateMBPerHour: Math.round((logRate.get(spec.id) ?? 0.05) * 3600),
      target: {
        kind: spec.target.kind,
        resourceGroup: targetGroup,
        server: spec.target.serverId.slice(spec.target.serverId.lastIndexOf('/') + 1),
        databaseName: spec.target.databaseName,
      },
    })),
  };
}

/**
 * Seeds a simulator with a planned workspace: every vCenter's VMs and appliances (each under its
 * Azure Migrate site, the simulator's naming), the databases its waves migrate and the SQL migration
 * service they run through, prepared as an operator would have it (integration runtime registered). `factory stack
 * --workspace`, the demo, the bench and the integration tests seed through it.
 */
export async function seedSimulatorFromWorkspace(
  admin: SimulatorAdmin,
  workspace: string,
  options: { maxDiskUsedGiB?: number; databaseBandwidthMbps?: number } = {},
): Promise<{ vms: number; databases: number; vcenters: string[] }> {
  const [estate, plan] = await Promise.all([loadEstate(workspace), loadPlan(workspace)]);
  const vcenters = [...new Set(plan.servers.flatMap((s) => (s.vcenter ? [s.vcenter] : [])))].sort();
  let vms = 0;
  for (const vcenter of vcenters) {
    const site = await sourceSiteFromWorkspace(workspace, {
      vcenter,
      ...(options.maxDiskUsedGiB === undefined ? {} : { maxDiskUsedGiB: options.maxDiskUsedGiB }),
    });
    await admin.seed(demoScope, site);
    vms += site.vms.length;
  }
  const settings = resolveWaveSettings({ profile: 'simulator', databases: true });
  const seed = databaseSeedFromPlan(
    plan,
    estate,
    {
      subscriptionId: settings.subscriptionId,
      location: settings.location,
      targets: settings.databases!.targets,
      sqlMigrationServiceId: settings.databases!.services.sqlMigrationServiceId,
    },
    options.databaseBandwidthMbps ?? 10_000,
  );
  await admin.seedDatabases(seed);
  return { vms, databases: seed.databases.length, vcenters };
}
