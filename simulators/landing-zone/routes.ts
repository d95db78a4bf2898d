/**
 * The read APIs preflight uses, as ARM answers them: resource groups, virtual networks and subnets,
 * storage accounts, regional compute usages, resource SKUs, the caller's permissions on a resource group,
 * and the Site Recovery vault's health. Each follows its spec example's path, api-version and shape, and
 * a missing resource is the 404 ARM sends: `ResourceGroupNotFound` for a missing group, `ResourceNotFound`
 * for a missing top-level resource, the network provider's `NotFound` for a missing subnet.
 */
import { badRequest, idKey, notFound, page, type ArmRequest, type ArmRoute } from '../arm.ts';
import { iso } from '../clock.ts';
import type { Simulation } from '../simulation.ts';
import { siteRecoveryApiVersions, vaultId } from '../site-recovery/resources.ts';
import { landingZone } from './seed.ts';
import { currentUsage, offeredSkus, resourceSku, usageNames } from './skus.ts';
import type { ResourceGroupRecord, RolePermission } from './types.ts';

export const resourcesApiVersions = ['2021-04-01', '2022-09-01', '2023-07-01', '2024-03-01'] as const;
export const networkApiVersions = ['2024-03-01', '2024-05-01', '2023-09-01'] as const;
export const storageApiVersions = ['2023-05-01', '2023-01-01', '2024-01-01'] as const;
export const usageApiVersions = ['2025-04-01', '2024-11-01', '2024-07-01', '2024-03-01'] as const;
export const resourceSkusApiVersions = ['2021-07-01'] as const;
export const permissionsApiVersions = ['2022-04-01', '2018-01-01-preview', '2015-07-01'] as const;

const notFoundFix = 'For more details please go to https://aka.ms/ARMResourceNotFoundFix';

/** The group of a request, or ARM's `ResourceGroupNotFound`. */
function findGroup(sim: Simulation, subscriptionId: string, name: string): ResourceGroupRecord {
  const group =
    landingZone(sim).resourceGroups[idKey(`/subscriptions/${subscriptionId}/resourceGroups/${name}`)];
  if (!group) throw notFound('ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
  return group;
}

const resourceNotFound = (type: string, name: string, group: string) =>
  notFound(
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${group}' was not found. ${notFoundFix}`,
  );

const groupPath = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}';
const networkPath = `${groupPath}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}`;

function findNetwork(sim: Simulation, params: ArmRequest['params']) {
  const { subscriptionId = '', resourceGroupName = '', virtualNetworkName = '' } = params;
  findGroup(sim, subscriptionId, resourceGroupName);
  const network =
    landingZone(sim).virtualNetworks[
      idKey(
        `${groupPath.replace('{subscriptionId}', subscriptionId).replace('{resourceGroupName}', resourceGroupName)}/providers/Microsoft.Network/virtualNetworks/${virtualNetworkName}`,
      )
    ];
  if (!network)
    throw resourceNotFound('Microsoft.Network/virtualNetworks', virtualNetworkName, resourceGroupName);
  return network;
}

const subnetResource = (networkId: string, subnet: { name: string; addressPrefix: string }) => ({
  id: `${networkId}/subnets/${subnet.name}`,
  name: subnet.name,
  type: 'Microsoft.Network/virtualNetworks/subnets',
  properties: { provisioningState: 'Succeeded', addressPrefix: subnet.addressPrefix },
});

/** `location eq 'westeurope'` (the only filter the factory sends); undefined without a filter. */
function locationFilter(query: URLSearchParams): string | undefined {
  const filter = query.get('$filter');
  if (filter === null || filter.trim() === '') return undefined;
  const match = /^\s*location\s+eq\s+'([^']+)'\s*$/i.exec(filter);
  if (!match?.[1])
    throw badRequest(
      'InvalidFilter',
      `The $filter '${filter}' is not supported; use location eq '<region>'.`,
    );
  return match[1];
}

