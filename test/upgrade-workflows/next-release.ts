/**
 * The workflows of a hypothetical next release, for test/integration/upgrade.test.ts: the wave, batch and
 * database workflows each gain an opening step (a timer) that open runs have already passed, so it is
 * guarded by `patched()` as docs/upgrades.md requires. Everything else is the current code.
 */
import { patched, sleep } from '@temporalio/workflow';
import type {
  BatchWorkflowInput,
  DatabaseWorkflowInput,
  WaveWorkflowInput,
} from '../../contracts/workflow-inputs.ts';
import { migrationBatch as currentBatch } from '../../workflows/batch.ts';
import { migrationDatabase as currentDatabase } from '../../workflows/database.ts';
import { migrationWave as currentWave } from '../../workflows/wave.ts';

export { factoryRefusalAudit, notifyEvent } from '../../workflows/index.ts';

/** The test release's patch id (a real release adds its entry to workflows/patches.ts). */
export const openingStepPatch = 'upgrade-test-opening-step';

async function openingStep(): Promise<void> {
  if (patched(openingStepPatch)) await sleep(1);
}

export async function migrationWave(input: WaveWorkflowInput) {
  await openingStep();
  return currentWave(input);
}

export async function migrationBatch(input: BatchWorkflowInput) {
  await openingStep();
  return currentBatch(input);
}

export async function migrationDatabase(input: DatabaseWorkflowInput) {
  await openingStep();
  return currentDatabase(input);
}
