/**
 * Single-item Site Recovery operations: validation of the request body, the state the item enters
 * immediately, and the job whose tasks carry the rest of the transition.
 */
import {
  badRequest,
  conflict,
  idKey,
  objectBody,
  optionalEnum,
  optionalObject,
  optionalString,
  parseResourceGroupId,
  requiredEnum,
  requiredString,
} from '../arm.ts';
import type { Simulation } from '../simulation.ts';
import { describeItem, requireOperation } from './guards.ts';
import { runningJob, startJob, type TaskSpec } from './jobs.ts';
import { findProcessServer } from './replication.ts';
import { itemId } from './resources.ts';
import type { Container, Fabric, Job, ProtectedDisk, ProtectedItem, Vault } from './types.ts';

export const diskTypes = ['Standard_LRS', 'Premium_LRS', 'StandardSSD_LRS'] as const;
export const licenseTypes = ['NotSpecified', 'NoLicenseType', 'WindowsServer'] as const;
export const failoverDirections = ['PrimaryToRecovery', 'RecoveryToPrimary'] as const;
const gib = 1024 ** 3;

export type CreateResult =
  { kind: 'created'; item: ProtectedItem; job: Job } | { kind: 'existing'; item: ProtectedItem };

/** PUT replicationProtectedItems/{name} with InMageRcm input (enable replication). */
export function enableProtection(
  sim: Simulation,
  vault: Vault,
  container: Container,
  name: string,
  body: unknown,
): CreateResult {
  const properties = optionalObject(objectBody(body, 'enable protection').properties, 'properties') ?? {};
  const details = optionalObject(properties.providerSpecificDetails, 'properties.providerSpecificDetails');
  if (!details) {
    throw badRequest(
      'InvalidRequestContent',
      "The required field 'properties.providerSpecificDetails' is missing.",
    );
  }
  const field = (name: string) => `properties.providerSpecificDetails.${name}`;
  const instanceType = requiredString(details.instanceType, field('instanceType'));
  if (instanceType !== 'InMageRcm') {
    throw badRequest(
      'UnsupportedReplicationProvider',
      `Replication provider '${instanceType}' is not supported by this vault's fabric; use 'InMageRcm'.`,
    );
  }
  const machineId = requiredString(details.fabricDiscoveryMachineId, field('fabricDiscoveryMachineId'));
  const processServerId = requiredString(details.processServerId, field('processServerId'));
  const targetResourceGroupId = requiredString(details.targetResourceGroupId, field('targetResourceGroupId'));

  const id = itemId(container, name);
  const existingByName = sim.state.items[idKey(id)];
  const existingForMachine = Object.values(sim.state.items).find(
    (item) => idKey(item.vaultId) === idKey(vault.id) && idKey(item.machineId) === idKey(machineId),
  );
  if (existingByName) {
    if (idKey(existingByName.machineId) === idKey(machineId))
      return { kind: 'existing', item: existingByName };
    throw conflict(
      'ReplicationProtectedItemAlreadyExists',
      `Protected item '${name}' already exists for discovered machine '${existingByName.machineId}'.`,
    );
  }
  if (existingForMachine) {
    throw conflict(
      'MachineAlreadyProtected',
      `Discovered machine '${machineId}' is already protected as item '${existingForMachine.name}'; ${describeItem(sim, existingForMachine)}.`,
    );
  }

  const machine = sim.state.discoveredMachines[idKey(machineId)];
  if (!machine) {
    throw badRequest('DiscoveredMachineNotFound', `The discovered machine '${machineId}' was not found.`);
  }
  if (idKey(machine.fabricId) !== idKey(container.fabricId)) {
    throw badRequest(
      'DiscoveredMachineNotInFabric',
      `The discovered machine '${machineId}' does not belong to the VMware site of fabric '${container.fabricId}'.`,
    );
  }
  const fabric = sim.state.fabrics[idKey(container.fabricId)];
  if (!fabric || !findProcessServer(fabric, processServerId)) {
    throw badRequest(
      'ProcessServerNotFound',
      `Process server '${processServerId}' is not registered in fabric '${fabric?.name ?? container.fabricId}'. Known: ${(fabric?.processServers ?? []).map((server) => `${server.name} (${server.id})`).join(', ')}.`,
    );
  }
  if (!parseResourceGroupId(targetResourceGroupId)) {
    throw badRequest(
      'InvalidTargetResourceGroupId',
      `'${targetResourceGroupId}' is not a resource group id (/subscriptions/{id}/resourceGroups/{name}).`,
    );
  }
  const policyIdValue = resolvePolicy(
    sim,
    vault,
    container,
    optionalString(properties.policyId, 'properties.policyId'),
  );
  const source = sim.state.sourceVms[machine.sourceVmId];
  if (!source)
    throw new Error(`discovered machine ${machine.id} points at unknown source VM ${machine.sourceVmId}`);
  const runAsAccountId = optionalString(details.runAsAccountId, field('runAsAccountId'));
  if (runAsAccountId !== undefined && !isRunAsAccountOf(fabric, runAsAccountId)) {
    throw badRequest(
      'InvalidRunAsAccountId',
      `'${runAsAccountId}' is not a run-as account of VMware site '${fabric.vmwareSiteName}' (${fabric.vmwareSiteId}/runAsAccounts/{name}).`,
    );
  }
  const disks = protectedDisks(details, source.disks, field);
  const now = sim.now();
  const item: ProtectedItem = {
    id,
    vaultId: vault.id,
    fabricId: container.fabricId,
    containerId: container.id,
    name,
    friendlyName: source.name,
    machineId: machine.id,
    sourceVmId: source.vmId,
    policyId: policyIdValue,
    processServerId: findProcessServer(fabric, processServerId)?.id ?? processServerId,
    target: {
      resourceGroupId: targetResourceGroupId,
      vmName: optionalString(details.targetVmName, field('targetVmName')) ?? source.name,
      ...definedStrings(details, field, {
        vmSize: 'targetVmSize',
        networkId: 'targetNetworkId',
        testNetworkId: 'testNetworkId',
        subnetName: 'targetSubnetName',
        testSubnetName: 'testSubnetName',
        availabilitySetId: 'targetAvailabilitySetId',
        availabilityZone: 'targetAvailabilityZone',
        proximityPlacementGroupId: 'targetProximityPlacementGroupId',
        bootDiagnosticsStorageAccountId: 'targetBootDiagnosticsStorageAccountId',
        multiVmGroupName: 'multiVmGroupName',
        runAsAccountId: 'runAsAccountId',
      }),
      licenseType: optionalEnum(details.licenseType, field('licenseType'), licenseTypes) ?? 'NotSpecified',
    },
    disks,
    protectionState: 'EnablingProtection',
    testFailoverState: 'None',
    activeLocation: 'Primary',
    createdAt: now,
  };
  sim.state.items[idKey(id)] = item;
  sim.itemsAddedOrRemoved();
  sim.replication.attach(item, now);
  const machineKey = idKey(machine.id);
  sim.state.history.enableJobs[machineKey] = (sim.state.history.enableJobs[machineKey] ?? 0) + 1;
  const job = startJob(sim, {
    vault,
    scenarioName: 'EnableDr',
    friendlyName: 'Enable replication',
    target: { id: item.id, name: item.friendlyName, instanceType: 'ProtectionEntity' },
    itemIds: [item.id],
    tasks: [
      {
        name: 'PrerequisitesCheckTask',
        friendlyName: 'Prerequisites check for enabling protection',
        durationSeconds: 30,
      },
      ...(source.noMobilityAgent ? [mobilityAgentTask(item, runAsAccountId)] : []),
      { name: 'IdentifyTargetTask', friendlyName: 'Identifying the replication target', durationSeconds: 30 },
      {
        name: 'EnableProtectionTask',
        friendlyName: 'Enable replication',
        durationSeconds: 120,
        failureEffects: [{ type: 'enableFailed', itemId: item.id }],
      },
      {
        name: 'StartInitialReplicationTask',
        friendlyName: 'Starting initial replication',
        durationSeconds: 60,
        effects: [{ type: 'enableCompleted', itemId: item.id }],
      },
    ],
  });
  return { kind: 'created', item, job };
}

