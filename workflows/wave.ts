import {
  CancellationScope,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SiteRecoveryActivities } from '../activities/site-recovery.ts';
import {
  countOutcomes,
  type BatchResult,
  type BatchSpec,
  type TargetSettings,
  type WaveResult,
} from '../domain/migration.ts';
import { batchWorkflowId, migrationBatch, type BatchSettings } from './batch.ts';
import { batchPhaseSignal, waveProgressQuery, type WaveProgress } from './messages.ts';
import { phaseKey, waveIdKey } from './search-attributes.ts';

export interface WaveWorkflowInput {
  waveId: string;
  batches: BatchSpec[];
  target: TargetSettings;
  batchSettings: BatchSettings;
  /** How many batches replicate and cut over at the same time. */
  maxConcurrentBatches: number;
}

export const waveWorkflowId = (waveId: string) => `wave-${waveId}`;

/** A migration wave: discovers the replication site once, then runs each batch as a child workflow. */
export async function migrationWave(input: WaveWorkflowInput): Promise<WaveResult> {
  const progress: WaveProgress = {
    waveId: input.waveId,
    phase: 'discovering',
    batches: input.batches.map((batch) => ({
      batchId: batch.batchId,
      phase: 'pending',
      workflowId: batchWorkflowId(batch.batchId),
    })),
  };
  setHandler(waveProgressQuery, () => progress);
  setHandler(batchPhaseSignal, ({ batchId, phase }) => {
    const batch = progress.batches.find((b) => b.batchId === batchId);
    if (batch) batch.phase = phase;
  });
  upsertSearchAttributes([
    { key: waveIdKey, value: input.waveId },
    { key: phaseKey, value: 'discovering' },
  ]);

  const { discoverReplicationSite } = proxyActivities<SiteRecoveryActivities>({
    taskQueue: input.batchSettings.azureTaskQueue,
    startToCloseTimeout: '5m',
    retry: { initialInterval: '2s', maximumInterval: '1m' },
  });
  const site = await discoverReplicationSite();

  progress.phase = 'running-batches';
  upsertSearchAttributes([{ key: phaseKey, value: 'running-batches' }]);
  const results: BatchResult[] = [];
  const queue = [...input.batches];
  const cancelled = () => CancellationScope.current().consideredCancelled;
  const runNext = async (): Promise<void> => {
    for (
      let spec = !cancelled() ? queue.shift() : undefined;
      spec;
      spec = !cancelled() ? queue.shift() : undefined
    ) {
      const child = await startChild(migrationBatch, {
        workflowId: batchWorkflowId(spec.batchId),
        args: [
          {
            spec,
            site,
            target: input.target,
            settings: input.batchSettings,
            parentWorkflowId: workflowInfo().workflowId,
          },
        ],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      try {
        results.push(await child.result());
      } catch (error) {
        if (!isCancellation(error)) throw error;
        // Cancelling the wave cancels the batch, which rolls back everything not yet committed.
        results.push({
          batchId: spec.batchId,
          phase: 'rolled-back',
          vms: spec.vms.map((vm) => ({ name: vm.name, outcome: 'rolled-back', reason: 'Wave cancelled' })),
        });
      }
    }
  };
  const lanes = Math.max(1, Math.min(input.maxConcurrentBatches, input.batches.length));
  await Promise.all(Array.from({ length: lanes }, runNext));
  for (const spec of queue) {
    results.push({
      batchId: spec.batchId,
      phase: 'pending',
      vms: spec.vms.map((vm) => ({
        name: vm.name,
        outcome: 'deferred',
        reason: 'Wave cancelled before this batch started',
      })),
    });
  }

  const counts = countOutcomes(results);
  const total = results.flatMap((b) => b.vms).length;
  progress.phase = cancelled()
    ? 'cancelled'
    : counts.migrated + counts.deferred === total
      ? 'completed'
      : 'failed';
  upsertSearchAttributes([{ key: phaseKey, value: progress.phase }]);
  const order = new Map(input.batches.map((b, i) => [b.batchId, i]));
  results.sort((a, b) => (order.get(a.batchId) ?? 0) - (order.get(b.batchId) ?? 0));
  return { waveId: input.waveId, batches: results, counts };
}
