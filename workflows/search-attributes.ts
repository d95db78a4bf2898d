import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes registered on the Temporal server so waves and batches are listable. */
export const waveIdKey = defineSearchAttributeKey('MigrationWave', SearchAttributeType.KEYWORD);
export const batchIdKey = defineSearchAttributeKey('MigrationBatch', SearchAttributeType.KEYWORD);
export const phaseKey = defineSearchAttributeKey('MigrationPhase', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [waveIdKey, batchIdKey, phaseKey];