/** Azure Migrate keeps a VMware site's guest credentials as `{site id}/runAsAccounts/{name}`. */
function isRunAsAccountOf(fabric: Fabric, runAsAccountId: string): boolean {
  const prefix = `${fabric.vmwareSiteId}/runAsAccounts/`.toLowerCase();
  const name = runAsAccountId.slice(prefix.length);
  return runAsAccountId.toLowerCase().startsWith(prefix) && name.length > 0 && !name.includes('/');
}

/** Exported for tests and docs: the enable job's error for a machine without an agent or credentials. */
export const mobilityAgentMissing = (machineName: string) => ({
  code: 'MobilityAgentNotInstalled',
  message: `Protection couldn't be enabled for '${machineName}': the mobility agent is not installed on the source machine and no run-as account was given to push-install it.`,
  possibleCauses:
    'The mobility agent was never installed on the machine (or was uninstalled), and replication was enabled without guest credentials (runAsAccountId) for push installation.',
  recommendedAction:
    'Install the mobility agent on the machine and register it with the replication appliance, or enable replication again with a run-as account that has administrator (root on Linux) rights on the machine, so that the appliance pushes the agent. Disable the failed replication first.',
});

/**
 * The task that pushes the mobility agent from the appliance: it installs it with the run-as account, and
 * without one fails the enable as Azure does.
 */
