/** The ARM representation of a replication protected item, derived on read from the simulated clock. */
import { idKey } from '../arm.ts';
import { iso } from '../clock.ts';
import { guidFromText } from '../ids.ts';
import type { Simulation } from '../simulation.ts';
import { currentScenario, runningJob } from './jobs.ts';
import { activeSync, findProcessServer, transferredBytes } from './replication.ts';
import { resourceTypes, segmentAfter } from './resources.ts';
import { allowedItemOperations, protectionStates, testFailoverStates, type ItemOperation } from './states.ts';
import type { ProtectedItem, SyncProgress } from './types.ts';

const criticalRpoSeconds = 30 * 60;

export function allowedOperations(sim: Simulation, item: ProtectedItem): ItemOperation[] {
  if (runningJob(sim, item.currentJobId)) return [];
  return allowedItemOperations(item.protectionState, item.testFailoverState);
}

function syncHealth(sync: SyncProgress | undefined): 'None' | 'InProgress' | 'SlowProgress' | 'NoProgress' {
  if (!sync || sync.completedAt !== undefined) return 'None';
  if (sync.rateBytesPerSecond <= 0) return 'NoProgress';
  return sync.slow ? 'SlowProgress' : 'InProgress';
}

function percentage(sync: SyncProgress | undefined, now: number): number | undefined {
  if (!sync) return undefined;
  if (sync.totalBytes === 0) return 100;
  return Math.floor((transferredBytes(sync, now) / sync.totalBytes) * 100);
}

interface HealthError {
  errorCode: string;
  errorMessage: string;
  possibleCauses: string;
  recommendedAction: string;
  errorLevel: 'Warning' | 'Error';
  errorSource: string;
  errorType: string;
  errorCategory: string;
  summaryMessage: string;
  creationTimeUtc: string;
  entityId: string;
  customerResolvability: 'Allowed' | 'NotAllowed';
}

export function itemHealth(sim: Simulation, item: ProtectedItem, now: number) {
  const fabric = sim.state.fabrics[idKey(item.fabricId)];
  const appliance = fabric && findProcessServer(fabric, item.processServerId);
  const load = sim.replication.applianceLoad(item.processServerId);
  const errors: HealthError[] = [];
  const replicating = item.activeLocation === 'Primary' && item.protectionState !== 'EnablingFailed';
  if (replicating && load.overloadReasons.length > 0) {
    errors.push({
      errorCode: 'ProcessServerOverloaded',
      errorMessage: `Replication appliance '${appliance?.name ?? item.processServerId}' is overloaded: ${load.overloadReasons.join('; ')}.`,
      possibleCauses: 'More machines or more data change are assigned to the appliance than it is sized for.',
      recommendedAction: 'Deploy another replication appliance and switch some protected machines to it.',
      errorLevel: 'Warning',
      errorSource: 'ProcessServer',
      errorType: 'ProcessServerHealth',
      errorCategory: 'Replication',
      summaryMessage: 'Replication appliance overloaded',
      creationTimeUtc: iso(now),
      entityId: item.processServerId,
      customerResolvability: 'Allowed',
    });
  }
  const applianceDown = replicating && appliance !== undefined && sim.faults.applianceDown(appliance.name);
  if (applianceDown) {
    errors.push({
      errorCode: 'ProcessServerNotResponding',
      errorMessage: `Replication appliance '${appliance.name}' is not responding; replication of '${item.friendlyName}' is halted.`,
      possibleCauses: 'The appliance VM is shut down, its services stopped, or it lost network connectivity.',
      recommendedAction:
        'Start the appliance VM and its replication services, then check its connectivity to Azure.',
      errorLevel: 'Error',
      errorSource: 'ProcessServer',
      errorType: 'ProcessServerHealth',
      errorCategory: 'Replication',
      summaryMessage: 'Replication appliance not responding',
      creationTimeUtc: iso(now),
      entityId: item.processServerId,
      customerResolvability: 'Allowed',
    });
  }
  if (item.stalledSince !== undefined && activeSync(item)) {
    errors.push({
      errorCode: 'InitialReplicationNoProgress',
      errorMessage: `Initial replication of '${item.friendlyName}' has made no progress since ${iso(item.stalledSince)}.`,
      possibleCauses:
        'The mobility service cannot reach the process server, or the source disks could not be read (snapshot or changed-block tracking failure).',
      recommendedAction:
        'Check connectivity between the source machine and the replication appliance, then resynchronize the machine (repair replication).',
      errorLevel: 'Error',
      errorSource: 'ProtectedItem',
      errorType: 'ReplicationHealth',
      errorCategory: 'Replication',
      summaryMessage: 'Initial replication is not progressing',
      creationTimeUtc: iso(item.stalledSince),
      entityId: item.id,
      customerResolvability: 'Allowed',
    });
  }
  const rpo = item.protectionState === 'Protected' ? sim.replication.rpoSeconds(item) : 0;
  if (rpo > criticalRpoSeconds) {
    errors.push({
      errorCode: 'RpoThresholdExceeded',
      errorMessage: `The recovery point objective is ${Math.round(rpo / 60)} minutes, above the critical threshold of 30 minutes.`,
      possibleCauses: 'Data change on the source exceeds the upload capacity of the replication appliance.',
      recommendedAction: 'Reduce the appliance load or increase its bandwidth.',
      errorLevel: 'Error',
      errorSource: 'ProtectedItem',
      errorType: 'ReplicationHealth',
      errorCategory: 'Replication',
      summaryMessage: 'RPO threshold exceeded',
      creationTimeUtc: iso(now),
      entityId: item.id,
      customerResolvability: 'Allowed',
    });
  }
  if (item.protectionState === 'EnablingFailed' || item.protectionState === 'UnplannedFailoverFailed') {
    const job = item.lastJobId === undefined ? undefined : sim.state.jobs[idKey(item.lastJobId)];
    errors.push({
      errorCode: job?.failure?.code ?? 'OperationFailed',
      errorMessage: job?.failure?.message ?? 'The last operation on the protected item failed.',
      possibleCauses: job?.failure?.possibleCauses ?? '',
      recommendedAction: job?.failure?.recommendedAction ?? 'Retry the operation.',
      errorLevel: 'Error',
      errorSource: 'ProtectedItem',
      errorType: 'JobFailure',
      errorCategory: 'Replication',
      summaryMessage: 'Last operation failed',
      creationTimeUtc: iso(job?.endTime ?? now),
      entityId: item.id,
      customerResolvability: 'Allowed',
    });
  }
  const replicationHealth = errors.some((error) => error.errorLevel === 'Error')
    ? 'Critical'
    : errors.length > 0 || syncHealth(activeSync(item)) === 'SlowProgress'
      ? 'Warning'
      : 'Normal';
  return { errors, replicationHealth, rpo };
}

