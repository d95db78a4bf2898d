/** Queries, signals and updates of the migration workflows: the contract the CLI and parent workflows use. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { WaveGate } from '../domain/plan/wave-gate.ts';
import type { OperatorStamp } from './operator-stamp.ts';
import type {
  BatchPhase,
  BatchResult,
  DatabaseEngine,
  DatabaseMigrationStatus,
  DatabaseOutcome,
  DatabasePhase,
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
  phase:
    | 'loading'
    | 'gate-refused'
    | 'awaiting-approval'
    | 'discovering'
    | 'running-batches'
    | 'completed'
    | 'failed'
    | 'cancelled';
  /** Why the wave waits, in words an operator can act on. */
  detail?: string;
  batches: { batchId: string; phase: BatchPhase; workflowId: string; vmCount: number }[];
  /** The assessment gate as last evaluated (VMs not Ready and not waived, capacity violations). */
  gate?: WaveGate;
  approval?: { by: string; reason: string; ticket?: string };
  maxConcurrentBatches?: number;
}

/**
 * Who asked for an operator action and why; recorded in the workflow history as the audit trail. A
 * workflow started with trusted stamp keys refuses an action without the factory server's signed `stamp`
 * (over the update's name, the workflow id and this action without `stamp`), and requires `by` to be the
 * stamp's verified identity name.
 */
export interface OperatorAction {
  by: string;
  reason: string;
  ticket?: string;
  stamp?: OperatorStamp;
}

export const batchProgressQuery = defineQuery<BatchProgress>('batchProgress');
export const waveProgressQuery = defineQuery<WaveProgress>('waveProgress');
/** Sent by a batch to its wave when it ends (also after a rollback), with every VM's outcome. */
export const batchFinishedSignal = defineSignal<[BatchResult]>('batchFinished');
/**
 * Approve a wave; waivers let named VMs that are not Ready pass the gate, preflight waivers let named
 * failing preflight checks (`preflightCheckNames`) pass it, each with a reason.
 */
export type ApproveWaveAction = OperatorAction & {
  waivers?: { server: string; reason: string }[];
  preflightWaivers?: { check: string; reason: string }[];
  acceptCapacityViolations?: boolean;
};
export const approveWaveUpdate = defineUpdate<string, [ApproveWaveAction]>('approveWave');
export const setBatchConcurrencyUpdate = defineUpdate<
  string,
  [OperatorAction & { maxConcurrentBatches: number }]
>('setBatchConcurrency');
/**
 * Cancel a wave (lead, with a reason): the wave stops starting batches and cancels the running ones, which
 * roll back what is not committed, exactly as when the wave's workflow is cancelled; it ends `cancelled`.
 */
export const cancelWaveUpdate = defineUpdate<string, [OperatorAction]>('cancelWave');
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
/** Open the cutover window now; outside the planned window only with `force` (and, signed, the lead role). */
export const openCutoverUpdate = defineUpdate<string, [OperatorAction & { force?: boolean }]>('openCutover');
/** Human sign-off of the test failover, when the batch requires one. */
export const signOffUpdate = defineUpdate<string, [OperatorAction & { approved: boolean }]>(
  'signOffValidation',
);

export interface DatabaseProgress {
  databaseId: string;
  name: string;
  engine: DatabaseEngine;
  application: string;
  mode: 'online' | 'offline';
  phase: DatabasePhase;
  /** Why the database waits, or how it ended. */
  detail?: string;
  /** Azure's own status string of the current migration. */
  migrationStatus?: string;
  /** The latest reading: state, copy percentage, pending log backups / changes, blocking reason, error. */
  migration?: DatabaseMigrationStatus;
  /** The pending cutover request (from the application's batch or an operator). */
  cutoverRequest?: { by: string; reason: string; at: string };
  cutoverCompleted: boolean;
  lastError?: { code: string; message: string };
  outcome?: DatabaseOutcome;
  updatedAt: string;
}

export const databaseProgressQuery = defineQuery<DatabaseProgress>('databaseProgress');
/**
 * The signed operator action that moved a batch's cutover outside its planned window (a forced
 * `openCutover` or a `postponeCutover` past the window), forwarded by the batch to its databases so they
 * can check it themselves: workflows cannot send updates to each other, and a bare signal proves nothing.
 */
export interface CutoverAuthorization {
  update: 'openCutover' | 'postponeCutover';
  /** The update's argument without its stamp, as it was signed. */
  args: Omit<OperatorAction, 'stamp'> & { force?: boolean; until?: string };
  stamp: OperatorStamp;
}
/**
 * Sent by the application's batch when its cutover window opens: the database cuts over as soon as its
 * migration is ready (at once if it already is). Ignored by offline migrations and after the cutover. A
 * database that checks stamps accepts it only inside its planned window, or with `authorization`.
 */
export const databaseCutoverSignal =
  defineSignal<[{ by: string; reason: string; authorization?: CutoverAuthorization }]>('databaseCutover');
/**
 * Operator: cut a ready database over now; refused unless it is ready for cutover. Outside its batch's
 * planned window only with `force` (and, signed, the lead role).
 */
export const cutoverDatabaseNowUpdate = defineUpdate<string, [OperatorAction & { force?: boolean }]>(
  'cutoverDatabaseNow',
);
/**
 * Sent by a database workflow to its `notifyWorkflowId`: after a verified cutover (`migrated`), after a
 * rollback (`rolled-back`), and when a requested cutover failed and the database waits for an operator
 * (`failed-needs-attention`; a later retry sends the signal again).
 */
export const databaseCutoverDoneSignal =
  defineSignal<[{ databaseId: string; outcome: DatabaseOutcome }]>('databaseCutoverDone');
/**
 * Sent by the wave to a batch started with `databasesStartPending` once every one of its database
 * workflows has started (or failed to): the batch signals them at cutover, which needs them to exist.
 */
export const databasesStartedSignal = defineSignal('databasesStarted');
