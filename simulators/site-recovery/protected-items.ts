/** Routes of replicationProtectedItems (api-version 2023-06-01, as SDK 5.1.0 calls them). */
import { idKey, page, type ArmRequest, type ArmResponse, type ArmRoute } from '../arm.ts';
import { accepted } from '../lro.ts';
import type { Simulation } from '../simulation.ts';
import { equalsIgnoreCase, parseFilter } from './filters.ts';
import {
  enableProtection,
  failoverCancel,
  failoverCommit,
  purge,
  removeProtection,
  repairReplication,
  testFailover,
  testFailoverCleanup,
  unplannedFailover,
} from './item-operations.ts';
import { itemResource } from './item-view.ts';
import {
  findContainer,
  findItem,
  findVault,
  inVault,
  siteRecoveryApiVersions,
  segmentAfter,
} from './resources.ts';
import type { Job, ProtectedItem } from './types.ts';

const vaultPath =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{resourceName}';
const containerPath = `${vaultPath}/replicationFabrics/{fabricName}/replicationProtectionContainers/{protectionContainerName}`;
const itemPath = `${containerPath}/replicationProtectedItems/{replicatedProtectedItemName}`;

const filterFields = [
  'sourceFabricName',
  'recoveryPlanName',
  'sourceFabricLocation',
  'fabricObjectId',
  'vCenterName',
  'instanceType',
  'multiVmGroupCreateOption',
  'processServerId',
] as const;

