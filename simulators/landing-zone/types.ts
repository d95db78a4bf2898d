/**
 * The parts of a subscription a migration lands in, as far as preflight reads them: resource groups,
 * virtual networks with their subnets, storage accounts, compute quotas per region and VM family, and the
 * permissions principals hold. Not Site Recovery or Database Migration state (their own models own that).
 */

export interface ResourceGroupRecord {
  id: string;
  subscriptionId: string;
  name: string;
  location: string;
}

export interface VirtualNetworkRecord {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  addressPrefixes: string[];
  subnets: { name: string; addressPrefix: string }[];
}

export interface StorageAccountRecord {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  createdAt: number;
}

/** One entry of `Microsoft.Authorization/permissions`: what a role grants, minus what it leaves out. */
export interface RolePermission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

/** A role assignment reduced to what the permissions API reports: where, to whom, what. */
export interface RoleAssignmentRecord {
  /** A subscription (`/subscriptions/{id}`) or resource group id; it applies to everything beneath. */
  scope: string;
  /** The principal's `oid`, or `*` for every caller (the simulator's stand-in for "the factory's principal"). */
  principal: string;
  permissions: RolePermission[];
}

export interface LandingZoneState {
  resourceGroups: Record<string, ResourceGroupRecord>;
  virtualNetworks: Record<string, VirtualNetworkRecord>;
  storageAccounts: Record<string, StorageAccountRecord>;
  /** vCPU limits by lower-cased region, then by usage name (`cores`, `standardDSv5Family`, …). */
  quotas: Record<string, Record<string, number>>;
  roleAssignments: RoleAssignmentRecord[];
}

export const emptyLandingZone = (): LandingZoneState => ({
  resourceGroups: {},
  virtualNetworks: {},
  storageAccounts: {},
  quotas: {},
  roleAssignments: [],
});
