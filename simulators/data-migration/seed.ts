/**
 * Seeding (`PUT /admin/databases`): the source databases (engine, version, size, log rate), the
 * Azure targets they migrate to and the prepared SQL migration services. Idempotent: known databases are updated, existing targets keep their
 * current tier (it may have been rescaled).
 */
import { idKey } from '../arm.ts';
import type { Simulation } from '../simulation.ts';
import { defaultSkus, normalizeSku, sizedKind, targetIds } from './resources.ts';
import { prepareSqlMigrationService } from './sql-migration-services.ts';
import type { SourceDatabase, TargetKind, TargetResource, TargetResourceKind } from './types.ts';

export interface DatabaseSeed {
  subscriptionId: string;
  location: string;
  /** Upload bandwidth of the migration path in Mbps (default 500). */
  bandwidthMbps?: number;
  databases: SourceDatabase[];
  /**
   * ARM ids of the SQL migration services the plan names: each is prepared as an operator would have it
   * before a wave (provisioned, a self-hosted integration runtime registered and online).
   */
  sqlMigrationServices?: string[];
}

export interface SeededDatabase {
  name: string;
  sourceServer: string;
  engine: SourceDatabase['engine'];
  targetKind: TargetKind;
  /** The `scope` of a SQL migration / the server of a classic task's target connection. */
  targetServerId: string;
  targetDatabaseName: string;
  /** The resource whose sku can be scaled (MI, SQL database, flexible server; the SQL VM is fixed). */
  sizedTargetId: string;
}

export interface DatabaseSeedResult {
  databases: SeededDatabase[];
  added: { databases: number; targets: number; sqlMigrationServices: number };
}

export const sourceKey = (sourceServer: string, name: string) => `${sourceServer}/${name}`.toLowerCase();

export function seedDatabases(sim: Simulation, seed: DatabaseSeed): DatabaseSeedResult {
  const state = sim.state.dataMigration;
  if (seed.bandwidthMbps !== undefined) state.bandwidthMbps = seed.bandwidthMbps;
  let addedDatabases = 0;
  let addedTargets = 0;
  const upsertTarget = (id: string, kind: TargetResourceKind, name: string, database: SourceDatabase) => {
    const existing = state.targets[idKey(id)];
    if (existing) return existing;
    const sized = kind === sizedKind[database.target.kind];
    const target: TargetResource = {
      id,
      kind,
      subscriptionId: seed.subscriptionId,
      resourceGroup: database.target.resourceGroup,
      name,
      location: seed.location,
      ...(sized ? { sku: normalizeSku(database.target.sku ?? defaultSkus[database.target.kind]) } : {}),
      version: database.version,
      createdAt: sim.now(),
    };
    state.targets[idKey(id)] = target;
    addedTargets += 1;
    return target;
  };

  const seeded = seed.databases.map((database): SeededDatabase => {
    const key = sourceKey(database.sourceServer, database.name);
    if (!state.sourceDatabases[key]) addedDatabases += 1;
    state.sourceDatabases[key] = { ...database, key, subscriptionId: seed.subscriptionId };
    const { kind, resourceGroup: rg, server } = database.target;
    const targetDatabaseName = database.target.databaseName ?? database.name;
    const s = seed.subscriptionId;
    let serverId: string;
    let sizedId: string;
    switch (kind) {
      case 'SqlMi':
        serverId = sizedId = upsertTarget(targetIds.SqlMi(s, rg, server), 'SqlMi', server, database).id;
        break;
      case 'SqlVm':
        serverId = sizedId = upsertTarget(targetIds.SqlVm(s, rg, server), 'SqlVm', server, database).id;
        break;
      case 'SqlDb':
        serverId = upsertTarget(targetIds.SqlServer(s, rg, server), 'SqlServer', server, database).id;
        sizedId = upsertTarget(
          targetIds.SqlDb(s, rg, server, targetDatabaseName),
          'SqlDb',
          targetDatabaseName,
          database,
        ).id;
        break;
      case 'MySql':
        serverId = sizedId = upsertTarget(
          targetIds.MySqlFlexibleServer(s, rg, server),
          'MySqlFlexibleServer',
          server,
          database,
        ).id;
        break;
      case 'PostgreSql':
        serverId = sizedId = upsertTarget(
          targetIds.PostgreSqlFlexibleServer(s, rg, server),
          'PostgreSqlFlexibleServer',
          server,
          database,
        ).id;
        break;
    }
    return {
      name: database.name,
      sourceServer: database.sourceServer,
      engine: database.engine,
      targetKind: kind,
      targetServerId: serverId,
      targetDatabaseName,
      sizedTargetId: sizedId,
    };
  });
  const addedServices = (seed.sqlMigrationServices ?? []).filter((id) =>
    prepareSqlMigrationService(sim, id, seed.location),
  ).length;
  sim.changed();
  return {
    databases: seeded,
    added: { databases: addedDatabases, targets: addedTargets, sqlMigrationServices: addedServices },
  };
}
