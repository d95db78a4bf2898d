/** Workflow IDs are business keys: one running wave, batch or database migration per key. */
export const waveWorkflowId = (waveId: string) => `wave-${waveId}`;
export const batchWorkflowId = (batchId: string) => `batch-${batchId}`;
export const databaseWorkflowId = (databaseId: string) => `database-${databaseId}`;
/** The Site Recovery recovery plan that carries one batch. */
export const recoveryPlanName = (batchId: string) => `rp-${batchId}`;

export const workflowTypes = {
  wave: 'migrationWave',
  batch: 'migrationBatch',
  database: 'migrationDatabase',
} as const;
