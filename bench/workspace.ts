/**
 * The program the benchmarks migrate: a generated estate, imported, assessed and planned with the CLI's
 * own code (the assess benchmark body and `factory plan`), and what the simulator must be seeded with.
 *
 * `sourceSitesFromPlan` seeds the simulator through cli/operate's `sourceSiteFromWorkspace`, one vCenter
 * at a time, under one shared Azure Migrate site.
 */
import { join } from 'node:path';
import { runBenchmark } from '../cli/assess/benchmark.ts';
import { loadEstate } from '../workspace/files.ts';
import { runPlan } from '../cli/plan/plan-command.ts';
import { planSha256 } from '../workspace/plan-files.ts';
import type { AzureScope } from '../domain/demo.ts';
import type { SourceSite } from '../domain/estate.ts';
import { sourceSiteFromWorkspace } from '../cli/operate/source-site.ts';
import type { Estate } from '../domain/inventory/estate-schema.ts';
import { databaseSpecsFromPlan, type DatabaseTargetConvention } from '../domain/plan/database-specs.ts';
import type { MigrationScope } from '../domain/plan/batch-specs.ts';
import type { Plan } from '../domain/plan/plan-schema.ts';
import type { DatabaseSeed } from '../simulators/data-migration/seed.ts';

/**
 * One Azure Migrate site for every vCenter: the wave workflow discovers ONE InMageRcm fabric per wave
 * (`discoverReplicationSite` returns the first), so a multi-vCenter estate must share one fabric.
 */
export const BENCH_SITE_NAME = 'contoso-vmware-site';

export interface PreparedProgram {
  workspace: string;
  plan: Plan;
  sha256: string;
  estate: Estate;
  prepareSeconds: number;
}

export async function prepareProgram(options: {
  vms: number;
  seed: number;
  dir: string;
  print: (line: string) => void;
}): Promise<PreparedProgram> {
  const started = performance.now();
  await runBenchmark({ ...options, print: (line) => options.print(`  ${line}`) });
  const workspace = join(options.dir, 'workspace');
  const plan = await runPlan({ workspace, start: '2026-01-05', print: () => undefined });
  const estate = await loadEstate(workspace);
  return {
    workspace,
    plan,
    sha256: planSha256(plan),
    estate,
    prepareSeconds: (performance.now() - started) / 1000,
  };
}

export function migrationScope(plan: Plan, scope: AzureScope): MigrationScope {
  const vcenters = new Set(plan.servers.flatMap((s) => (s.vcenter ? [s.vcenter] : [])));
  return {
    subscriptionId: scope.subscriptionId,
    resourceGroup: scope.resourceGroup,
    vmwareSites: Object.fromEntries([...vcenters].map((v) => [v, BENCH_SITE_NAME])),
  };
}

/**
 * The planned servers as the simulator's vCenter inventory: `sourceSiteFromWorkspace` (cli/operate) per
 * vCenter, every one under the same Azure Migrate site so they share one fabric.
 */
export async function sourceSitesFromPlan(workspace: string, plan: Plan): Promise<SourceSite[]> {
  const vcenters = [...new Set(plan.servers.flatMap((s) => (s.vcenter ? [s.vcenter] : [])))].sort();
  const sites = await Promise.all(vcenters.map((vcenter) => sourceSiteFromWorkspace(workspace, { vcenter })));
  return sites.map((site) => ({ ...site, vmwareSiteName: BENCH_SITE_NAME }));
}

const simEngine = { 'SQL Server': 'SqlServer', MySQL: 'MySql', PostgreSQL: 'PostgreSql' } as const;
export const DATA_TARGET_GROUP = 'rg-data-targets';

/** Where the plan's target database servers live (the wave's `databases.targets`). */
export const databaseTargets = (scope: AzureScope): DatabaseTargetConvention => ({
  resourceGroupId: `/subscriptions/${scope.subscriptionId}/resourceGroups/${DATA_TARGET_GROUP}`,
});

/**
 * Every planned database as the wave workflow will derive it (`databaseSpecsFromPlan`, the same code the
 * plan activity runs), and the simulator seed of its source and target so the two agree.
 */
export function plannedDatabases(
  plan: Plan,
  estate: Estate,
  scope: AzureScope,
  bandwidthMbps: number,
): {
  count: number;
  seed: DatabaseSeed;
  /** Waves whose databases the wave workflow cannot derive (it would fail the wave): run without them. */
  skippedWaves: { waveId: string; databases: number; reason: string }[];
} {
  const skippedWaves: { waveId: string; databases: number; reason: string }[] = [];
  // Databases the wave reports as deferred (no target, host or batch) still get a terminal outcome.
  let excluded = 0;
  const specs = plan.waves.flatMap((wave) => {
    try {
      const derived = databaseSpecsFromPlan(plan, estate.databases, wave.id, databaseTargets(scope));
      excluded += derived.excluded.length;
      return derived.databases.map((d) => d.spec);
    } catch (error) {
      skippedWaves.push({
        waveId: wave.id,
        databases: wave.databases.length,
        reason: error instanceof Error ? error.message : String(error),
      });
      return [];
    }
  });
  const logRate = new Map(estate.databases.map((d) => [d.id, d.logRateMBps]));
  return {
    count: specs.length + excluded,
    skippedWaves,
    seed: {
      subscriptionId: scope.subscriptionId,
      location: scope.location,
      bandwidthMbps,
      databases: specs.map((spec) => ({
        name: spec.name,
        sourceServer: spec.sourceServer,
        engine: simEngine[spec.engine],
        version: spec.engine === 'SQL Server' ? '2019' : spec.engine === 'MySQL' ? '8.0' : '14',
        sizeMB: Math.max(100, Math.round(spec.sizeGB * 1024)),
        logRateMBPerHour: Math.round((logRate.get(spec.id) ?? 0.05) * 3600),
        target: {
          kind: spec.target.kind,
          resourceGroup: DATA_TARGET_GROUP,
          server: spec.target.serverId.slice(spec.target.serverId.lastIndexOf('/') + 1),
          databaseName: spec.target.databaseName,
        },
      })),
    },
  };
}
