import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { BatchPhase, DatabasePhase } from '../domain/migration.ts';

/** Search attributes registered on the Temporal server so waves and batches are listable. */
export const waveIdKey = defineSearchAttributeKey('MigrationWave', SearchAttributeType.KEYWORD);
export const batchIdKey = defineSearchAttributeKey('MigrationBatch', SearchAttributeType.KEYWORD);
export const phaseKey = defineSearchAttributeKey('MigrationPhase', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [waveIdKey, batchIdKey, phaseKey];

/**
 * A batch publishes its stage, not every phase, as `MigrationPhase`: each upsert is a billable action,
 * and operators list batches by stage (the exact phase is in the batch's query). Every stage is itself a
 * phase name, so `MigrationPhase = 'awaiting-operator'` finds every held batch.
 */
export function batchStage(phase: BatchPhase): BatchPhase {
  switch (phase) {
    case 'pending':
    case 'enabling-replication':
      return 'replicating';
    case 'creating-recovery-plan':
    case 'validating':
    case 'test-failover-cleanup':
      return 'test-failover';
    case 'cutting-over-databases':
    case 'verifying-cutover':
    case 'validating-cutover':
    case 'committing':
    case 'completing-migration':
      return 'cutover';
    default:
      return phase;
  }
}

/** A database publishes its stage as `MigrationPhase`, for the same reasons as a batch. */
export function databaseStage(phase: DatabasePhase): DatabasePhase {
  switch (phase) {
    case 'pending':
    case 'awaiting-cutover':
      return 'migrating';
    case 'verifying':
    case 'scaling-down':
      return 'cutting-over';
    default:
      return phase;
  }
}
