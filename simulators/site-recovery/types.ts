/**
 * Persisted Site Recovery entities. Everything here is plain JSON (it is snapshotted to disk);
 * derived values (progress, RPO, health, allowed operations) are computed on read from the clock.
 * Times are simulated epoch milliseconds.
 */
import type { SourceDisk } from '../../domain/estate.ts';
import type { ProtectionState, TestFailoverState } from './states.ts';

export interface Vault {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
}

export interface ProcessServer {
  /** GUID; the `processServerId` of the InMageRcm enable input. */
  id: string;
  name: string;
  fqdn: string;
  bandwidthMbps: number;
}

export interface Fabric {
  id: string;
  vaultId: string;
  name: string;
  vmwareSiteName: string;
  vmwareSiteId: string;
  vcenter: string;
  uplinkMbps: number;
  processServers: ProcessServer[];
  createdAt: number;
  /** Bumped whenever transfer rates are re-derived, so stale "transfers due" events are ignored. */
  transferVersion?: number;
}

export interface Container {
  id: string;
  vaultId: string;
  fabricId: string;
  name: string;
}

export interface Policy {
  id: string;
  vaultId: string;
  name: string;
  recoveryPointHistoryInMinutes: number;
  crashConsistentFrequencyInMinutes: number;
  appConsistentFrequencyInMinutes: number;
  enableMultiVmSync: 'True' | 'False';
}

export interface ContainerMapping {
  id: string;
  containerId: string;
  name: string;
  policyId: string;
}

/** An Azure Migrate discovered machine (Microsoft.OffAzure/VMwareSites/{site}/machines/{id}). */
export interface DiscoveredMachine {
  id: string;
  fabricId: string;
  /** vCenter VM id (`vm-1001`) of the machine on the source platform. */
  sourceVmId: string;
}

export type PowerState = 'POWERED_ON' | 'POWERED_OFF';

export interface SourceVmRecord {
  vmId: string;
  vcenter: string;
  name: string;
  uuid: string;
  os: string;
  cpus: number;
  memoryMiB: number;
  disks: SourceDisk[];
  churnMiBPerDay: number;
  powerState: PowerState;
  /**
   * Set while the machine has no registered mobility agent (seeded without one, or removed through the
   * admin API); cleared when an enable pushes one. Absent: installed, as on every machine seeded by default
   * (and in snapshots taken before agents were modelled).
   */
  noMobilityAgent?: true;
}

export interface ProtectedDisk {
  diskId: string;
  diskName: string;
  isOSDisk: boolean;
  capacityBytes: number;
  usedBytes: number;
  diskType: string;
  logStorageAccountId: string;
  diskEncryptionSetId?: string;
}

export interface TargetSettings {
  resourceGroupId: string;
  vmName: string;
  vmSize?: string;
  networkId?: string;
  testNetworkId?: string;
  subnetName?: string;
  testSubnetName?: string;
  licenseType?: string;
  availabilitySetId?: string;
  availabilityZone?: string;
  proximityPlacementGroupId?: string;
  bootDiagnosticsStorageAccountId?: string;
  multiVmGroupName?: string;
  runAsAccountId?: string;
}

/**
 * A data transfer (initial replication or resync) sharing appliance and uplink bandwidth. Bytes move at
 * `rateBytesPerSecond` since `checkpointAt`; the rate is re-derived whenever the set of transfers changes.
 */
export interface SyncProgress {
  kind: 'initial' | 'resync';
  startedAt: number;
  checkpointAt: number;
  checkpointBytes: number;
  totalBytes: number;
  rateBytesPerSecond: number;
  /** Appliance efficiency below 1: overloaded appliance, reported as SlowProgress. */
  slow: boolean;
  completedAt?: number;
}

