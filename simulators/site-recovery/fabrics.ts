/** Discovery routes: fabrics, protection containers, container mappings and replication policies. */
import { idKey, notFound, page, type ArmRequest, type ArmResponse, type ArmRoute } from '../arm.ts';
import { iso } from '../clock.ts';
import { guidFromText } from '../ids.ts';
import type { Simulation } from '../simulation.ts';
import { applianceChurnLimitBytesPerDay, applianceMachineLimit } from './replication.ts';
import {
  findContainer,
  findFabric,
  findVault,
  inVault,
  policyId,
  resourceTypes,
  segmentAfter,
  siteRecoveryApiVersions,
} from './resources.ts';
import type { Container, ContainerMapping, Fabric, Policy, ProcessServer } from './types.ts';

const vaultPath =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{resourceName}';
const fabricPath = `${vaultPath}/replicationFabrics/{fabricName}`;
const containerPath = `${fabricPath}/replicationProtectionContainers/{protectionContainerName}`;

const gib = 1024 ** 3;

function processServerResource(sim: Simulation, fabric: Fabric, server: ProcessServer) {
  const now = sim.now();
  const load = sim.replication.applianceLoad(server.id);
  const overloaded = load.overloadReasons.length > 0;
  const down = sim.faults.applianceDown(server.name);
  const throughput = (server.bandwidthMbps * 1_000_000) / 8;
  return {
    id: server.id,
    name: server.name,
    biosId: server.id.toUpperCase(),
    fabricObjectId: `${fabric.vmwareSiteId}/applianceProcessServers/${server.id}`,
    fqdn: server.fqdn,
    ipAddresses: [],
    version: '9.60.7001.1',
    lastHeartbeatUtc: iso(now),
    totalMemoryInBytes: 32 * gib,
    availableMemoryInBytes: 16 * gib,
    usedMemoryInBytes: 16 * gib,
    memoryUsagePercentage: 50,
    totalSpaceInBytes: 1024 * gib,
    availableSpaceInBytes: 700 * gib,
    usedSpaceInBytes: 324 * gib,
    freeSpacePercentage: 68,
    throughputUploadPendingDataInBytes: 0,
    throughputInBytes: load.activeTransfers > 0 ? Math.floor(throughput * load.efficiency) : 0,
    processorUsagePercentage: Math.min(
      100,
      Math.round((load.protectedItemCount / applianceMachineLimit) * 60),
    ),
    throughputStatus: overloaded ? 'Warning' : 'Healthy',
    systemLoad: load.protectedItemCount,
    systemLoadStatus: load.protectedItemCount > applianceMachineLimit ? 'Warning' : 'Healthy',
    diskUsageStatus: 'Healthy',
    memoryUsageStatus: 'Healthy',
    processorUsageStatus: 'Healthy',
    health: down ? 'Critical' : overloaded ? 'Warning' : 'Normal',
    healthErrors: down
      ? [
          {
            errorCode: 'ProcessServerNotResponding',
            errorMessage: `Appliance '${server.name}' has stopped sending heartbeats; all replication through it is halted.`,
            possibleCauses:
              'The appliance VM is shut down, its services stopped, or it lost network connectivity.',
            recommendedAction:
              'Start the appliance VM and its replication services, then check its connectivity to Azure.',
            errorLevel: 'Error',
            creationTimeUtc: iso(now),
            entityId: server.id,
          },
        ]
      : overloaded
        ? [
            {
              errorCode: 'ProcessServerOverloaded',
              errorMessage: `Appliance '${server.name}' is past its sizing: ${load.overloadReasons.join('; ')}.`,
              possibleCauses: `An appliance is sized for about ${applianceMachineLimit} machines and ${applianceChurnLimitBytesPerDay / 1024 ** 4} TB/day of churn.`,
              recommendedAction: 'Deploy another replication appliance and move protected machines to it.',
              errorLevel: 'Warning',
              creationTimeUtc: iso(now),
              entityId: server.id,
            },
          ]
        : [],
    protectedItemCount: load.protectedItemCount,
    historicHealth: down ? 'Critical' : overloaded ? 'Warning' : 'Normal',
  };
}

/** The push installer of an appliance: it installs the mobility agent on machines enabled with a run-as account. */
function pushInstallerResource(sim: Simulation, fabric: Fabric, server: ProcessServer) {
  const down = sim.faults.applianceDown(server.name);
  return {
    id: guidFromText(`${fabric.id.toLowerCase()}/pushInstallers/${server.name}`),
    name: server.name,
    biosId: server.id.toUpperCase(),
    fabricObjectId: `${fabric.vmwareSiteId}/pushInstallers/${server.id}`,
    fqdn: server.fqdn,
    version: '9.60.7001.1',
    lastHeartbeatUtc: iso(sim.now()),
    health: down ? 'Critical' : 'Normal',
    healthErrors: [],
  };
}

/**
 * One entry per source machine of the fabric's VMware site with a registered mobility agent: `machineId`
 * is the last segment of the discovered machine id (what `fabricDiscoveryMachineId` ends with).
 */
