/** Reads a wave and its batches through their queries (batches concurrently, bounded) into a WaveSnapshot. */
import type { WorkflowHandle } from '@temporalio/client';
import { batchProgressQuery, waveProgressQuery, type BatchProgress } from '../../contracts/messages.ts';
import type { Temporal } from './connection.ts';
import { type EtaTracker, mapBounded } from './progress-format.ts';
import { batchView, countPhases, countVms, decisionsOf, type WaveSnapshot } from './wave-view.ts';

/** Batch queries in flight at once: enough for 1,000 VMs (10+ batches) in one round trip, gentle on the server. */
const QUERY_CONCURRENCY = 16;

async function queryBatch(temporal: Temporal, workflowId: string): Promise<BatchProgress | undefined> {
  try {
    return await temporal.client.workflow.getHandle(workflowId).query(batchProgressQuery);
  } catch (error) {
    // Not started yet (the wave starts batches as concurrency allows), or started and still loading its
    // spec from the plan: its query handler is registered once it has it.
    if (
      error instanceof Error &&
      (error.name === 'WorkflowNotFoundError' || error.name === 'QueryNotRegisteredError')
    )
      return undefined;
    throw error;
  }
}

export async function waveSnapshot(
  temporal: Temporal,
  handle: WorkflowHandle,
  eta?: EtaTracker,
): Promise<WaveSnapshot> {
  const [wave, description] = await Promise.all([handle.query(waveProgressQuery), handle.describe()]);
  const progresses = await mapBounded(wave.batches, QUERY_CONCURRENCY, (b) =>
    b.phase === 'pending' && wave.phase !== 'running-batches'
      ? Promise.resolve(undefined)
      : queryBatch(temporal, b.workflowId),
  );
  const now = Date.now();
  const batches = wave.batches.map((entry, i) => {
    const view = batchView(entry, progresses[i], temporal.workflowUrl(entry.workflowId));
    const etaSeconds =
      view.replicationPercent === undefined
        ? undefined
        : eta?.observe(view.batchId, view.replicationPercent, now);
    return etaSeconds === undefined ? view : { ...view, etaSeconds };
  });
  return {
    waveId: wave.waveId,
    workflowId: handle.workflowId,
    url: temporal.workflowUrl(handle.workflowId),
    status: description.status.name,
    phase: wave.phase,
    ...(wave.detail ? { detail: wave.detail } : {}),
    ...(wave.approval ? { approval: wave.approval } : {}),
    ...(wave.maxConcurrentBatches === undefined ? {} : { maxConcurrentBatches: wave.maxConcurrentBatches }),
    ...(wave.gate ? { gate: wave.gate } : {}),
    vmCount: wave.batches.reduce((sum, b) => sum + b.vmCount, 0),
    vms: countVms(batches),
    batchesByPhase: countPhases(batches),
    batches,
    decisions: decisionsOf(wave, batches),
    takenAt: new Date(now).toISOString(),
  };
}
