/**
 * Seeding (`PUT /admin/environment`): the vault, the InMageRcm fabric of a VMware site with one process
 * server per appliance, its protection container, the 24-hour replication policy and its container
 * mapping, the Azure Migrate discovered machines and the vCenter inventory. Idempotent: known things
 * are left alone, unknown VMs and appliances are added.
 */
import type { AzureScope } from '../../domain/demo.ts';
import { discoveredMachineId, type SourceSite } from '../../domain/estate.ts';
import { idKey } from '../arm.ts';
import { guidFromText } from '../ids.ts';
import type { Simulation } from '../simulation.ts';
import { containerId, fabricId, policyId, vaultId } from './resources.ts';
import type { ContainerMapping, Fabric, Policy, Vault } from './types.ts';

export const replicationPolicyName = '24-hour-replication-policy';

export interface SeedResult {
  vaultId: string;
  fabricName: string;
  fabricId: string;
  /** The Azure Migrate VMware site (run-as accounts for push installation are `{id}/runAsAccounts/{name}`). */
  vmwareSiteId: string;
  containerName: string;
  containerId: string;
  policyName: string;
  policyId: string;
  mappingName: string;
  processServers: { id: string; name: string }[];
  added: { vms: number; discoveredMachines: number; processServers: number };
}

export interface SeedOptions {
  /** VMs (by name) seeded without a mobility agent; every other VM added by the seed has one. */
  withoutMobilityAgent?: string[];
}

export function seedEnvironment(
  sim: Simulation,
  scope: AzureScope,
  site: SourceSite,
  options: SeedOptions = {},
): SeedResult {
  const withoutAgent = new Set(options.withoutMobilityAgent ?? []);
  const now = sim.now();
  const vault = upsert(
    sim.state.vaults,
    vaultId(scope.subscriptionId, scope.resourceGroup, scope.vaultName),
    (id) => ({
      id,
      subscriptionId: scope.subscriptionId,
      resourceGroup: scope.resourceGroup,
      name: scope.vaultName,
      location: scope.location,
    }),
  ) satisfies Vault;

  const fabricName = `${site.vmwareSiteName}-fabric`;
  const fabric = upsert(sim.state.fabrics, fabricId(vault, fabricName), (id) => ({
    id,
    vaultId: vault.id,
    name: fabricName,
    vmwareSiteName: site.vmwareSiteName,
    vmwareSiteId: `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.OffAzure/VMwareSites/${site.vmwareSiteName}`,
    vcenter: site.vcenter,
    uplinkMbps: site.uplinkMbps,
    processServers: [],
    createdAt: now,
  })) satisfies Fabric;
  let addedServers = 0;
  for (const appliance of site.appliances) {
    if (fabric.processServers.some((server) => server.name === appliance.name)) continue;
    fabric.processServers.push({
      id: guidFromText(`${fabric.id.toLowerCase()}/processServers/${appliance.name}`),
      name: appliance.name,
      fqdn: `${appliance.name}.${site.vcenter.split('.').slice(1).join('.') || 'local'}`,
      bandwidthMbps: appliance.bandwidthMbps,
    });
    addedServers += 1;
  }

  const containerName = `${fabricName}-container`;
  const container = upsert(sim.state.containers, containerId(fabric, containerName), (id) => ({
    id,
    vaultId: vault.id,
    fabricId: fabric.id,
    name: containerName,
  }));

  const policy = upsert(sim.state.policies, policyId(vault, replicationPolicyName), (id) => ({
    id,
    vaultId: vault.id,
    name: replicationPolicyName,
    recoveryPointHistoryInMinutes: 24 * 60,
    crashConsistentFrequencyInMinutes: 5,
    appConsistentFrequencyInMinutes: 60,
    enableMultiVmSync: 'True',
  })) satisfies Policy;

  const mappingName = `${containerName}-${replicationPolicyName}`;
  upsert(
    sim.state.mappings,
    `${container.id}/replicationProtectionContainerMappings/${mappingName}`,
    (id) => ({
      id,
      containerId: container.id,
      name: mappingName,
      policyId: policy.id,
    }),
  ) satisfies ContainerMapping;

  let addedVms = 0;
  let addedMachines = 0;
  const byUuid = new Map(Object.values(sim.state.sourceVms).map((vm) => [vm.uuid.toLowerCase(), vm]));
  for (const vm of site.vms) {
    let source = byUuid.get(vm.uuid.toLowerCase());
    if (!source) {
      sim.state.counters.sourceVm += 1;
      source = {
        vmId: `vm-${1000 + sim.state.counters.sourceVm}`,
        vcenter: site.vcenter,
        name: vm.name,
        uuid: vm.uuid,
        os: vm.os,
        cpus: vm.cpus,
        memoryMiB: vm.memoryMiB,
        disks: vm.disks.map((disk) => ({ ...disk })),
        churnMiBPerDay: vm.churnMiBPerDay,
        powerState: 'POWERED_ON',
        ...(withoutAgent.has(vm.name) ? { noMobilityAgent: true as const } : {}),
      };
      sim.state.sourceVms[source.vmId] = source;
      byUuid.set(vm.uuid.toLowerCase(), source);
      addedVms += 1;
    }
    const machineId = discoveredMachineId(scope.subscriptionId, scope.resourceGroup, site, vm);
    if (!sim.state.discoveredMachines[idKey(machineId)]) {
      sim.state.discoveredMachines[idKey(machineId)] = {
        id: machineId,
        fabricId: fabric.id,
        sourceVmId: source.vmId,
      };
      addedMachines += 1;
    }
  }
  sim.changed();
  return {
    vaultId: vault.id,
    fabricName,
    fabricId: fabric.id,
    vmwareSiteId: fabric.vmwareSiteId,
    containerName,
    containerId: container.id,
    policyName: policy.name,
    policyId: policy.id,
    mappingName,
    processServers: fabric.processServers.map(({ id, name }) => ({ id, name })),
    added: { vms: addedVms, discoveredMachines: addedMachines, processServers: addedServers },
  };
}

/**
 * Installs (registers) or removes the mobility agent of the source VMs named `vmName` (every vCenter).
 * Returns how many VMs have that name; none is an error for the caller to report.
 */
export function setMobilityAgent(sim: Simulation, vmName: string, installed: boolean): number {
  const vms = Object.values(sim.state.sourceVms).filter((vm) => vm.name === vmName);
  for (const vm of vms) {
    if (installed) delete vm.noMobilityAgent;
    else vm.noMobilityAgent = true;
  }
  if (vms.length > 0) sim.changed();
  return vms.length;
}

function upsert<T>(map: Record<string, T>, id: string, create: (id: string) => T): T {
  const key = idKey(id);
  const existing = map[key];
  if (existing) return existing;
  const created = create(id);
  map[key] = created;
  return created;
}
