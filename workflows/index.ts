/** Entry point of the workflow bundle: every workflow the workers run. */
export { migrationBatch } from './batch.ts';
export { migrationWave } from './wave.ts';
