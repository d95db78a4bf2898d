/** ARM ids of Site Recovery resources and lookups from route parameters (404 or 400 when absent). */
import { badRequest, idKey, notFound, type ArmRequest } from '../arm.ts';
import type { Simulation } from '../simulation.ts';
import type { Container, Fabric, Job, ProtectedItem, RecoveryPlan, Vault } from './types.ts';

export const siteRecoveryApiVersions = ['2023-06-01'] as const;

/** ASR returns ids that start with `/Subscriptions/` (capital S), as in the REST spec examples. */
export const vaultId = (subscriptionId: string, resourceGroup: string, vaultName: string): string =>
  `/Subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${vaultName}`;

export const fabricId = (vault: Vault, fabricName: string) => `${vault.id}/replicationFabrics/${fabricName}`;
export const containerId = (fabric: Fabric, name: string) =>
  `${fabric.id}/replicationProtectionContainers/${name}`;
export const itemId = (container: Container, name: string) =>
  `${container.id}/replicationProtectedItems/${name}`;
export const policyId = (vault: Vault, name: string) => `${vault.id}/replicationPolicies/${name}`;
export const planId = (vault: Vault, name: string) => `${vault.id}/replicationRecoveryPlans/${name}`;
export const jobId = (vault: Vault | string, name: string) =>
  `${typeof vault === 'string' ? vault : vault.id}/replicationJobs/${name}`;
export const operationStatusPath = (vaultIdValue: string, name: string) =>
  `${vaultIdValue}/replicationOperationStatus/${name}`;

export const resourceTypes = {
  fabric: 'Microsoft.RecoveryServices/vaults/replicationFabrics',
  container: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers',
  mapping:
    'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings',
  item: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems',
  policy: 'Microsoft.RecoveryServices/vaults/replicationPolicies',
  plan: 'Microsoft.RecoveryServices/vaults/replicationRecoveryPlans',
  job: 'Microsoft.RecoveryServices/vaults/replicationJobs',
} as const;

type Params = ArmRequest['params'];

export function findVault(sim: Simulation, params: Params): Vault {
  const { subscriptionId = '', resourceGroupName = '', resourceName = '' } = params;
  const vault = sim.state.vaults[idKey(vaultId(subscriptionId, resourceGroupName, resourceName))];
  if (!vault) {
    throw notFound(
      'ResourceNotFound',
      `The Resource 'Microsoft.RecoveryServices/vaults/${resourceName}' under resource group '${resourceGroupName}' was not found.`,
    );
  }
  return vault;
}

/**
 * A missing fabric or container answers 404 when it is the resource addressed, and 400 when it is the
 * parent of the resource addressed: Site Recovery refuses the request itself (azure-rest-api-specs#12759).
 */
type Role = 'addressed' | 'parent';
const missing = (role: Role, code: string, message: string) =>
  role === 'addressed' ? notFound(code, message) : badRequest(code, message);

export function findFabric(sim: Simulation, params: Params, role: Role = 'parent'): Fabric {
  const vault = findVault(sim, params);
  const fabric = sim.state.fabrics[idKey(fabricId(vault, params.fabricName ?? ''))];
  if (!fabric) {
    throw missing(
      role,
      'FabricArmEntityMissing',
      `Fabric with name ${params.fabricName} could not be located in vault '${vault.name}'.`,
    );
  }
  return fabric;
}

export function findContainer(sim: Simulation, params: Params, role: Role = 'parent'): Container {
  const fabric = findFabric(sim, params);
  const container = sim.state.containers[idKey(containerId(fabric, params.protectionContainerName ?? ''))];
  if (!container) {
    throw missing(
      role,
      'ProtectionContainerNotFound',
      `Protection container '${params.protectionContainerName}' was not found in fabric '${fabric.name}'.`,
    );
  }
  return container;
}

export function findItem(sim: Simulation, params: Params): ProtectedItem {
  const container = findContainer(sim, params);
  const item = sim.state.items[idKey(itemId(container, params.replicatedProtectedItemName ?? ''))];
  if (!item) {
    throw notFound(
      'ReplicationProtectedItemNotFound',
      `Replication protected item '${params.replicatedProtectedItemName}' was not found in protection container '${container.name}'.`,
    );
  }
  return item;
}

export function findPlan(sim: Simulation, params: Params): RecoveryPlan {
  const vault = findVault(sim, params);
  const plan = sim.state.plans[idKey(planId(vault, params.recoveryPlanName ?? ''))];
  if (!plan) {
    throw notFound(
      'RecoveryPlanNotFound',
      `Recovery plan '${params.recoveryPlanName}' was not found in vault '${vault.name}'.`,
    );
  }
  return plan;
}

export function findJob(sim: Simulation, params: Params, name: string): Job {
  const vault = findVault(sim, params);
  const job = sim.state.jobs[idKey(jobId(vault, name))];
  if (!job) throw notFound('JobNotFound', `Job '${name}' was not found in vault '${vault.name}'.`);
  return job;
}

/** Values of a map that belong to a vault, in insertion order. */
export function inVault<T extends { vaultId: string }>(map: Record<string, T>, vault: Vault): T[] {
  const key = idKey(vault.id);
  return Object.values(map).filter((entry) => idKey(entry.vaultId) === key);
}

/** `/Subscriptions/.../vaults/v/replicationFabrics/f/...` → the segment after `segment`. */
export function segmentAfter(id: string, segment: string): string {
  const parts = id.split('/');
  const index = parts.findIndex((part) => part.toLowerCase() === segment.toLowerCase());
  return index >= 0 ? (parts[index + 1] ?? '') : '';
}
