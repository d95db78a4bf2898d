import {
  ApplicationFailure,
  CancellationScope,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SiteRecoveryActivities } from '../activities/site-recovery.ts';
import type {
  BatchPhase,
  BatchResult,
  BatchSpec,
  ReplicationSite,
  TargetSettings,
  VmReplicationStatus,
} from '../domain/migration.ts';
import { batchPhaseSignal, batchProgressQuery, type BatchProgress } from './messages.ts';
import { batchIdKey, phaseKey, waveIdKey } from './search-attributes.ts';

export interface BatchSettings {
  azureTaskQueue: string;
  /** How long one replication poll may wait for a change before reporting (ms). */
  replicationReportEveryMs: number;
  /** Heartbeat timeout of long Azure activities: how fast a lost worker's activity is retried elsewhere. */
  heartbeatTimeoutMs: number;
  /** Give up waiting for initial replication after this long (ms). */
  initialReplicationTimeoutMs: number;
}

export interface BatchWorkflowInput {
  spec: BatchSpec;
  site: ReplicationSite;
  target: TargetSettings;
  settings: BatchSettings;
  /** The wave workflow to notify of phase changes. */
  parentWorkflowId?: string;
}

export const recoveryPlanName = (batchId: string) => `rp-${batchId}`;

/** One batch (at most 100 VMs, one recovery plan) from enable replication to completed migration. */
export async function migrationBatch(input: BatchWorkflowInput): Promise<BatchResult> {
  const { spec, site, target, settings } = input;
  const vmNames = spec.vms.map((vm) => vm.name);
  const retry = { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' };
  const heartbeatTimeout = settings.heartbeatTimeoutMs;
  const azure = proxyActivities<SiteRecoveryActivities>({
    taskQueue: settings.azureTaskQueue,
    startToCloseTimeout: '10m',
    heartbeatTimeout,
    retry,
  });
  const longAzure = proxyActivities<SiteRecoveryActivities>({
    taskQueue: settings.azureTaskQueue,
    startToCloseTimeout: '4h',
    heartbeatTimeout,
    retry,
  });

  const progress: BatchProgress = {
    batchId: spec.batchId,
    phase: 'pending',
    vms: vmNames.map((name) => ({
      name,
      state: 'absent',
      protectionState: 'None',
      replicationHealth: 'None',
      initialReplicationPercent: 0,
      progressHealth: 'None',
      healthErrors: [],
    })),
    updatedAt: new Date().toISOString(),
  };
  setHandler(batchProgressQuery, () => progress);
  upsertSearchAttributes([
    { key: waveIdKey, value: spec.waveId },
    { key: batchIdKey, value: spec.batchId },
  ]);

  const enterPhase = async (phase: BatchPhase, detail?: string) => {
    progress.phase = phase;
    progress.detail = detail;
    progress.updatedAt = new Date().toISOString();
    upsertSearchAttributes([{ key: phaseKey, value: phase }]);
    if (input.parentWorkflowId) {
      await getExternalWorkflowHandle(input.parentWorkflowId).signal(batchPhaseSignal, {
        batchId: spec.batchId,
        phase,
      });
    }
  };
  const record = (vms: VmReplicationStatus[]) => {
    progress.vms = vms;
    progress.updatedAt = new Date().toISOString();
  };

  const planName = recoveryPlanName(spec.batchId);
  let testFailoverStarted = false;
  try {
    await enterPhase('enabling-replication');
    await azure.enableReplication({ site, target, vms: spec.vms });

    await enterPhase('replicating');
    const deadline = Date.now() + settings.initialReplicationTimeoutMs;
    let fingerprint: string | undefined;
    for (;;) {
      const poll = await longAzure.pollReplication({
        site,
        vmNames,
        previousFingerprint: fingerprint,
        maxWaitMs: settings.replicationReportEveryMs,
      });
      fingerprint = poll.fingerprint;
      record(poll.vms);
      if (poll.vms.every((vm) => vm.state === 'protected')) break;
      const broken = poll.vms.filter((vm) => vm.state === 'error' || vm.state === 'absent');
      if (broken.length > 0) {
        throw ApplicationFailure.create({
          type: 'ReplicationFailed',
          message: `Replication failed for ${broken.map((vm) => `${vm.name} (${vm.protectionState})`).join(', ')}`,
          nonRetryable: true,
        });
      }
      if (Date.now() > deadline) {
        throw ApplicationFailure.create({
          type: 'InitialReplicationTimeout',
          message: `Initial replication did not finish within ${settings.initialReplicationTimeoutMs} ms`,
          nonRetryable: true,
        });
      }
      // A pause between polls that returned early on progress, so a fast-moving batch is not read in a loop.
      await sleep(Math.min(settings.replicationReportEveryMs, 1000));
    }

    await enterPhase('creating-recovery-plan');
    await azure.createRecoveryPlan({ site, planName, vms: spec.vms });

    await enterPhase('test-failover');
    testFailoverStarted = true;
    await longAzure.runRecoveryPlanAction({
      planName,
      action: 'testFailover',
      testNetworkId: target.testNetworkId,
    });

    await enterPhase('test-failover-cleanup');
    await longAzure.runRecoveryPlanAction({ planName, action: 'testFailoverCleanup' });
    testFailoverStarted = false;

    await enterPhase('cutover');
    await longAzure.runRecoveryPlanAction({ planName, action: 'unplannedFailover' });

    await enterPhase('verifying-cutover');
    const afterFailover = await azure.readBatchState({ site, vmNames });
    record(afterFailover);
    const notFailedOver = afterFailover.filter((vm) => vm.state !== 'failed-over');
    if (notFailedOver.length > 0) {
      throw ApplicationFailure.create({
        type: 'CutoverVerificationFailed',
        message: `Not failed over after cutover: ${notFailedOver.map((vm) => `${vm.name} (${vm.protectionState})`).join(', ')}`,
        nonRetryable: true,
      });
    }

    await enterPhase('committing');
    await longAzure.runRecoveryPlanAction({ planName, action: 'failoverCommit' });

    await enterPhase('completing-migration');
    await longAzure.completeMigration({ site, vmNames });

    await enterPhase('completed');
    return {
      batchId: spec.batchId,
      phase: 'completed',
      vms: vmNames.map((name) => ({ name, outcome: 'migrated' })),
    };
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    if (testFailoverStarted) {
      // Never leave test VMs behind, whatever failed.
      await CancellationScope.nonCancellable(() =>
        longAzure.runRecoveryPlanAction({ planName, action: 'testFailoverCleanup' }),
      );
    }
    await enterPhase('failed', reason);
    return {
      batchId: spec.batchId,
      phase: 'failed',
      vms: vmNames.map((name) => ({ name, outcome: 'failed-needs-attention', reason })),
    };
  }
}

export const batchWorkflowId = (batchId: string) => `batch-${batchId}`;
