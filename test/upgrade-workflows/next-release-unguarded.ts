/**
 * The same change as next-release.ts WITHOUT its `patched()` guard: what docs/upgrades.md forbids. The
 * upgrade test replays an old-started wave against it to show the guard is what keeps old runs replaying.
 */
import { sleep } from '@temporalio/workflow';
import type { WaveWorkflowInput } from '../../contracts/workflow-inputs.ts';
import { migrationWave as currentWave } from '../../workflows/wave.ts';

export {
  factoryRefusalAudit,
  migrationBatch,
  migrationDatabase,
  notifyEvent,
} from '../../workflows/index.ts';

export async function migrationWave(input: WaveWorkflowInput) {
  await sleep(1);
  return currentWave(input);
}
