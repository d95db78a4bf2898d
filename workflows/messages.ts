/** Queries, signals and updates of the migration workflows: the contract the CLI and parent workflows use. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  BatchPhase,
  ValidationResult,
  VmDisposition,
  VmReplicationStatus,
} from '../domain/migration.ts';

export interface VmProgress extends VmReplicationStatus {
  disposition: VmDisposition;
  /** Why the VM is parked, skipped or failed, with Azure's error code when there is one. */
  reason?: string;
  errorCode?: string;
}

export interface BatchProgress {
  batchId: string;
  phase: BatchPhase;
  /** Why the batch waits for an operator, or why it ended the way it did. */
  detail?: string;
  paused: boolean;
  /** When the cutover window opens (ISO), if the batch has one. */
  cutoverAt?: string;
  vms: VmProgress[];
  counts: Partial<Record<VmDisposition, number>>;
  /** Results of the latest validation checks. */
  validation?: ValidationResult[];
  updatedAt: string;
}

export interface WaveProgress {
  waveId: string;
  phase: 'discovering' | 'running-batches' | 'completed' | 'failed' | 'cancelled';
  batches: { batchId: string; phase: BatchPhase; workflowId: string }[];
}

/** Who asked for an operator action and why; recorded in the workflow history as the audit trail. */
export interface OperatorAction {
  by: string;
  reason: string;
  ticket?: string;
}

export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
export const waveProgressQuery = defineQuery<WaveProgress>('waveProgress');
/** Sent by a batch to its wave on every phase change so the wave's progress stays current. */
export const batchPhaseSignal = defineSignal<[{ batchId: string; phase: BatchPhase }]>('batchPhase');

/** Re-run the failed step for the named parked VMs, or for the whole batch when it is held after a failure. */
export const retryUpdate = defineUpdate<string, [OperatorAction & { vmNames?: string[] }]>('retry');
/** Defer VMs to a later wave: their replication is disabled and they leave this batch. */
export const skipUpdate = defineUpdate<string, [OperatorAction & { vmNames: string[] }]>('skip');
/** Return the batch to a clean state; refused once the failover is committed. */
export const rollbackUpdate = defineUpdate<string, [OperatorAction]>('rollback');
export const pauseUpdate = defineUpdate<string, [OperatorAction]>('pause');
export const resumeUpdate = defineUpdate<string, [OperatorAction]>('resume');
/** Move the cutover to a later time (ISO). */
export const postponeCutoverUpdate = defineUpdate<string, [OperatorAction & { until: string }]>(
  'postponeCutover',
);
/** Open the cutover window now; outside the planned window only with `force`. */
export const openCutoverUpdate = defineUpdate<string, [OperatorAction & { force?: boolean }]>('openCutover');
/** Human sign-off of the test failover, when the batch requires one. */
export const signOffUpdate = defineUpdate<string, [OperatorAction & { approved: boolean }]>(
  'signOffValidation',
);
