/** Entry point of the workflow bundle: every workflow the workers run. */
export { migrationBatch } from './batch.ts';
export { migrationDatabase } from './database.ts';
export { migrationWave } from './wave.ts';
export { factoryRefusalAudit } from './refusal-audit.ts';
export { notifyEvent } from './notify.ts';