function mobilityAgentTask(item: ProtectedItem, runAsAccountId: string | undefined): TaskSpec {
  const task: TaskSpec = {
    name: 'InstallMobilityServiceTask',
    friendlyName: 'Installing Mobility Service',
    durationSeconds: 180,
    effects: [{ type: 'mobilityAgentInstalled', itemId: item.id }],
    failureEffects: [{ type: 'enableFailed', itemId: item.id }],
  };
  return runAsAccountId === undefined ? { ...task, fails: mobilityAgentMissing(item.friendlyName) } : task;
}

function resolvePolicy(
  sim: Simulation,
  vault: Vault,
  container: Container,
  requested: string | undefined,
): string {
  if (requested !== undefined) {
    const policy = sim.state.policies[idKey(requested)];
    if (!policy || idKey(policy.vaultId) !== idKey(vault.id)) {
      throw badRequest(
        'PolicyNotFound',
        `Replication policy '${requested}' was not found in vault '${vault.name}'.`,
      );
    }
    return policy.id;
  }
  const mapping = Object.values(sim.state.mappings).find(
    (entry) => idKey(entry.containerId) === idKey(container.id),
  );
  if (!mapping) {
    throw badRequest(
      'PolicyNotFound',
      `Protection container '${container.name}' has no replication policy mapping; pass properties.policyId.`,
    );
  }
  return mapping.policyId;
}