export function protectedItemRoutes(sim: Simulation): ArmRoute[] {
  /**
   * Each container's items in listing order, rebuilt only when items were added or removed: workers list
   * containers of thousands of items page by page, many times a minute.
   */
  const byContainer = new Map<string, { version: number; items: ProtectedItem[] }>();
  const containerItems = (containerId: string): ProtectedItem[] => {
    const key = idKey(containerId);
    const cached = byContainer.get(key);
    if (cached?.version === sim.itemsVersion) return cached.items;
    const items = Object.values(sim.state.items)
      .filter((item) => idKey(item.containerId) === key)
      .map((item) => ({ key: listingKey(item), item }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map(({ item }) => item);
    byContainer.set(key, { version: sim.itemsVersion, items });
    return items;
  };

  const v = siteRecoveryApiVersions;
  const action = (
    operation: string,
    run: (item: ProtectedItem, request: ArmRequest) => Job,
  ): ArmRoute['methods'] => ({
    POST: {
      operation,
      apiVersions: v,
      handle: (request) => {
        const item = findItem(sim, request.params);
        const job = run(item, request);
        return accepted(sim, job);
      },
    },
  });
  return [
    {
      pattern: `${vaultPath}/replicationProtectedItems`,
      methods: {
        GET: {
          operation: 'ReplicationProtectedItems_List',
          apiVersions: v,
          handle: (request) => {
            const vault = findVault(sim, request.params);
            const filter = parseFilter(request.query.get('$filter'), filterFields);
            const items = inVault(sim.state.items, vault).filter((item) => matches(sim, item, filter));
            return list(sim, items, request);
          },
        },
      },
    },
    {
      pattern: `${containerPath}/replicationProtectedItems`,
      methods: {
        GET: {
          operation: 'ReplicationProtectedItems_ListByReplicationProtectionContainers',
          apiVersions: v,
          handle: (request) =>
            list(sim, containerItems(findContainer(sim, request.params).id), request, { sortedByKey: true }),
        },
      },
    },
    {
      pattern: itemPath,
      methods: {
        GET: {
          operation: 'ReplicationProtectedItems_Get',
          apiVersions: v,
          handle: ({ params }) => ({ status: 200, body: itemResource(sim, findItem(sim, params)) }),
        },
        PUT: {
          operation: 'ReplicationProtectedItems_Create',
          apiVersions: v,
          handle: ({ params, body }): ArmResponse => {
            const vault = findVault(sim, params);
            const container = findContainer(sim, params);
            const result = enableProtection(
              sim,
              vault,
              container,
              params.replicatedProtectedItemName ?? '',
              body,
            );
            if (result.kind === 'existing') {
              return {
                status: 200,
                body: itemResource(sim, result.item),
                outcome: 'noop',
                resourceId: result.item.id,
              };
            }
            return accepted(sim, result.job, { outcome: 'created' });
          },
        },
        DELETE: {
          operation: 'ReplicationProtectedItems_Purge',
          apiVersions: v,
          handle: ({ params }) => accepted(sim, purge(sim, findItem(sim, params))),
        },
      },
    },
    {
      pattern: `${itemPath}/remove`,
      methods: action('ReplicationProtectedItems_Delete', (item, { body }) =>
        removeProtection(sim, item, body),
      ),
    },
    {
      pattern: `${itemPath}/testFailover`,
      methods: action('ReplicationProtectedItems_TestFailover', (item, { body }) =>
        testFailover(sim, item, body),
      ),
    },
    {
      pattern: `${itemPath}/testFailoverCleanup`,
      methods: action('ReplicationProtectedItems_TestFailoverCleanup', (item, { body }) =>
        testFailoverCleanup(sim, item, body),
      ),
    },
    {
      pattern: `${itemPath}/unplannedFailover`,
      methods: action('ReplicationProtectedItems_UnplannedFailover', (item, { body }) =>
        unplannedFailover(sim, item, body),
      ),
    },
    {
      pattern: `${itemPath}/failoverCommit`,
      methods: action('ReplicationProtectedItems_FailoverCommit', (item) => failoverCommit(sim, item)),
    },
    {
      pattern: `${itemPath}/failoverCancel`,
      methods: action('ReplicationProtectedItems_FailoverCancel', (item) => failoverCancel(sim, item)),
    },
    {
      pattern: `${itemPath}/repairReplication`,
      methods: action('ReplicationProtectedItems_RepairReplication', (item) => repairReplication(sim, item)),
    },
  ];
}

const listingKey = (item: ProtectedItem) => item.id.toLowerCase();

function list(
  sim: Simulation,
  items: ProtectedItem[],
  request: ArmRequest,
  options: { sortedByKey?: boolean } = {},
): ArmResponse {
  const pageOfItems = page(items, request, sim.endpoint, { keyOf: listingKey, ...options });
  return {
    status: 200,
    body: {
      value: pageOfItems.value.map((item) => itemResource(sim, item)),
      ...(pageOfItems.nextLink ? { nextLink: pageOfItems.nextLink } : {}),
    },
  };
}

/** The recovery plan that holds an item, if any. */
export function planOf(sim: Simulation, item: ProtectedItem) {
  const key = idKey(item.id);
  return Object.values(sim.state.plans).find((plan) =>
    plan.groups.some((group) => group.replicationProtectedItems.some((member) => idKey(member.id) === key)),
  );
}

function matches(sim: Simulation, item: ProtectedItem, filter: Map<string, string>): boolean {
  for (const [field, value] of filter) {
    const fabric = sim.state.fabrics[idKey(item.fabricId)];
    switch (field) {
      case 'sourceFabricName':
        if (!equalsIgnoreCase(fabric?.name, value)) return false;
        break;
      case 'recoveryPlanName':
        if (!equalsIgnoreCase(planOf(sim, item)?.name, value)) return false;
        break;
      case 'sourceFabricLocation':
        if (!equalsIgnoreCase(sim.state.vaults[idKey(item.vaultId)]?.location, value)) return false;
        break;
      case 'fabricObjectId':
        if (
          !equalsIgnoreCase(item.machineId, value) &&
          !equalsIgnoreCase(segmentAfter(item.machineId, 'machines'), value)
        )
          return false;
        break;
      case 'vCenterName':
        if (!equalsIgnoreCase(fabric?.vcenter, value)) return false;
        break;
      case 'instanceType':
        if (!equalsIgnoreCase('InMageRcm', value)) return false;
        break;
      case 'multiVmGroupCreateOption':
        // Every simulated item has its own automatically created multi-VM group.
        if (!equalsIgnoreCase('AutoCreated', value)) return false;
        break;
      case 'processServerId':
        if (!equalsIgnoreCase(item.processServerId, value)) return false;
        break;
    }
  }
  return true;
}