function agentDetails(sim: Simulation, fabric: Fabric) {
  const domain = fabric.vcenter.split('.').slice(1).join('.') || 'local';
  const fabricKey = idKey(fabric.id);
  return Object.values(sim.state.discoveredMachines).flatMap((machine) => {
    if (idKey(machine.fabricId) !== fabricKey) return [];
    const source = sim.state.sourceVms[machine.sourceVmId];
    if (!source || source.noMobilityAgent) return [];
    return [
      {
        agentId: guidFromText(`agent:${machine.id.toLowerCase()}`),
        machineId: segmentAfter(machine.id, 'machines'),
        biosId: source.uuid,
        fqdn: `${source.name}.${domain}`,
        disks: [],
      },
    ];
  });
}

function fabricResource(sim: Simulation, fabric: Fabric) {
  const vault = sim.state.vaults[idKey(fabric.vaultId)];
  const servers = fabric.processServers.map((server) => processServerResource(sim, fabric, server));
  return {
    id: fabric.id,
    name: fabric.name,
    type: resourceTypes.fabric,
    location: vault?.location,
    properties: {
      friendlyName: fabric.name,
      encryptionDetails: { kekState: 'None' },
      rolloverEncryptionDetails: { kekState: 'None' },
      internalIdentifier: fabric.name,
      bcdrState: 'Valid',
      customDetails: {
        instanceType: 'InMageRcm',
        vmwareSiteId: fabric.vmwareSiteId,
        physicalSiteId: '',
        serviceEndpoint: 'https://rcm.local.simulator',
        serviceResourceId: fabric.id,
        serviceContainerId: fabric.name,
        dataPlaneUri: 'https://rcm-dataplane.local.simulator',
        controlPlaneUri: 'https://rcm-controlplane.local.simulator',
        processServers: servers,
        rcmProxies: fabric.processServers.map((server) => ({
          id: server.id,
          name: server.name,
          fqdn: server.fqdn,
          health: 'Normal',
          lastHeartbeatUtc: iso(sim.now()),
          version: '1.35.0.0',
        })),
        pushInstallers: fabric.processServers.map((server) => pushInstallerResource(sim, fabric, server)),
        replicationAgents: [],
        reprotectAgents: [],
        marsAgents: [],
        dras: [],
        agentDetails: agentDetails(sim, fabric),
      },
      healthErrorDetails: [],
      health: servers.some((server) => server.health === 'Critical')
        ? 'Critical'
        : servers.some((server) => server.health !== 'Normal')
          ? 'Warning'
          : 'Normal',
    },
  };
}

function containerResource(sim: Simulation, container: Container) {
  const fabric = sim.state.fabrics[idKey(container.fabricId)];
  const protectedItemCount = Object.values(sim.state.items).filter(
    (item) => idKey(item.containerId) === idKey(container.id),
  ).length;
  return {
    id: container.id,
    name: container.name,
    type: resourceTypes.container,
    location: sim.state.vaults[idKey(container.vaultId)]?.location,
    properties: {
      fabricFriendlyName: fabric?.name,
      friendlyName: container.name,
      fabricType: 'InMageRcm',
      protectedItemCount,
      pairingStatus: 'Paired',
      role: 'Primary',
      fabricSpecificDetails: { instanceType: 'InMageRcm' },
    },
  };
}

function mappingResource(sim: Simulation, mapping: ContainerMapping) {
  const container = sim.state.containers[idKey(mapping.containerId)];
  const fabric = container && sim.state.fabrics[idKey(container.fabricId)];
  const policy = sim.state.policies[idKey(mapping.policyId)];
  return {
    id: mapping.id,
    name: mapping.name,
    type: resourceTypes.mapping,
    location: container && sim.state.vaults[idKey(container.vaultId)]?.location,
    properties: {
      targetProtectionContainerId: 'Microsoft Azure',
      targetProtectionContainerFriendlyName: 'Microsoft Azure',
      providerSpecificDetails: { instanceType: 'InMageRcm' },
      health: 'Normal',
      healthErrorDetails: [],
      policyId: mapping.policyId,
      state: 'Paired',
      sourceProtectionContainerFriendlyName: container?.name,
      sourceFabricFriendlyName: fabric?.name,
      targetFabricFriendlyName: 'Microsoft Azure',
      policyFriendlyName: policy?.name,
    },
  };
}

function policyResource(sim: Simulation, policy: Policy) {
  return {
    id: policy.id,
    name: policy.name,
    type: resourceTypes.policy,
    location: sim.state.vaults[idKey(policy.vaultId)]?.location,
    properties: {
      friendlyName: policy.name,
      providerSpecificDetails: {
        instanceType: 'InMageRcm',
        recoveryPointHistoryInMinutes: policy.recoveryPointHistoryInMinutes,
        appConsistentFrequencyInMinutes: policy.appConsistentFrequencyInMinutes,
        crashConsistentFrequencyInMinutes: policy.crashConsistentFrequencyInMinutes,
        enableMultiVmSync: policy.enableMultiVmSync,
      },
    },
  };
}