export interface ProtectedItem {
  id: string;
  vaultId: string;
  fabricId: string;
  containerId: string;
  name: string;
  friendlyName: string;
  machineId: string;
  sourceVmId: string;
  policyId: string;
  processServerId: string;
  target: TargetSettings;
  disks: ProtectedDisk[];
  protectionState: ProtectionState;
  testFailoverState: TestFailoverState;
  activeLocation: 'Primary' | 'Recovery';
  currentJobId?: string;
  lastJobId?: string;
  initialSync?: SyncProgress;
  resync?: SyncProgress;
  /** Set by an injected replication stall: the initial replication makes no progress until repaired. */
  stalledSince?: number;
  lastSuccessfulFailoverTime?: number;
  lastSuccessfulTestFailoverTime?: number;
  failoverRecoveryPointId?: string;
  testVmId?: string;
  targetVmId?: string;
  createdAt: number;
}

export type RecoveryPlanGroupType = 'Shutdown' | 'Failover' | 'Boot';

export interface RecoveryPlanGroup {
  groupType: RecoveryPlanGroupType;
  replicationProtectedItems: { id: string; virtualMachineId?: string }[];
  startGroupActions: unknown[];
  endGroupActions: unknown[];
}

export interface RecoveryPlan {
  id: string;
  vaultId: string;
  name: string;
  primaryFabricId: string;
  recoveryFabricId: string;
  failoverDeploymentModel: string;
  groups: RecoveryPlanGroup[];
  currentJobId?: string;
  lastJobId?: string;
  lastTestFailoverTime?: number;
  lastUnplannedFailoverTime?: number;
  createdAt: number;
}

/** Something a job does to the world when one of its tasks ends. */
export type Effect =
  | { type: 'enableCompleted'; itemId: string }
  | { type: 'powerOffSource'; itemId: string }
  | { type: 'mobilityAgentInstalled'; itemId: string }
  | { type: 'enableFailed'; itemId: string }
  | { type: 'testFailoverCompleted'; itemId: string; networkId?: string }
  | { type: 'testFailoverFailed'; itemId: string }
  | { type: 'failoverFailed'; itemId: string }
  | { type: 'testFailoverCleanedUp'; itemId: string }
  | { type: 'failoverCompleted'; itemId: string }
  | { type: 'failoverCancelled'; itemId: string }
  | { type: 'commitCompleted'; itemId: string }
  | { type: 'commitFailed'; itemId: string }
  | { type: 'resyncStarted'; itemId: string }
  | { type: 'itemRemoved'; itemId: string; migrationComplete: boolean }
  | { type: 'itemPurged'; itemId: string };

export interface JobTask {
  taskId: string;
  name: string;
  friendlyName: string;
  startTime: number;
  endTime: number;
  effects: Effect[];
}

export interface JobFailure {
  taskIndex: number;
  code: string;
  message: string;
  possibleCauses: string;
  recommendedAction: string;
  /** Applied instead of the failed task's effects (e.g. state becomes UnplannedFailoverFailed). */
  effects: Effect[];
}

export interface Job {
  id: string;
  vaultId: string;
  name: string;
  activityId: string;
  scenarioName: string;
  friendlyName: string;
  targetObjectId: string;
  targetObjectName: string;
  targetInstanceType: 'ProtectionEntity' | 'RecoveryPlan';
  customInstanceType: 'AsrJobDetails' | 'TestFailoverJobDetails' | 'FailoverJobDetails';
  startTime: number;
  endTime: number;
  tasks: JobTask[];
  failure?: JobFailure;
  /** Protected items this job holds (their currentScenario points here while it runs). */
  itemIds: string[];
  planId?: string;
  finished: boolean;
  /**
   * A test failover job does not end when its tasks do: it waits `Suspended` (WaitingForStopTestFailover)
   * until test failover cleanup resumes and ends it, as Azure's jobs do.
   */
  waitsForCleanup?: boolean;
  suspended?: boolean;
}

export interface TargetVm {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  kind: 'test' | 'failover';
  itemId: string;
  machineId: string;
  sourceVmId: string;
  vmSize: string;
  networkId?: string;
  osType: 'Windows' | 'Linux';
  createdAt: number;
  /** ARM tags on the VM (`Microsoft.Resources/tags` and the VM's own `tags`); the factory's landing sets them. */
  tags: Record<string, string>;
}

export interface CompletedMigration {
  itemId: string;
  machineId: string;
  sourceVmId: string;
  targetVmId?: string;
  at: number;
}
