/**
 * The program the benchmarks migrate: a generated estate, imported, assessed and planned with the CLI's
 * own code (the assess benchmark body and `factory plan`), and what the simulator must be seeded with.
 *
 * `sourceSitesFromPlan` seeds the simulator through cli/operate's `sourceSiteFromWorkspace`, one vCenter
 * at a time, under one shared Azure Migrate site.
 */
import { join } from 'node:path';
import { runBenchmark } from '../cli/assess/benchmark.ts';
import { loadEstate } from '../cli/assess/workspace.ts';
import { runPlan } from '../cli/plan/plan-command.ts';
import { planSha256 } from '../cli/plan/plan-workspace.ts';
import type { AzureScope } from '../domain/demo.ts';
import type { SourceSite } from '../domain/estate.ts';
import { sourceSiteFromWorkspace } from '../cli/operate/source-site.ts';
import type { Estate } from '../domain/inventory/estate-schema.ts';
import type { DatabaseSpec, DatabaseTargetKind } from '../domain/migration.ts';
import type { MigrationScope } from '../domain/plan/batch-specs.ts';
import type { Plan } from '../domain/plan/plan-schema.ts';
import type { DatabaseSeed, DatabaseSeedResult } from '../simulators/data-migration/seed.ts';

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
export async function sourceSitesFromPlan(
  workspace: string,
  plan: Plan,
  options: { applianceMbps: number },
): Promise<SourceSite[]> {
  const vcenters = [...new Set(plan.servers.flatMap((s) => (s.vcenter ? [s.vcenter] : [])))].sort();
  const sites = await Promise.all(
    vcenters.map((vcenter) =>
      sourceSiteFromWorkspace(workspace, { vcenter, applianceMbps: options.applianceMbps }),
    ),
  );
  return sites.map((site) => ({ ...site, vmwareSiteName: BENCH_SITE_NAME }));
}

const simEngine = { 'SQL Server': 'SqlServer', MySQL: 'MySql', PostgreSQL: 'PostgreSql' } as const;
const targetKinds: Record<string, DatabaseTargetKind> = {
  'Azure SQL Database': 'SqlDb',
  'Azure SQL Managed Instance': 'SqlMi',
  'SQL Server on Azure VM': 'SqlVm',
  'Azure Database for MySQL flexible server': 'MySql',
  'Azure Database for PostgreSQL flexible server': 'PostgreSql',
};
const defaultKind = { 'SQL Server': 'SqlMi', MySQL: 'MySql', PostgreSQL: 'PostgreSql' } as const;
export const DATA_TARGET_GROUP = 'rg-data-targets';

interface PlannedDatabase {
  waveId: string;
  /** The batch of the database's application (its cutover follows that batch's window). */
  batchId: string;
  spec: Omit<DatabaseSpec, 'target'>;
  kind: DatabaseTargetKind;
  server: string;
  /** Unique on its target server (two hosts of one application may hold databases of the same name). */
  targetDatabaseName: string;
}

/** Every planned database with the wave it moves with, and the simulator seed of its source and target. */
export function plannedDatabases(
  plan: Plan,
  estate: Estate,
  scope: AzureScope,
  bandwidthMbps: number,
): { databases: PlannedDatabase[]; seed: DatabaseSeed } {
  const facts = new Map(estate.databases.map((d) => [d.id, d]));
  const planDb = new Map(plan.databases.map((d) => [d.id, d]));
  const serverNames = new Map(plan.servers.map((s) => [s.id, s.name]));
  const databases: PlannedDatabase[] = [];
  const targetNames = new Set<string>();
  for (const wave of plan.waves) {
    const batchOfApp = new Map(wave.batches.flatMap((b) => b.applications.map((a) => [a, b.id] as const)));
    for (const id of wave.databases) {
      const fact = facts.get(id);
      const planned = planDb.get(id);
      if (!fact || !planned) continue;
      const kind = (planned.target && targetKinds[planned.target]) || defaultKind[fact.engine];
      const sourceServer =
        (planned.hostServer && serverNames.get(planned.hostServer)) ??
        fact.hostServer ??
        `db-host-${planned.application}`;
      // One target server per application and kind (one managed instance, flexible server, …).
      const server = `${kind.toLowerCase()}-${planned.application}`
        .replace(/[^a-z0-9-]+/gi, '-')
        .toLowerCase()
        .slice(0, 60);
      let targetDatabaseName = fact.name;
      for (let n = 2; targetNames.has(`${server}/${targetDatabaseName}`.toLowerCase()); n += 1)
        targetDatabaseName = `${fact.name}-${n}`;
      targetNames.add(`${server}/${targetDatabaseName}`.toLowerCase());
      databases.push({
        waveId: wave.id,
        batchId: batchOfApp.get(planned.application) ?? wave.batches[0]?.id ?? '',
        kind,
        server,
        targetDatabaseName,
        spec: {
          id: id.replace(/[^A-Za-z0-9._-]+/g, '.'),
          name: fact.name,
          sourceServer,
          engine: fact.engine,
          application: planned.application,
          mode: planned.mode ?? 'online',
          sizeGB: fact.sizeGB,
        },
      });
    }
  }
  return {
    databases,
    seed: {
      subscriptionId: scope.subscriptionId,
      location: scope.location,
      bandwidthMbps,
      databases: databases.map((d) => ({
        name: d.spec.name,
        sourceServer: d.spec.sourceServer,
        engine: simEngine[d.spec.engine],
        version: d.spec.engine === 'SQL Server' ? '2019' : d.spec.engine === 'MySQL' ? '8.0' : '14',
        sizeMB: Math.max(100, Math.round(d.spec.sizeGB * 1024)),
        logRateMBPerHour: 200,
        target: {
          kind: d.kind,
          resourceGroup: DATA_TARGET_GROUP,
          server: d.server,
          databaseName: d.targetDatabaseName,
        },
      })),
    },
  };
}

/** Database specs with the target ids the simulator's seeding answered. */
export function databaseItems(
  planned: PlannedDatabase[],
  seeded: DatabaseSeedResult,
): Map<string, { spec: DatabaseSpec; batchId: string }[]> {
  const byKey = new Map(seeded.databases.map((d) => [`${d.sourceServer}/${d.name}`.toLowerCase(), d]));
  const byWave = new Map<string, { spec: DatabaseSpec; batchId: string }[]>();
  for (const p of planned) {
    const s = byKey.get(`${p.spec.sourceServer}/${p.spec.name}`.toLowerCase());
    if (!s) throw new Error(`the simulator did not seed database ${p.spec.id}`);
    const list = byWave.get(p.waveId) ?? [];
    list.push({
      batchId: p.batchId,
      spec: {
        ...p.spec,
        target: { kind: p.kind, serverId: s.targetServerId, databaseName: s.targetDatabaseName },
      },
    });
    byWave.set(p.waveId, list);
  }
  return byWave;
}
