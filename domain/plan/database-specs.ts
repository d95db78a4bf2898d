/**
 * Turns a wave's databases in the plan into the database workflows' input: engine, size and source host
 * from the estate, target and mode from the plan, the target server's ARM id from a naming convention
 * (one target server per application and target kind), and the batch that owns the application.
 */
import { sqlDatabaseNameProblem } from '../azure-names.ts';
import type { Database as EstateDatabase, DbTarget } from '../inventory/estate-schema.ts';
import type { DatabaseSpec, DatabaseTargetKind } from '../migration.ts';
import type { Plan } from './plan-schema.ts';

/** Where target database servers live: one resource group, names `<prefix>-<application>`. */
export interface DatabaseTargetConvention {
  resourceGroupId: string;
}

const targetKinds: Record<DbTarget, { kind: DatabaseTargetKind; provider: string; prefix: string }> = {
  'Azure SQL Managed Instance': {
    kind: 'SqlMi',
    provider: 'Microsoft.Sql/managedInstances',
    prefix: 'sqlmi',
  },
  'SQL Server on Azure VM': {
    kind: 'SqlVm',
    provider: 'Microsoft.SqlVirtualMachine/sqlVirtualMachines',
    prefix: 'sqlvm',
  },
  'Azure SQL Database': { kind: 'SqlDb', provider: 'Microsoft.Sql/servers', prefix: 'sql' },
  'Azure Database for MySQL flexible server': {
    kind: 'MySql',
    provider: 'Microsoft.DBforMySQL/flexibleServers',
    prefix: 'mysql',
  },
  'Azure Database for PostgreSQL flexible server': {
    kind: 'PostgreSql',
    provider: 'Microsoft.DBforPostgreSQL/flexibleServers',
    prefix: 'pg',
  },
};

/** ARM resource names: lower case letters, digits and hyphens. */
const armName = (value: string) =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);

export interface WaveDatabases {
  databases: { spec: DatabaseSpec; batchId: string }[];
  /** Databases the wave cannot migrate (no supported target, no host, no batch), each with the reason. */
  excluded: { id: string; reason: string }[];
}

export function databaseSpecsFromPlan(
  plan: Plan,
  estateDatabases: EstateDatabase[],
  waveId: string,
  convention: DatabaseTargetConvention,
): WaveDatabases {
  const wave = plan.waves.find((w) => w.id === waveId);
  if (!wave) throw new Error(`the plan has no wave ${waveId}`);
  const planned = new Map(plan.databases.map((d) => [d.id, d]));
  const estate = new Map(estateDatabases.map((d) => [d.id, d]));
  const result: WaveDatabases = { databases: [], excluded: [] };
  for (const id of wave.databases) {
    const planDb = planned.get(id);
    const source = estate.get(id);
    // A plan that names databases its estate lacks is broken: that fails the wave's manifest.
    if (!planDb || !source) {
      throw new Error(
        `wave ${waveId} names database ${id}, which the ${planDb ? 'estate' : 'plan'} does not have`,
      );
    }
    const batch = wave.batches.find((b) => b.applications.includes(planDb.application));
    const target = targetKinds[(planDb.target ?? source.wantedTarget) as DbTarget] as
      (typeof targetKinds)[DbTarget] | undefined;
    // One database the factory cannot move must not stop the wave: it is reported with its reason.
    if (!batch || !target || !source.hostServer) {
      const reason = !batch
        ? `it belongs to ${planDb.application}, which no batch of ${waveId} migrates`
        : !target
          ? `it has no supported migration target (${planDb.target ?? source.wantedTarget ?? 'none'})`
          : 'it has no host server to migrate from';
      result.excluded.push({ id, reason: `Not migrated: ${reason}` });
      continue;
    }
    // The name becomes the target database and its databaseMigrations resource (a hand-edited estate).
    const nameProblem = target.kind.startsWith('Sql') ? sqlDatabaseNameProblem(source.name) : undefined;
    if (nameProblem !== undefined) {
      result.excluded.push({
        id,
        reason: `Not migrated: database name ${JSON.stringify(source.name)} ${nameProblem}`,
      });
      continue;
    }
    const server = `${target.prefix}-${armName(planDb.application)}`;
    result.databases.push({
      batchId: batch.id,
      spec: {
        id,
        name: source.name,
        sourceServer: source.hostServer,
        engine: source.engine,
        application: planDb.application,
        // SQL Database has no online migration through the SQL migration API.
        mode: target.kind === 'SqlDb' ? 'offline' : (planDb.mode ?? 'online'),
        sizeGB: source.sizeGB,
        target: {
          kind: target.kind,
          serverId: `${convention.resourceGroupId}/providers/${target.provider}/${server}`,
          databaseName: source.name,
        },
      },
    });
  }
  return result;
}