function definedStrings(
  details: Record<string, unknown>,
  field: (name: string) => string,
  names: Record<string, string>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, wire] of Object.entries(names)) {
    const value = optionalString(details[wire], field(wire));
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function protectedDisks(
  details: Record<string, unknown>,
  sourceDisks: { id: string; sizeGiB: number; usedGiB: number }[],
  field: (name: string) => string,
): ProtectedDisk[] {
  const toDisk = (
    source: { id: string; sizeGiB: number; usedGiB: number },
    index: number,
    input: Record<string, unknown>,
    where: string,
  ): ProtectedDisk => {
    const diskEncryptionSetId = optionalString(input.diskEncryptionSetId, `${where}.diskEncryptionSetId`);
    return {
      diskId: source.id,
      diskName: `Hard disk ${index + 1}`,
      isOSDisk: index === 0,
      capacityBytes: source.sizeGiB * gib,
      usedBytes: source.usedGiB * gib,
      diskType: requiredEnum(input.diskType, `${where}.diskType`, diskTypes),
      logStorageAccountId: requiredString(input.logStorageAccountId, `${where}.logStorageAccountId`),
      ...(diskEncryptionSetId === undefined ? {} : { diskEncryptionSetId }),
    };
  };
  if (details.disksToInclude !== undefined && details.disksToInclude !== null) {
    if (!Array.isArray(details.disksToInclude) || details.disksToInclude.length === 0) {
      throw badRequest('InvalidRequestContent', `'${field('disksToInclude')}' must be a non-empty array.`);
    }
    return details.disksToInclude.map((raw, index) => {
      const where = `${field('disksToInclude')}[${index}]`;
      const input = optionalObject(raw, where) ?? {};
      const diskId = requiredString(input.diskId, `${where}.diskId`);
      const sourceIndex = sourceDisks.findIndex((disk) => disk.id === diskId);
      const source = sourceDisks[sourceIndex];
      if (!source) {
        throw badRequest(
          'DiskNotFound',
          `Disk '${diskId}' does not exist on the source machine. Disks: ${sourceDisks.map((disk) => disk.id).join(', ')}.`,
        );
      }
      return toDisk(source, sourceIndex, input, where);
    });
  }
  const defaults = optionalObject(details.disksDefault, field('disksDefault'));
  if (defaults) return sourceDisks.map((disk, index) => toDisk(disk, index, defaults, field('disksDefault')));
  // Neither given: every disk, Standard_LRS, no cache account (lenient; the portal always sends one).
  return sourceDisks.map((disk, index) =>
    toDisk(disk, index, { diskType: 'Standard_LRS', logStorageAccountId: 'none' }, field('disksDefault')),
  );
}

function itemJob(
  sim: Simulation,
  item: ProtectedItem,
  scenarioName: string,
  friendlyName: string,
  tasks: TaskSpec[],
  customInstanceType?: Job['customInstanceType'],
  waitsForCleanup = false,
): Job {
  const vault = sim.state.vaults[idKey(item.vaultId)];
  if (!vault) throw new Error(`item ${item.id} belongs to an unknown vault`);
  return startJob(sim, {
    vault,
    scenarioName,
    friendlyName,
    target: { id: item.id, name: item.friendlyName, instanceType: 'ProtectionEntity' },
    itemIds: [item.id],
    tasks,
    ...(customInstanceType === undefined ? {} : { customInstanceType }),
    ...(scenarioName === 'CommitFailover' ? { faultScenario: 'Commit' as const } : {}),
    waitsForCleanup,
  });
}

function checkDirection(properties: Record<string, unknown>): void {
  const direction = optionalEnum(
    properties.failoverDirection,
    'properties.failoverDirection',
    failoverDirections,
  );
  if (direction === 'RecoveryToPrimary') {
    throw badRequest(
      'UnsupportedFailoverDirection',
      'Failover from Azure back to VMware (RecoveryToPrimary) is not supported for this item; use PrimaryToRecovery.',
    );
  }
}

function inMageRcmDetails(properties: Record<string, unknown>): Record<string, unknown> | undefined {
  const details = optionalObject(properties.providerSpecificDetails, 'properties.providerSpecificDetails');
  if (!details) return undefined;
  const instanceType = requiredString(
    details.instanceType,
    'properties.providerSpecificDetails.instanceType',
  );
  if (instanceType !== 'InMageRcm') {
    throw badRequest(
      'UnsupportedReplicationProvider',
      `providerSpecificDetails.instanceType '${instanceType}' does not match the item's provider 'InMageRcm'.`,
    );
  }
  return details;
}

export function testFailover(sim: Simulation, item: ProtectedItem, body: unknown): Job {
  const properties = optionalObject(objectBody(body, 'test failover').properties, 'properties') ?? {};
  checkDirection(properties);
  const details = inMageRcmDetails(properties);
  const networkId =
    optionalString(details?.networkId, 'properties.providerSpecificDetails.networkId') ??
    optionalString(properties.networkId, 'properties.networkId') ??
    item.target.testNetworkId;
  requireOperation(sim, item, 'TestFailover');
  item.testFailoverState = 'TestFailoverInitiated';
  return itemJob(
    sim,
    item,
    'TestFailover',
    'Test failover',
    [
      {
        name: 'PrerequisitesCheckTask',
        friendlyName: 'Prerequisites check for test failover',
        durationSeconds: 30,
      },
      { name: 'CreateTestVmTask', friendlyName: 'Create test virtual machine', durationSeconds: 240 },
      {
        name: 'StartTestVmTask',
        friendlyName: 'Start the virtual machine',
        durationSeconds: 60,
        effects: [{ type: 'testFailoverCompleted', itemId: item.id, ...(networkId ? { networkId } : {}) }],
        failureEffects: [{ type: 'testFailoverFailed', itemId: item.id }],
      },
    ],
    'TestFailoverJobDetails',
    true,
  );
}

export function testFailoverCleanup(sim: Simulation, item: ProtectedItem, body: unknown): Job {
  const properties = optionalObject(objectBody(body, 'test failover cleanup').properties, 'properties') ?? {};
  optionalString(properties.comments, 'properties.comments');
  requireOperation(sim, item, 'TestFailoverCleanup');
  item.testFailoverState = 'MarkedForDeletion';
  return itemJob(sim, item, 'TestFailoverCleanup', 'Cleanup test failover', [
    {
      name: 'DeleteTestVmTask',
      friendlyName: 'Delete test virtual machine',
      durationSeconds: 120,
      effects: [{ type: 'testFailoverCleanedUp', itemId: item.id }],
    },
    { name: 'CompleteCleanupTask', friendlyName: 'Complete test failover cleanup', durationSeconds: 30 },
  ]);
}

export function unplannedFailover(sim: Simulation, item: ProtectedItem, body: unknown): Job {
  const properties = optionalObject(objectBody(body, 'unplanned failover').properties, 'properties') ?? {};
  checkDirection(properties);
  const siteOperations = optionalEnum(properties.sourceSiteOperations, 'properties.sourceSiteOperations', [
    'Required',
    'NotRequired',
  ] as const);
  const details = inMageRcmDetails(properties);
  const shutdown = details
    ? requiredEnum(details.performShutdown, 'properties.providerSpecificDetails.performShutdown', [
        'true',
        'false',
      ] as const) === 'true'
    : siteOperations === 'Required';
  requireOperation(sim, item, 'UnplannedFailover');
  item.protectionState = 'UnplannedFailoverInitiated';
  const tasks: TaskSpec[] = [
    { name: 'PrerequisitesCheckTask', friendlyName: 'Prerequisites check for failover', durationSeconds: 30 },
  ];
  if (shutdown) {
    tasks.push({
      name: 'ShutdownSourceVmTask',
      friendlyName: 'Shut down the source virtual machine',
      durationSeconds: 60,
      effects: [{ type: 'powerOffSource', itemId: item.id }],
    });
  }
  tasks.push(
    { name: 'CreateAzureVmTask', friendlyName: 'Create the Azure virtual machine', durationSeconds: 300 },
    {
      name: 'StartReplicaVmTask',
      friendlyName: 'Start the replica virtual machine',
      durationSeconds: 60,
      effects: [{ type: 'failoverCompleted', itemId: item.id }],
      failureEffects: [{ type: 'failoverFailed', itemId: item.id }],
    },
  );
  return itemJob(sim, item, 'UnplannedFailover', 'Failover', tasks, 'FailoverJobDetails');
}

export function failoverCommit(sim: Simulation, item: ProtectedItem): Job {
  requireOperation(sim, item, 'Commit');
  item.protectionState = 'CommitFailoverInProgressOnRecovery';
  return itemJob(sim, item, 'CommitFailover', 'Commit', [
    {
      name: 'CommitFailoverTask',
      friendlyName: 'Commit failover',
      durationSeconds: 60,
      effects: [{ type: 'commitCompleted', itemId: item.id }],
      failureEffects: [{ type: 'commitFailed', itemId: item.id }],
    },
  ]);
}

export function failoverCancel(sim: Simulation, item: ProtectedItem): Job {
  requireOperation(sim, item, 'CancelFailover');
  item.protectionState = 'CancelFailoverInProgressOnRecovery';
  return itemJob(sim, item, 'CancelFailover', 'Cancel failover', [
    {
      name: 'DeleteAzureVmTask',
      friendlyName: 'Delete the Azure virtual machine',
      durationSeconds: 120,
      effects: [{ type: 'failoverCancelled', itemId: item.id }],
    },
  ]);
}

export function repairReplication(sim: Simulation, item: ProtectedItem): Job {
  requireOperation(sim, item, 'RepairReplication');
  return itemJob(sim, item, 'RepairReplication', 'Resynchronize', [
    {
      name: 'StartResyncTask',
      friendlyName: 'Start resynchronization',
      durationSeconds: 60,
      effects: [{ type: 'resyncStarted', itemId: item.id }],
    },
  ]);
}

/** POST …/remove: disable replication, or complete the migration with `MigrationComplete`. */
export function removeProtection(sim: Simulation, item: ProtectedItem, body: unknown): Job {
  const properties =
    optionalObject(objectBody(body ?? {}, 'disable protection').properties, 'properties') ?? {};
  const reason = optionalEnum(properties.disableProtectionReason, 'properties.disableProtectionReason', [
    'NotSpecified',
    'MigrationComplete',
  ] as const);
  const migrationComplete = reason === 'MigrationComplete';
  requireOperation(sim, item, migrationComplete ? 'CompleteMigration' : 'DisableProtection');
  item.protectionState = 'DisablingProtection';
  const remove = { type: 'itemRemoved' as const, itemId: item.id, migrationComplete };
  return itemJob(
    sim,
    item,
    'DisableDr',
    migrationComplete ? 'Complete migration' : 'Disable replication',
    migrationComplete
      ? [
          { name: 'DisableProtectionTask', friendlyName: 'Disable replication', durationSeconds: 60 },
          {
            name: 'CompleteMigrationTask',
            friendlyName: 'Complete migration',
            durationSeconds: 30,
            effects: [remove],
          },
        ]
      : [
          {
            name: 'DisableProtectionTask',
            friendlyName: 'Disable replication',
            durationSeconds: 60,
            effects: [remove],
          },
        ],
  );
}

/** DELETE: force-delete the item whatever its state (unless a job runs on it). */
export function purge(sim: Simulation, item: ProtectedItem): Job {
  const running = runningJob(sim, item.currentJobId);
  if (running) {
    throw conflict(
      'OperationInProgress',
      `Protected item '${item.name}' cannot be purged while job '${running.name}' (${running.scenarioName}) runs; ${describeItem(sim, item)}.`,
    );
  }
  item.protectionState = 'DisablingProtection';
  return itemJob(sim, item, 'PurgeProtection', 'Purge protection', [
    {
      name: 'PurgeProtectionTask',
      friendlyName: 'Purge protection',
      durationSeconds: 30,
      effects: [{ type: 'itemPurged', itemId: item.id }],
    },
  ]);
}
