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
  'test-failover-cleanup',
  'cutover',
  'verifying-cutover',
  'committing',
  'completing-migration',
  'completed',
  'failed',
] as const;
export type BatchPhase = (typeof batchPhases)[number];

export type VmOutcome = 'migrated' | 'failed-needs-attention';

export interface BatchResult {
  batchId: string;
  phase: BatchPhase;
  vms: { name: string; outcome: VmOutcome; reason?: string }[];
}

export interface WaveResult {
  waveId: string;
  batches: BatchResult[];
  migrated: number;
  failed: number;
}