/** The caller's permissions on a group: every assignment to the caller (or to everyone) at or above it. */
function permissionsOn(sim: Simulation, group: ResourceGroupRecord, principal: string): RolePermission[] {
  const scopes = new Set([idKey(`/subscriptions/${group.subscriptionId}`), idKey(group.id)]);
  return landingZone(sim)
    .roleAssignments.filter(
      (a) => scopes.has(idKey(a.scope)) && (a.principal === '*' || a.principal === principal),
    )
    .flatMap((a) => a.permissions);
}

export function landingZoneRoutes(sim: Simulation): ArmRoute[] {
  return [
    {
      pattern: groupPath,
      methods: {
        GET: {
          operation: 'ResourceGroups_Get',
          apiVersions: resourcesApiVersions,
          handle: ({ params }) => {
            const group = findGroup(sim, params.subscriptionId ?? '', params.resourceGroupName ?? '');
            return {
              status: 200,
              body: {
                id: group.id,
                name: group.name,
                type: 'Microsoft.Resources/resourceGroups',
                location: group.location,
                properties: { provisioningState: 'Succeeded' },
              },
            };
          },
        },
      },
    },
    {
      pattern: networkPath,
      methods: {
        GET: {
          operation: 'VirtualNetworks_Get',
          apiVersions: networkApiVersions,
          handle: ({ params }) => {
            const network = findNetwork(sim, params);
            return {
              status: 200,
              body: {
                id: network.id,
                name: network.name,
                type: 'Microsoft.Network/virtualNetworks',
                location: network.location,
                properties: {
                  provisioningState: 'Succeeded',
                  addressSpace: { addressPrefixes: network.addressPrefixes },
                  subnets: network.subnets.map((subnet) => subnetResource(network.id, subnet)),
                  virtualNetworkPeerings: [],
                },
              },
            };
          },
        },
      },
    },
    {
      pattern: `${networkPath}/subnets/{subnetName}`,
      methods: {
        GET: {
          operation: 'Subnets_Get',
          apiVersions: networkApiVersions,
          handle: ({ params, url }) => {
            const network = findNetwork(sim, params);
            const subnet = network.subnets.find(
              (s) => s.name.toLowerCase() === (params.subnetName ?? '').toLowerCase(),
            );
            // The network provider (not ARM) answers for child resources, with its own generic code.
            if (!subnet) throw notFound('NotFound', `Resource ${url.pathname} not found.`);
            return { status: 200, body: subnetResource(network.id, subnet) };
          },
        },
      },
    },
    {
      pattern: `${groupPath}/providers/Microsoft.Storage/storageAccounts/{accountName}`,
      methods: {
        GET: {
          operation: 'StorageAccounts_GetProperties',
          apiVersions: storageApiVersions,
          handle: ({ params }) => {
            const { subscriptionId = '', resourceGroupName = '', accountName = '' } = params;
            findGroup(sim, subscriptionId, resourceGroupName);
            const account =
              landingZone(sim).storageAccounts[
                idKey(
                  `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${accountName}`,
                )
              ];
            if (!account)
              throw resourceNotFound('Microsoft.Storage/storageAccounts', accountName, resourceGroupName);
            const endpoint = (service: string) => `https://${account.name}.${service}.core.windows.net/`;
            return {
              status: 200,
              body: {
                id: account.id,
                name: account.name,
                type: 'Microsoft.Storage/storageAccounts',
                location: account.location,
                kind: 'StorageV2',
                sku: { name: 'Standard_LRS', tier: 'Standard' },
                tags: {},
                properties: {
                  provisioningState: 'Succeeded',
                  creationTime: iso(account.createdAt),
                  primaryLocation: account.location,
                  statusOfPrimary: 'available',
                  primaryEndpoints: {
                    blob: endpoint('blob'),
                    queue: endpoint('queue'),
                    table: endpoint('table'),
                    file: endpoint('file'),
                    web: endpoint('web'),
                    dfs: endpoint('dfs'),
                  },
                  networkAcls: {
                    bypass: 'AzureServices',
                    defaultAction: 'Allow',
                    ipRules: [],
                    virtualNetworkRules: [],
                  },
                  encryption: {
                    services: {
                      blob: { keyType: 'Account', enabled: true },
                      file: { keyType: 'Account', enabled: true },
                    },
                    keySource: 'Microsoft.Storage',
                  },
                  supportsHttpsTrafficOnly: true,
                  accessTier: 'Hot',
                },
              },
            };
          },
        },
      },
    },
    {
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}/usages',
      methods: {
        GET: {
          operation: 'Usage_List',
          apiVersions: usageApiVersions,
          handle: (request) => {
            const location = request.params.location ?? '';
            // A region nobody seeded has no quota: every limit is 0.
            const limits = landingZone(sim).quotas[location.toLowerCase()] ?? {};
            const used = currentUsage(sim, location);
            const value = usageNames().map(({ name, label }) => ({
              unit: 'Count',
              currentValue: used[name] ?? 0,
              limit: limits[name] ?? 0,
              name: { value: name, localizedValue: label },
            }));
            return { status: 200, body: page(value, request, sim.endpoint) };
          },
        },
      },
    },
    {
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.Compute/skus',
      methods: {
        GET: {
          operation: 'ResourceSkus_List',
          apiVersions: resourceSkusApiVersions,
          handle: (request) => {
            const only = locationFilter(request.query);
            const regions = only ? [only] : Object.keys(landingZone(sim).quotas);
            const value = regions.flatMap((region) => offeredSkus().map((sku) => resourceSku(sku, region)));
            return { status: 200, body: page(value, request, sim.endpoint, { pageSize: 500 }) };
          },
        },
      },
    },
    {
      pattern: `${groupPath}/providers/Microsoft.Authorization/permissions`,
      methods: {
        GET: {
          operation: 'Permissions_ListForResourceGroup',
          apiVersions: permissionsApiVersions,
          handle: (request) => {
            const { subscriptionId = '', resourceGroupName = '' } = request.params;
            const group = findGroup(sim, subscriptionId, resourceGroupName);
            const value = permissionsOn(sim, group, request.principal).map((p) => ({
              actions: p.actions,
              notActions: p.notActions,
              dataActions: p.dataActions,
              notDataActions: p.notDataActions,
            }));
            return { status: 200, body: page(value, request, sim.endpoint) };
          },
        },
      },
    },
    {
      pattern: `${groupPath}/providers/Microsoft.RecoveryServices/vaults/{resourceName}/replicationVaultHealth`,
      methods: {
        GET: {
          operation: 'ReplicationVaultHealth_Get',
          apiVersions: siteRecoveryApiVersions,
          handle: ({ params }) => {
            const { subscriptionId = '', resourceGroupName = '', resourceName = '' } = params;
            const id = vaultId(subscriptionId, resourceGroupName, resourceName);
            const vault = sim.state.vaults[idKey(id)];
            if (!vault)
              throw resourceNotFound('Microsoft.RecoveryServices/vaults', resourceName, resourceGroupName);
            const fabrics = Object.values(sim.state.fabrics).filter(
              (f) => idKey(f.vaultId) === idKey(vault.id),
            );
            const items = Object.values(sim.state.items).filter((i) => idKey(i.vaultId) === idKey(vault.id));
            const downFabrics = fabrics.filter((f) =>
              f.processServers.some((server) => sim.faults.applianceDown(server.name)),
            );
            return {
              status: 200,
              body: {
                id: `${vault.id}/replicationVaultHealth/Default`,
                name: 'Default',
                type: 'Microsoft.RecoveryServices/vaults/replicationVaultHealth',
                properties: {
                  vaultErrors: [],
                  protectedItemsHealth: { resourceCount: items.length, issues: [] },
                  fabricsHealth: {
                    resourceCount: fabrics.length,
                    issues:
                      downFabrics.length === 0
                        ? []
                        : [
                            {
                              summaryCode: 'ProcessServerNotResponding',
                              category: 'Configuration',
                              severity: 'Error',
                              summaryMessage: 'A replication appliance has stopped sending heartbeats',
                              affectedResourceType: 'replicationFabrics',
                              affectedResourceSubtype: '',
                              affectedResourceCorrelationIds: downFabrics.map((f) => f.id),
                            },
                          ],
                  },
                },
              },
            };
          },
        },
      },
    },
  ];
}
