/**
 * The ARM actions the factory performs, by the resource group they are performed in, and how ARM decides
 * whether a caller's permissions (`Microsoft.Authorization/permissions`) allow one: an entry allows an
 * action when one of its `actions` matches and none of its `notActions` does (a `notAction` only narrows
 * its own entry; another role's grant still applies), matching case-insensitively with `*` standing for
 * any run of characters, `/` included. Deny assignments are not in that list and are not seen here.
 */
import type { DatabaseTargetKind } from '../migration.ts';
import type { PreflightNeeds } from './checks.ts';

export interface Permission {
  actions?: string[];
  notActions?: string[];
}

const patternCache = new Map<string, RegExp>();
function pattern(text: string): RegExp {
  let compiled = patternCache.get(text);
  if (!compiled) {
    const escaped = text
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    compiled = new RegExp(`^${escaped}$`, 'i');
    patternCache.set(text, compiled);
  }
  return compiled;
}

export const actionMatches = (granted: string, action: string) => pattern(granted).test(action);

export const isAllowed = (permissions: Permission[], action: string) =>
  permissions.some(
    (p) =>
      (p.actions ?? []).some((a) => actionMatches(a, action)) &&
      !(p.notActions ?? []).some((a) => actionMatches(a, action)),
  );

const rsv = 'Microsoft.RecoveryServices/vaults';
const items = `${rsv}/replicationFabrics/replicationProtectionContainers/replicationProtectedItems`;
const plans = `${rsv}/replicationRecoveryPlans`;

/** Site Recovery, in the vault's group: discovery, enable, poll, repair, plans and their actions, removal. */
export const vaultActions = [
  `${rsv}/replicationVaultHealth/read`,
  `${rsv}/replicationFabrics/read`,
  `${rsv}/replicationFabrics/replicationProtectionContainers/read`,
  `${rsv}/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings/read`,
  `${items}/read`,
  `${items}/write`,
  `${items}/repairReplication/action`,
  `${items}/remove/action`,
  `${plans}/read`,
  `${plans}/write`,
  `${plans}/delete`,
  `${plans}/testFailover/action`,
  `${plans}/testFailoverCleanup/action`,
  `${plans}/unplannedFailover/action`,
  `${plans}/failoverCommit/action`,
  `${plans}/failoverCancel/action`,
  `${rsv}/replicationJobs/read`,
  `${rsv}/replicationOperationStatus/read`,
];

/** Failover creates the VMs, their disks and NICs in the target group (with the caller's rights). */
export const targetGroupActions = [
  'Microsoft.Resources/subscriptions/resourceGroups/read',
  'Microsoft.Compute/virtualMachines/read',
  'Microsoft.Compute/virtualMachines/write',
  'Microsoft.Compute/disks/read',
  'Microsoft.Compute/disks/write',
  'Microsoft.Network/networkInterfaces/read',
  'Microsoft.Network/networkInterfaces/write',
  'Microsoft.Network/networkInterfaces/join/action',
  'Microsoft.Compute/locations/usages/read',
  'Microsoft.Compute/skus/read',
];

/** Migrated and test VMs join the target and test networks' subnets. */
export const networkActions = [
  'Microsoft.Network/virtualNetworks/read',
  'Microsoft.Network/virtualNetworks/subnets/read',
  'Microsoft.Network/virtualNetworks/subnets/join/action',
];

/** Replication writes its logs to the cache storage account. */
export const cacheStorageActions = [
  'Microsoft.Storage/storageAccounts/read',
  'Microsoft.Storage/storageAccounts/listKeys/action',
];

export const sqlMigrationServiceActions = [
  'Microsoft.DataMigration/sqlMigrationServices/read',
  'Microsoft.DataMigration/sqlMigrationServices/write',
  'Microsoft.DataMigration/sqlMigrationServices/listAuthKeys/action',
];

export const classicServiceActions = [
  'Microsoft.DataMigration/services/read',
  'Microsoft.DataMigration/services/write',
  'Microsoft.DataMigration/services/projects/read',
  'Microsoft.DataMigration/services/projects/write',
  'Microsoft.DataMigration/services/projects/tasks/read',
  'Microsoft.DataMigration/services/projects/tasks/write',
  'Microsoft.DataMigration/services/projects/tasks/delete',
  'Microsoft.DataMigration/services/projects/tasks/cancel/action',
];

export const databaseTargetActions = [
  'Microsoft.DataMigration/databaseMigrations/read',
  'Microsoft.DataMigration/databaseMigrations/write',
  'Microsoft.DataMigration/databaseMigrations/delete',
  'Microsoft.DataMigration/databaseMigrations/cutover/action',
  'Microsoft.DataMigration/databaseMigrations/cancel/action',
];

/** The target tiers a migration scales up and back down. */
export const scalingActions: Record<DatabaseTargetKind, string[]> = {
  SqlMi: ['Microsoft.Sql/managedInstances/read', 'Microsoft.Sql/managedInstances/write'],
  SqlDb: ['Microsoft.Sql/servers/databases/read', 'Microsoft.Sql/servers/databases/write'],
  SqlVm: ['Microsoft.Compute/virtualMachines/read', 'Microsoft.Compute/virtualMachines/write'],
  MySql: ['Microsoft.DBforMySQL/flexibleServers/read', 'Microsoft.DBforMySQL/flexibleServers/write'],
  PostgreSql: [
    'Microsoft.DBforPostgreSQL/flexibleServers/read',
    'Microsoft.DBforPostgreSQL/flexibleServers/write',
  ],
};

const groupOf = (id: string) => /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/i.exec(id)?.[0];

/** Every action the wave needs, by resource group id (groups compared case-insensitively, first spelling kept). */
export function requiredActions(needs: PreflightNeeds, vaultGroupId: string): Map<string, string[]> {
  const byGroup = new Map<string, { id: string; actions: Set<string> }>();
  const add = (id: string | undefined, actions: string[]) => {
    const group = id === undefined ? undefined : groupOf(id);
    if (!group) return;
    const entry = byGroup.get(group.toLowerCase()) ?? { id: group, actions: new Set<string>() };
    for (const action of actions) entry.actions.add(action);
    byGroup.set(group.toLowerCase(), entry);
  };
  add(vaultGroupId, vaultActions);
  add(needs.target.resourceGroupId, targetGroupActions);
  add(needs.target.networkId, networkActions);
  add(needs.target.testNetworkId, networkActions);
  add(needs.target.logStorageAccountId, cacheStorageActions);
  const databases = needs.databases;
  if (databases) {
    if (databases.sqlMigrationServiceId) add(databases.sqlMigrationServiceId, sqlMigrationServiceActions);
    if (databases.classicServiceId) add(databases.classicServiceId, classicServiceActions);
    for (const group of databases.targetResourceGroupIds) {
      add(group, databaseTargetActions);
      for (const kind of databases.scaledKinds) add(group, scalingActions[kind]);
    }
  }
  return new Map([...byGroup.values()].map(({ id, actions }) => [id, [...actions]]));
}
