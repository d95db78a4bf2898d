/** ARM ids, api-versions and lookups of Database Migration resources and their targets. */
import { idKey, notFound } from '../arm.ts';
import type { SimulationCore } from '../simulation-core.ts';
import type { TargetKind, TargetResource, TargetResourceKind, TargetSku } from './types.ts';

const sqlMigration = ['2025-06-30'] as const;
const classic = ['2018-07-15-preview', '2025-06-30'] as const;
const sql = ['2023-08-01', '2021-11-01', '2023-05-01-preview'] as const;
const sqlVm = ['2023-10-01', '2022-02-01'] as const;
const mysql = ['2023-12-30', '2023-06-30', '2021-05-01'] as const;
const postgres = ['2024-08-01', '2022-12-01'] as const;

export const apiVersions = {
  sqlMigration,
  classic,
  sql,
  sqlVm,
  mysql,
  postgres,
  all: [...new Set([...sqlMigration, ...classic, ...sql, ...sqlVm, ...mysql, ...postgres])],
};

export const namespaces = {
  dataMigration: 'Microsoft.DataMigration',
  sql: 'Microsoft.Sql',
  sqlVm: 'Microsoft.SqlVirtualMachine',
  mysql: 'Microsoft.DBforMySQL',
  postgres: 'Microsoft.DBforPostgreSQL',
} as const;

export const resourceGroupPath = (subscriptionId: string, resourceGroup: string) =>
  `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;

const providerPath = (subscriptionId: string, resourceGroup: string, namespace: string) =>
  `${resourceGroupPath(subscriptionId, resourceGroup)}/providers/${namespace}`;

export const targetIds = {
  SqlMi: (s: string, rg: string, name: string) =>
    `${providerPath(s, rg, namespaces.sql)}/managedInstances/${name}`,
  SqlVm: (s: string, rg: string, name: string) =>
    `${providerPath(s, rg, namespaces.sqlVm)}/sqlVirtualMachines/${name}`,
  SqlServer: (s: string, rg: string, name: string) =>
    `${providerPath(s, rg, namespaces.sql)}/servers/${name}`,
  SqlDb: (s: string, rg: string, server: string, database: string) =>
    `${providerPath(s, rg, namespaces.sql)}/servers/${server}/databases/${database}`,
  MySqlFlexibleServer: (s: string, rg: string, name: string) =>
    `${providerPath(s, rg, namespaces.mysql)}/flexibleServers/${name}`,
  PostgreSqlFlexibleServer: (s: string, rg: string, name: string) =>
    `${providerPath(s, rg, namespaces.postgres)}/flexibleServers/${name}`,
};

export const resourceTypes: Record<TargetResourceKind, string> = {
  SqlMi: 'Microsoft.Sql/managedInstances',
  SqlVm: 'Microsoft.SqlVirtualMachine/sqlVirtualMachines',
  SqlServer: 'Microsoft.Sql/servers',
  SqlDb: 'Microsoft.Sql/servers/databases',
  MySqlFlexibleServer: 'Microsoft.DBforMySQL/flexibleServers',
  PostgreSqlFlexibleServer: 'Microsoft.DBforPostgreSQL/flexibleServers',
};

/** The resource whose sku sizes a target of each kind. */
export const sizedKind: Record<TargetKind, TargetResourceKind> = {
  SqlMi: 'SqlMi',
  SqlVm: 'SqlVm',
  SqlDb: 'SqlDb',
  MySql: 'MySqlFlexibleServer',
  PostgreSql: 'PostgreSqlFlexibleServer',
};

export const defaultSkus: Record<TargetKind, TargetSku> = {
  SqlMi: { name: 'GP_Gen5', tier: 'GeneralPurpose', family: 'Gen5', capacity: 8 },
  SqlVm: { name: 'Standard_E8s_v5', tier: 'Standard', capacity: 8 },
  SqlDb: { name: 'GP_Gen5', tier: 'GeneralPurpose', family: 'Gen5', capacity: 4 },
  MySql: { name: 'Standard_D4ds_v4', tier: 'GeneralPurpose' },
  PostgreSql: { name: 'Standard_D4ds_v5', tier: 'GeneralPurpose' },
};

/** Fills `capacity` from the sku name when absent (`Standard_D4ds_v4` → 4, `GP_Gen5_8` → 8; else 2). */
export function normalizeSku(sku: TargetSku): NonNullable<TargetResource['sku']> {
  const fromName = /_(\d+)$/.exec(sku.name)?.[1] ?? /^Standard_[A-Za-z]+?(\d+)/.exec(sku.name)?.[1];
  const capacity = sku.capacity ?? (fromName === undefined ? 2 : Number(fromName));
  return {
    name: sku.name,
    tier: sku.tier,
    capacity,
    ...(sku.family === undefined ? {} : { family: sku.family }),
  };
}

export const sqlMigrationServiceId = (s: string, rg: string, name: string) =>
  `${providerPath(s, rg, namespaces.dataMigration)}/sqlMigrationServices/${name}`;
export const databaseMigrationId = (scope: string, name: string) =>
  `${scope}/providers/Microsoft.DataMigration/databaseMigrations/${name}`;
export const dmsServiceId = (s: string, rg: string, name: string) =>
  `${providerPath(s, rg, namespaces.dataMigration)}/services/${name}`;

export function findTarget(
  sim: SimulationCore,
  id: string,
  kind: TargetResourceKind,
  name: string,
  resourceGroup: string,
): TargetResource {
  const target = sim.state.dataMigration.targets[idKey(id)];
  if (!target || target.kind !== kind) {
    throw notFound(
      'ResourceNotFound',
      `The Resource '${resourceTypes[kind]}/${name}' under resource group '${resourceGroup}' was not found.`,
    );
  }
  return target;
}