export function itemResource(sim: Simulation, item: ProtectedItem) {
  const now = sim.now();
  const fabric = sim.state.fabrics[idKey(item.fabricId)];
  const container = sim.state.containers[idKey(item.containerId)];
  const policy = sim.state.policies[idKey(item.policyId)];
  const source = sim.state.sourceVms[item.sourceVmId];
  const appliance = fabric && findProcessServer(fabric, item.processServerId);
  const health = itemHealth(sim, item, now);
  const initial = item.initialSync;
  const resync = item.resync;
  const protectedState = item.protectionState === 'Protected';
  const rpoTime = Math.floor(now / 60_000) * 60_000;
  const lastRecoveryPointReceived = protectedState ? now - health.rpo * 1000 : undefined;
  const diskShare = (bytes: number, used: number, total: number) =>
    total === 0 ? 0 : Math.floor((bytes * used) / total);
  const syncDetails = (sync: SyncProgress | undefined, used: number) => {
    if (!sync) return undefined;
    const moved = transferredBytes(sync, now);
    const share = diskShare(moved, used, sync.totalBytes);
    return {
      progressHealth: syncHealth(sync),
      transferredBytes: share,
      last15MinutesTransferredBytes:
        sync.completedAt === undefined
          ? Math.floor((sync.rateBytesPerSecond * 900 * used) / (sync.totalBytes || 1))
          : 0,
      lastDataTransferTimeUtc: iso(sync.completedAt ?? now),
      processedBytes: share,
      startTime: iso(sync.startedAt),
      lastRefreshTime: iso(now),
      progressPercentage: percentage(sync, now) ?? 0,
    };
  };
  return {
    id: item.id,
    name: item.name,
    type: resourceTypes.item,
    location: sim.state.vaults[idKey(item.vaultId)]?.location,
    properties: {
      friendlyName: item.friendlyName,
      protectedItemType: 'InMageRcm',
      protectableItemId: '',
      recoveryServicesProviderId: '',
      primaryFabricFriendlyName: fabric?.name,
      primaryFabricProvider: 'InMageRcmFabric',
      recoveryFabricFriendlyName: 'Microsoft Azure',
      recoveryFabricId: 'Microsoft Azure',
      primaryProtectionContainerFriendlyName: container?.name,
      recoveryProtectionContainerFriendlyName: 'Microsoft Azure',
      protectionState: item.protectionState,
      // As ReplicationProtectedItems_TestFailover's example: Protected, "Cleanup test failover pending".
      protectionStateDescription:
        item.testFailoverState === 'WaitingForCompletion' && item.protectionState === 'Protected'
          ? 'Cleanup test failover pending'
          : protectionStates[item.protectionState],
      activeLocation: item.activeLocation,
      testFailoverState: item.testFailoverState,
      testFailoverStateDescription: testFailoverStates[item.testFailoverState],
      allowedOperations: allowedOperations(sim, item),
      replicationHealth: health.replicationHealth,
      failoverHealth: item.protectionState === 'Protected' ? 'Normal' : 'None',
      healthErrors: health.errors,
      policyId: item.policyId,
      policyFriendlyName: policy?.name,
      lastSuccessfulFailoverTime: item.lastSuccessfulFailoverTime && iso(item.lastSuccessfulFailoverTime),
      lastSuccessfulTestFailoverTime:
        item.lastSuccessfulTestFailoverTime && iso(item.lastSuccessfulTestFailoverTime),
      currentScenario: currentScenario(sim, item.vaultId, item.currentJobId),
      failoverRecoveryPointId: item.failoverRecoveryPointId,
      recoveryContainerId: 'Microsoft Azure',
      providerSpecificDetails: {
        instanceType: 'InMageRcm',
        internalIdentifier: guidFromText(`internal:${item.id}`),
        fabricDiscoveryMachineId: item.machineId,
        multiVmGroupName: item.target.multiVmGroupName ?? item.name,
        discoveryType: 'vCenter',
        processServerId: item.processServerId,
        processorCoreCount: source?.cpus,
        allocatedMemoryInMB: source?.memoryMiB,
        processServerName: appliance?.name,
        runAsAccountId: item.target.runAsAccountId,
        osType: source && /windows/i.test(source.os) ? 'Windows' : 'Linux',
        firmwareType: 'BIOS',
        targetGeneration: 'Gen1',
        licenseType: item.target.licenseType ?? 'NotSpecified',
        targetVmName: item.target.vmName,
        targetVmSize: item.target.vmSize,
        targetResourceGroupId: item.target.resourceGroupId,
        targetLocation: sim.state.vaults[idKey(item.vaultId)]?.location,
        targetAvailabilitySetId: item.target.availabilitySetId,
        targetAvailabilityZone: item.target.availabilityZone,
        targetProximityPlacementGroupId: item.target.proximityPlacementGroupId,
        targetBootDiagnosticsStorageAccountId: item.target.bootDiagnosticsStorageAccountId,
        targetNetworkId: item.target.networkId,
        testNetworkId: item.target.testNetworkId,
        failoverRecoveryPointId: item.failoverRecoveryPointId,
        lastRecoveryPointReceived: lastRecoveryPointReceived && iso(lastRecoveryPointReceived),
        lastRpoInSeconds: protectedState ? health.rpo : undefined,
        lastRpoCalculatedTime: protectedState ? iso(rpoTime) : undefined,
        lastRecoveryPointId: protectedState ? sim.replication.currentRecoveryPointId(item, now) : undefined,
        initialReplicationProgressPercentage: percentage(initial, now),
        initialReplicationProcessedBytes: initial && transferredBytes(initial, now),
        initialReplicationTransferredBytes: initial && transferredBytes(initial, now),
        initialReplicationProgressHealth: syncHealth(initial),
        resyncProgressPercentage: percentage(resync, now),
        resyncProcessedBytes: resync && transferredBytes(resync, now),
        resyncTransferredBytes: resync && transferredBytes(resync, now),
        resyncProgressHealth: syncHealth(resync),
        resyncRequired: 'false',
        resyncState: !resync
          ? 'None'
          : resync.completedAt === undefined
            ? 'StartedResynchronization'
            : 'None',
        agentUpgradeState: 'None',
        protectedDisks: item.disks.map((disk) => ({
          diskId: disk.diskId,
          diskName: disk.diskName,
          isOSDisk: String(disk.isOSDisk),
          capacityInBytes: disk.capacityBytes,
          logStorageAccountId: disk.logStorageAccountId,
          diskEncryptionSetId: disk.diskEncryptionSetId,
          seedManagedDiskId: `${item.target.resourceGroupId}/providers/Microsoft.Compute/disks/${item.target.vmName}-${disk.diskId}-seed`,
          diskType: disk.diskType,
          dataPendingInLogDataStoreInMB: 0,
          dataPendingAtSourceAgentInMB: 0,
          isInitialReplicationComplete: String(initial?.completedAt !== undefined),
          irDetails: syncDetails(initial, disk.usedBytes),
          resyncDetails: syncDetails(resync, disk.usedBytes),
        })),
        // Until an agent is registered (a push install still running, or none to replicate with) there is none to describe.
        mobilityAgentDetails:
          source && !source.noMobilityAgent
            ? {
                version: '9.60.7001.1',
                latestVersion: '9.60.7001.1',
                driverVersion: '9.60.7001.1',
                lastHeartbeatUtc: iso(now),
                isUpgradeable: 'false',
              }
            : undefined,
        vmNics: [],
        discoveredVmDetails: source && {
          vCenterId: source.vcenter,
          vCenterFqdn: source.vcenter,
          datastores: ['datastore1'],
          ipAddresses: [],
          vmwareToolsStatus: 'OK',
          powerStatus: source.powerState === 'POWERED_ON' ? 'ON' : 'OFF',
          vmFqdn: `${source.name}.${segmentAfter(item.machineId, 'VMwareSites')}`,
          osName: source.os,
          createdTimestamp: iso(item.createdAt),
          updatedTimestamp: iso(now),
          isDeleted: false,
          lastDiscoveryTimeInUtc: iso(now),
        },
      },
    },
  };
}
