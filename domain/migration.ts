/** Data that flows between migration workflows and activities. Small, serialisable, pure. */
import type { Tier } from './estate.ts';

/** The Site Recovery objects a wave replicates into, discovered once per wave. */
export interface ReplicationSite {
  fabricName: string;
  containerName: string;
  policyId: string;
  fabricId: string;
  processServers: { id: string; name: string }[];
}

/** Where replicated VMs land in Azure. */
export interface TargetSettings {
  resourceGroupId: string;
  networkId: string;
  subnetName: string;
  testNetworkId: string;
  logStorageAccountId: string;
}

export interface BatchVm {
  name: string;
  /** Azure Migrate discovered machine ARM id. */
  machineId: string;
  tier: Tier;
  appliance: string;
  targetVmSize?: string;
}

export interface BatchSpec {
  waveId: string;
  batchId: string;
  vms: BatchVm[];
}

export type VmReplicationState =
  | 'absent'
  | 'enabling'
  | 'replicating'
  | 'protected'
  | 'failing-over'
  | 'failed-over'
  | 'committed'
  | 'error';

export interface VmReplicationStatus {
  name: string;
  state: VmReplicationState;
  protectionState: string;
  replicationHealth: string;
  initialReplicationPercent: number;
  progressHealth: string;
  rpoSeconds?: number;
  activeLocation?: string;
  testFailoverState?: string;
  healthErrors: { code: string; message: string; recommendedAction?: string }[];
}

export const batchPhases = [
  'pending',
  'enabling-replication',
  'replicating',
  'creating-recovery-plan',
  'test-failover',
  'validating',
  'test-failover-cleanup',
  'awaiting-cutover-window',
  'cutover',
  'verifying-cutover',
  'validating-cutover',
  'committing',
  'completing-migration',
  'completed',
  'awaiting-operator',
  'rolling-back',
  'rolled-back',
] as const;
export type BatchPhase = (typeof batchPhases)[number];

/** Where one VM stands in its batch, independent of Azure's replication state. */
export type VmDisposition =
  | 'active'
  /** Failed a step; waits for an operator's retry or skip. */
  | 'parked'
  /** Deferred to a later wave by an operator. */
  | 'skipped'
  | 'migrated'
  | 'rolled-back';

/** Every VM ends in exactly one of these, with a reason when it is not `migrated`. */
export type VmOutcome = 'migrated' | 'rolled-back' | 'deferred' | 'failed-needs-attention';

export interface BatchResult {
  batchId: string;
  phase: BatchPhase;
  vms: { name: string; outcome: VmOutcome; reason?: string; errorCode?: string }[];
}

/** The state of a VM before anything is known from Azure. */
export const notYetReplicating = (name: string): VmReplicationStatus => ({
  name,
  state: 'absent',
  protectionState: 'None',
  replicationHealth: 'None',
  initialReplicationPercent: 0,
  progressHealth: 'None',
  healthErrors: [],
});

export interface WaveResult {
  waveId: string;
  batches: BatchResult[];
  counts: Record<VmOutcome, number>;
}

export function countOutcomes(batches: BatchResult[]): Record<VmOutcome, number> {
  const counts: Record<VmOutcome, number> = {
    migrated: 0,
    'rolled-back': 0,
    deferred: 0,
    'failed-needs-attention': 0,
  };
  for (const vm of batches.flatMap((b) => b.vms)) counts[vm.outcome] += 1;
  return counts;
}

/** A probe that proves a migrated (or test-failed-over) application answers. */
export type ValidationCheck =
  | { name: string; kind: 'http'; url: string; expectStatus?: number }
  | { name: string; kind: 'tcp'; host: string; port: number };

export interface ValidationResult {
  name: string;
  ok: boolean;
  detail: string;
}
