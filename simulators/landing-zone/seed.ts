/**
 * Seeding the landing zone with the environment (`PUT /admin/environment`): the resource groups, networks,
 * subnet, cache storage account and database resource groups the simulator profile's settings name
 * (`simulatorDefaults` in contracts/wave-settings.ts is built from the same `domain/demo.ts` layout), vCPU
 * quotas generous enough for the 1,000-VM bench, and Contributor for every caller on the subscription, so
 * a wave of the demo passes preflight. Idempotent: what exists is left as the admin knobs set it.
 */
import { demoDatabaseGroups, demoDatabaseServices, demoTarget, type AzureScope } from '../../domain/demo.ts';
import { idKey, parseResourceGroupId } from '../arm.ts';
import type { Simulation } from '../simulation.ts';
import { usageNames } from './skus.ts';
import { emptyLandingZone, type LandingZoneState, type RolePermission } from './types.ts';

/** The built-in Contributor role's permissions: everything but access management. */
export const contributor: RolePermission = {
  actions: ['*'],
  notActions: [
    'Microsoft.Authorization/*/Delete',
    'Microsoft.Authorization/*/Write',
    'Microsoft.Authorization/elevateAccess/Action',
  ],
  dataActions: [],
  notDataActions: [],
};

/** vCPUs per family and in total: far above what the bench's 1,000 VMs need. */
export const seededVcpuLimit = 200_000;
const seededTotalVcpuLimit = 1_000_000;
const seededVmLimit = 25_000;

export function landingZone(sim: Simulation): LandingZoneState {
  sim.state.landingZone ??= emptyLandingZone();
  return sim.state.landingZone;
}

export const subscriptionScope = (subscriptionId: string) => `/subscriptions/${subscriptionId}`;
const groupId = (subscriptionId: string, name: string) =>
  `/subscriptions/${subscriptionId}/resourceGroups/${name}`;

function ensureGroup(zone: LandingZoneState, subscriptionId: string, name: string, location: string) {
  const id = groupId(subscriptionId, name);
  zone.resourceGroups[idKey(id)] ??= { id, subscriptionId, name, location };
}

function ensureNetwork(
  zone: LandingZoneState,
  id: string,
  location: string,
  addressPrefix: string,
  subnets: { name: string; addressPrefix: string }[],
) {
  const group = parseResourceGroupId(id);
  if (!group) throw new Error(`${id} is not a resource id`);
  ensureGroup(zone, group.subscriptionId, group.resourceGroup, location);
  zone.virtualNetworks[idKey(id)] ??= {
    id,
    subscriptionId: group.subscriptionId,
    resourceGroup: group.resourceGroup,
    name: id.slice(id.lastIndexOf('/') + 1),
    location,
    addressPrefixes: [addressPrefix],
    subnets,
  };
}

export function seedLandingZone(sim: Simulation, scope: AzureScope): void {
  const zone = landingZone(sim);
  const { subscriptionId, location } = scope;
  const target = demoTarget(scope);
  const services = demoDatabaseServices(scope);

  ensureGroup(zone, subscriptionId, scope.resourceGroup, location);
  const targetGroup = parseResourceGroupId(target.resourceGroupId);
  if (targetGroup) ensureGroup(zone, subscriptionId, targetGroup.resourceGroup, location);
  for (const name of demoDatabaseGroups) ensureGroup(zone, subscriptionId, name, location);

  ensureNetwork(zone, target.networkId, location, '10.10.0.0/16', [
    { name: target.subnetName, addressPrefix: '10.10.1.0/24' },
  ]);
  ensureNetwork(zone, target.testNetworkId, location, '10.90.0.0/16', [
    { name: target.subnetName, addressPrefix: '10.90.1.0/24' },
  ]);
  const dmsNetworkId = services.classic.virtualSubnetId.replace(/\/subnets\/[^/]+$/i, '');
  ensureNetwork(zone, dmsNetworkId, location, '10.20.0.0/16', [
    {
      name: services.classic.virtualSubnetId.slice(services.classic.virtualSubnetId.lastIndexOf('/') + 1),
      addressPrefix: '10.20.1.0/24',
    },
  ]);

  const storage = parseResourceGroupId(target.logStorageAccountId);
  if (storage) {
    ensureGroup(zone, storage.subscriptionId, storage.resourceGroup, location);
    zone.storageAccounts[idKey(target.logStorageAccountId)] ??= {
      id: target.logStorageAccountId,
      subscriptionId: storage.subscriptionId,
      resourceGroup: storage.resourceGroup,
      name: target.logStorageAccountId.slice(target.logStorageAccountId.lastIndexOf('/') + 1),
      location,
      createdAt: sim.now(),
    };
  }

  const quotas = (zone.quotas[location.toLowerCase()] ??= {});
  for (const { name } of usageNames()) {
    quotas[name] ??=
      name === 'cores' ? seededTotalVcpuLimit : name === 'virtualMachines' ? seededVmLimit : seededVcpuLimit;
  }

  const scopeId = subscriptionScope(subscriptionId);
  if (!zone.roleAssignments.some((a) => idKey(a.scope) === idKey(scopeId) && a.principal === '*'))
    zone.roleAssignments.push({ scope: scopeId, principal: '*', permissions: [contributor] });
  sim.changed();
}
