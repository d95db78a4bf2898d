/** Queries and signals of the migration workflows: the contract the CLI and parent workflows rely on. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BatchPhase, VmReplicationStatus } from '../domain/migration.ts';

export interface BatchProgress {
  batchId: string;
  phase: BatchPhase;
  /** Why the batch is in this phase when it is not the happy path. */
  detail?: string;
  vms: VmReplicationStatus[];
  updatedAt: string;
}

export interface WaveProgress {
  waveId: string;
  phase: 'discovering' | 'running-batches' | 'completed' | 'failed';
  batches: { batchId: string; phase: BatchPhase; workflowId: string }[];
}

export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
export const waveProgressQuery = defineQuery<WaveProgress>('waveProgress');
/** Sent by a batch to its wave on every phase change so the wave's progress stays current. */
export const batchPhaseSignal = defineSignal<[{ batchId: string; phase: BatchPhase }]>('batchPhase');