function listOf<T>(
  sim: Simulation,
  all: T[],
  request: ArmRequest,
  render: (entry: T) => unknown,
): ArmResponse {
  const result = page(all, request, sim.endpoint);
  return {
    status: 200,
    body: { value: result.value.map(render), ...(result.nextLink ? { nextLink: result.nextLink } : {}) },
  };
}

export function fabricRoutes(sim: Simulation): ArmRoute[] {
  const v = siteRecoveryApiVersions;
  const containersOf = (fabric: Fabric) =>
    Object.values(sim.state.containers).filter((container) => idKey(container.fabricId) === idKey(fabric.id));
  return [
    {
      pattern: `${vaultPath}/replicationFabrics`,
      methods: {
        GET: {
          operation: 'ReplicationFabrics_List',
          apiVersions: v,
          handle: (request) =>
            listOf(sim, inVault(sim.state.fabrics, findVault(sim, request.params)), request, (fabric) =>
              fabricResource(sim, fabric),
            ),
        },
      },
    },
    {
      pattern: fabricPath,
      methods: {
        GET: {
          operation: 'ReplicationFabrics_Get',
          apiVersions: v,
          handle: ({ params }) => ({
            status: 200,
            body: fabricResource(sim, findFabric(sim, params, 'addressed')),
          }),
        },
      },
    },
    {
      pattern: `${fabricPath}/replicationProtectionContainers`,
      methods: {
        GET: {
          operation: 'ReplicationProtectionContainers_ListByReplicationFabrics',
          apiVersions: v,
          handle: (request) =>
            listOf(sim, containersOf(findFabric(sim, request.params)), request, (container) =>
              containerResource(sim, container),
            ),
        },
      },
    },
    {
      pattern: `${vaultPath}/replicationProtectionContainers`,
      methods: {
        GET: {
          operation: 'ReplicationProtectionContainers_List',
          apiVersions: v,
          handle: (request) =>
            listOf(sim, inVault(sim.state.containers, findVault(sim, request.params)), request, (container) =>
              containerResource(sim, container),
            ),
        },
      },
    },
    {
      pattern: containerPath,
      methods: {
        GET: {
          operation: 'ReplicationProtectionContainers_Get',
          apiVersions: v,
          handle: ({ params }) => ({
            status: 200,
            body: containerResource(sim, findContainer(sim, params, 'addressed')),
          }),
        },
      },
    },
    {
      pattern: `${containerPath}/replicationProtectionContainerMappings`,
      methods: {
        GET: {
          operation: 'ReplicationProtectionContainerMappings_ListByReplicationProtectionContainers',
          apiVersions: v,
          handle: (request) => {
            const container = findContainer(sim, request.params);
            const mappings = Object.values(sim.state.mappings).filter(
              (mapping) => idKey(mapping.containerId) === idKey(container.id),
            );
            return listOf(sim, mappings, request, (mapping) => mappingResource(sim, mapping));
          },
        },
      },
    },
    {
      pattern: `${containerPath}/replicationProtectionContainerMappings/{mappingName}`,
      methods: {
        GET: {
          operation: 'ReplicationProtectionContainerMappings_Get',
          apiVersions: v,
          handle: ({ params }) => {
            const container = findContainer(sim, params);
            const mapping =
              sim.state.mappings[
                idKey(`${container.id}/replicationProtectionContainerMappings/${params.mappingName}`)
              ];
            if (!mapping) {
              throw notFound(
                'ProtectionContainerMappingNotFound',
                `Container mapping '${params.mappingName}' was not found.`,
              );
            }
            return { status: 200, body: mappingResource(sim, mapping) };
          },
        },
      },
    },
    {
      pattern: `${vaultPath}/replicationProtectionContainerMappings`,
      methods: {
        GET: {
          operation: 'ReplicationProtectionContainerMappings_List',
          apiVersions: v,
          handle: (request) => {
            const vault = findVault(sim, request.params);
            const mappings = Object.values(sim.state.mappings).filter((mapping) =>
              idKey(mapping.containerId).startsWith(`${idKey(vault.id)}/`),
            );
            return listOf(sim, mappings, request, (mapping) => mappingResource(sim, mapping));
          },
        },
      },
    },
    {
      pattern: `${vaultPath}/replicationPolicies`,
      methods: {
        GET: {
          operation: 'ReplicationPolicies_List',
          apiVersions: v,
          handle: (request) =>
            listOf(sim, inVault(sim.state.policies, findVault(sim, request.params)), request, (policy) =>
              policyResource(sim, policy),
            ),
        },
      },
    },
    {
      pattern: `${vaultPath}/replicationPolicies/{policyName}`,
      methods: {
        GET: {
          operation: 'ReplicationPolicies_Get',
          apiVersions: v,
          handle: ({ params }) => {
            const vault = findVault(sim, params);
            const policy = sim.state.policies[idKey(policyId(vault, params.policyName ?? ''))];
            if (!policy)
              throw notFound('PolicyNotFound', `Replication policy '${params.policyName}' was not found.`);
            return { status: 200, body: policyResource(sim, policy) };
          },
        },
      },
    },
  ];
}
