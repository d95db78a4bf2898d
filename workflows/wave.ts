import {
  allHandlersFinished,
  ApplicationFailure,
  ChildWorkflowFailure,
  getExternalWorkflowHandle,
  CancellationScope,
  condition,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { WaveWorkflowInput } from '../contracts/workflow-inputs.ts';
import { azureRetry } from './activity-options.ts';
import type { PlanActivities } from '../activities/plan.ts';
import type { PreflightActivities } from '../activities/preflight.ts';
import type { SiteRecoveryActivities } from '../activities/site-recovery.ts';
import {
  countOutcomes,
  type BatchResult,
  type DatabaseResult,
  type WaveResult,
} from '../domain/migration.ts';
import { gateHolds, withPreflight, type Waiver } from '../domain/plan/wave-gate.ts';
import {
  formatCheck,
  isPreflightCheckName,
  preflightCheckNames,
  type PreflightWaiver,
} from '../domain/preflight/checks.ts';
import { migrationBatch } from './batch.ts';
import { migrationDatabase } from './database.ts';
import { notifier } from './notify.ts';
import {
  approveWaveUpdate,
  batchFinishedSignal,
  cancelWaveUpdate,
  databaseCutoverDoneSignal,
  databasesStartedSignal,
  setBatchConcurrencyUpdate,
  waveProgressQuery,
  type ApproveWaveAction,
  type OperatorAction,
  type WaveProgress,
} from '../contracts/messages.ts';
import {
  actionGuard,
  refuse,
  waiversProblem,
  waveStartProblem,
  type StampContext,
} from './operator-actions.ts';
import { ErrorType } from '../contracts/errors.ts';
import {
  batchIdKey,
  batchStage,
  databaseStage,
  phaseKey,
  waveIdKey,
} from '../contracts/search-attributes.ts';
import { type WaveManifest, type BatchWorkflowInput } from '../contracts/workflow-inputs.ts';
import { batchWorkflowId, databaseWorkflowId } from '../contracts/ids.ts';

/**
 * A migration wave: checks the gate (every VM Ready or waived, capacity holds, Azure passes preflight or
 * the failing checks are waived), waits for its approval, discovers the replication site, then runs its batches as child workflows with bounded
 * concurrency. Cancelling the wave (its workflow, or a lead's `cancelWave` update) rolls back every batch
 * that is not committed.
 */
export async function migrationWave(input: WaveWorkflowInput): Promise<WaveResult> {
  // The stamp's age counts to when the server started the wave, not to when a worker first ran it.
  const startRefused = waveStartProblem(input, workflowInfo().workflowId, workflowInfo().startTime.getTime());
  if (startRefused) {
    throw ApplicationFailure.create({
      type: ErrorType.waveStartRefused,
      message: `Wave ${input.waveId} refused to start: ${startRefused}`,
      nonRetryable: true,
    });
  }
  const stampContext = (): StampContext => ({
    trustedKeys: input.trustedStampKeys,
    workflowId: workflowInfo().workflowId,
    nowMs: Date.now(),
  });
  const guard = actionGuard(stampContext);
  const stampKeys = input.trustedStampKeys ? { trustedStampKeys: input.trustedStampKeys } : {};
  const progress: WaveProgress = { waveId: input.waveId, phase: 'loading', batches: [] };
  let maxConcurrent = input.maxConcurrentBatches;
  const waivers: Waiver[] = [];
  const preflightWaivers: PreflightWaiver[] = [];
  let capacityAccepted = false;
  let approval: WaveProgress['approval'];
  let approvalsSeen = 0;
  let gateEvaluations = 0;

  const setPhase = (phase: WaveProgress['phase'], detail?: string) => {
    progress.phase = phase;
    progress.detail = detail;
    upsertSearchAttributes([{ key: phaseKey, value: phase }]);
    setCurrentDetails(`**${phase}**${detail ? ` — ${detail}` : ''}`);
  };

  setHandler(waveProgressQuery, () => ({ ...progress, maxConcurrentBatches: maxConcurrent, approval }));
  const results = new Map<string, BatchResult>();
  // Batches report their phase through their own query (the CLI reads both); the wave records only
  // start and end, which costs no message.
  const recordBatch = (result: BatchResult) => {
    results.set(result.batchId, result);
    const entry = progress.batches.find((b) => b.batchId === result.batchId);
    if (entry) entry.phase = result.phase;
  };
  setHandler(batchFinishedSignal, recordBatch);
  setHandler(
    approveWaveUpdate,
    async (action) => {
      for (const waiver of action.waivers ?? []) waivers.push({ ...waiver, by: action.by });
      for (const waiver of action.preflightWaivers ?? []) preflightWaivers.push({ ...waiver, by: action.by });
      capacityAccepted ||= action.acceptCapacityViolations === true;
      approval = { by: action.by, reason: action.reason, ticket: action.ticket };
      approvalsSeen += 1;
      // Answer with the gate as re-evaluated with this approval's waivers.
      const evaluation = gateEvaluations;
      await condition(() => gateEvaluations > evaluation || progress.phase === 'running-batches');
      return progress.gate && !gateHolds(progress.gate)
        ? `Approval recorded, but the gate still refuses: ${describeGate(progress.gate)}`
        : `Wave ${input.waveId} approved by ${action.by}.`;
    },
    {
      validator: (action: ApproveWaveAction) => {
        guard('approveWave', action, 'approver');
        // Separation of duties: whoever started the wave cannot also approve it (waivers included).
        const approver = input.trustedStampKeys ? action.stamp?.identity : undefined;
        if (approver && input.startedBy && approver.subject === input.startedBy.subject) {
          refuse(`${approver.name} started wave ${input.waveId}; another approver must approve it.`);
        }
        const problem = waiversProblem(action);
        if (problem) refuse(problem);
        if (progress.phase !== 'awaiting-approval' && progress.phase !== 'gate-refused') {
          refuse(`Wave ${input.waveId} is ${progress.phase}; it is not waiting for an approval.`);
        }
        for (const waiver of action.preflightWaivers ?? []) {
          if (!isPreflightCheckName(waiver.check))
            refuse(
              `There is no preflight check '${waiver.check}'; the checks are ${preflightCheckNames.join(', ')}.`,
            );
        }
      },
    },
  );
  setHandler(
    setBatchConcurrencyUpdate,
    (action) => {
      maxConcurrent = action.maxConcurrentBatches;
      return `Wave ${input.waveId} now runs up to ${maxConcurrent} batch(es) at a time.`;
    },
    {
      validator: (action: OperatorAction & { maxConcurrentBatches: number }) => {
        guard('setBatchConcurrency', action, 'operator');
        if (!Number.isInteger(action.maxConcurrentBatches) || action.maxConcurrentBatches < 1) {
          refuse(
            `maxConcurrentBatches must be a whole number of at least 1, not ${action.maxConcurrentBatches}.`,
          );
        }
      },
    },
  );
  // A lead's cancel has the semantics of cancelling the workflow: the batches run in this scope, and
  // cancelling it cancels them (each rolls back what is not committed); before then nothing starts.
  const batchesScope = new CancellationScope();
  let cancelRequest: OperatorAction | undefined;
  const cancelRequested = () => cancelRequest !== undefined;
  setHandler(
    cancelWaveUpdate,
    (action) => {
      cancelRequest = {
        by: action.by,
        reason: action.reason,
        ...(action.ticket ? { ticket: action.ticket } : {}),
      };
      batchesScope.cancel();
      const running = progress.batches.filter(
        (b) => !['pending', 'completed', 'rolled-back'].includes(b.phase),
      ).length;
      return `Wave ${input.waveId} is being cancelled by ${action.by}: ${running} running batch(es) roll back what is not committed, and no other batch starts.`;
    },
    {
      validator: (action: OperatorAction) => {
        guard('cancelWave', action, 'lead');
        if (cancelRequest)
          refuse(`Wave ${input.waveId} is already being cancelled (by ${cancelRequest.by}).`);
        if (['completed', 'failed', 'cancelled'].includes(progress.phase))
          refuse(`Wave ${input.waveId} is ${progress.phase}; there is nothing to cancel.`);
      },
    },
  );
  // The CLI sets WaveId when it starts the wave; a wave started otherwise sets it here.
  if (!workflowInfo().typedSearchAttributes.get(waveIdKey)) {
    upsertSearchAttributes([{ key: waveIdKey, value: input.waveId }]);
  }

  const local = proxyActivities<PlanActivities>({
    startToCloseTimeout: '5m',
    retry: azureRetry,
  });
  const { discoverReplicationSite } = proxyActivities<SiteRecoveryActivities>({
    taskQueue: input.batchSettings.azureTaskQueue,
    startToCloseTimeout: '5m',
    retry: azureRetry,
  });
  const { runWavePreflight } = proxyActivities<PreflightActivities>({
    taskQueue: input.batchSettings.azureTaskQueue,
    startToCloseTimeout: '5m',
    retry: azureRetry,
  });

  // 1. What the wave contains, and whether its assessment gate holds.
  const source = input.source;
  // Every evaluation of the gate reads Azure again: an operator who fixed the environment approves again.
  const loadManifest = async (): Promise<WaveManifest> => {
    const loaded = await loadAssessmentGate();
    const report = await runWavePreflight({
      waveId: input.waveId,
      source,
      target: input.target,
      ...(input.location ? { location: input.location } : {}),
      ...(input.target.runAsAccountId ? { runAsAccountId: input.target.runAsAccountId } : {}),
      ...(input.databases ? { databases: input.databases } : {}),
    });
    return { ...loaded, gate: withPreflight(loaded.gate, report, preflightWaivers) };
  };
  const loadAssessmentGate = async (): Promise<WaveManifest> =>
    source.kind === 'plan'
      ? local.loadWaveManifest({
          plan: source.plan,
          waveId: input.waveId,
          waivers,
          capacityAccepted,
          ...(input.databases?.targets ? { databaseTargets: input.databases.targets } : {}),
        })
      : {
          batches: source.batches.map((b) => ({
            batchId: b.batchId,
            vmCount: b.vms.length,
            cutoverWindow: undefined,
          })),
          gate: { notReady: [], capacity: [], waived: [] },
          databases: input.databases?.items ?? [],
          excludedDatabases: [],
        };
  let manifest = await loadManifest();
  progress.batches = manifest.batches.map((b) => ({
    batchId: b.batchId,
    phase: 'pending',
    workflowId: batchWorkflowId(b.batchId),
    vmCount: b.vmCount,
  }));
  progress.gate = manifest.gate;
  gateEvaluations += 1;

  // 2. The gate and the approval: every new approval re-evaluates the gate with its waivers.
  let approvalsHandled = 0;
  const notify = notifier({ waveId: input.waveId, enabled: input.notifications !== false });
  while (
    !cancelRequested() &&
    (!gateHolds(manifest.gate) || (input.requireApproval && approvalsHandled === 0))
  ) {
    setPhase(
      gateHolds(manifest.gate) ? 'awaiting-approval' : 'gate-refused',
      gateHolds(manifest.gate) ? 'Waiting for an approval' : describeGate(manifest.gate),
    );
    void notify(gateHolds(manifest.gate) ? 'approval-due' : 'gate-refused', progress.detail);
    await condition(() => approvalsSeen > approvalsHandled || cancelRequested());
    if (cancelRequested()) break;
    approvalsHandled = approvalsSeen;
    manifest = await loadManifest();
    progress.gate = manifest.gate;
    gateEvaluations += 1;
  }

  // 3. The batches, as child workflows with bounded, adjustable concurrency.
  // Cancelled before its batches: nothing was started, so nothing rolls back.
  let site: Awaited<ReturnType<typeof discoverReplicationSite>> | undefined;
  if (!cancelRequested()) {
    setPhase('discovering');
    site = await discoverReplicationSite();
  }
  if (!cancelRequested()) setPhase('running-batches');
  // Databases start copying (full backup, then catch-up) when their batch starts and wait for its cutover.
  const databaseItems = input.databases ? manifest.databases : [];
  const databaseResults: DatabaseResult[] = manifest.excludedDatabases.map(({ id, reason }) => ({
    databaseId: id,
    name: id,
    phase: 'pending',
    outcome: 'deferred',
    reason,
  }));
  /** A batch's planned cutover window, which its databases share (none when cutting over when ready). */
  const windowOf = (batchId: string) => {
    const window = manifest.batches.find((b) => b.batchId === batchId)?.cutoverWindow;
    return window && input.cutover !== 'when-ready' ? { cutoverWindow: window } : {};
  };
  type DatabaseStart = ReturnType<typeof startDatabases>[number];
  const startDatabases = (ofBatch: string) =>
    databaseItems
      .filter((item) => item.batchId === ofBatch)
      .map(({ spec, batchId }) => ({
        spec,
        batchId,
        started: startChild(migrationDatabase, {
          workflowId: databaseWorkflowId(spec.id),
          args: [
            {
              spec,
              services: input.databases!.services,
              settings: input.databases!.settings,
              notifyWorkflowId: batchWorkflowId(batchId),
              waveId: input.waveId,
              batchId,
              ...windowOf(batchId),
              ...stampKeys,
            },
          ],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          typedSearchAttributes: [
            { key: waveIdKey, value: input.waveId },
            { key: batchIdKey, value: batchId },
            { key: phaseKey, value: databaseStage('pending') },
          ],
        }),
      }));
  const awaitDatabase = async ({ spec, batchId, started }: DatabaseStart) => {
    try {
      databaseResults.push(await (await started).result());
    } catch (error) {
      if (isCancellation(error)) {
        databaseResults.push({
          databaseId: spec.id,
          name: spec.name,
          phase: 'rolled-back',
          outcome: 'rolled-back',
          reason: 'Wave cancelled',
        });
        return;
      }
      // A database workflow that failed must not take the wave down: it is reported, and its batch is told
      // so it holds for an operator instead of waiting for a cutover that will not come.
      const reason = `Database workflow failed: ${failureMessage(error)}`;
      databaseResults.push({
        databaseId: spec.id,
        name: spec.name,
        phase: 'awaiting-operator',
        outcome: 'failed-needs-attention',
        reason,
      });
      await getExternalWorkflowHandle(batchWorkflowId(batchId))
        .signal(databaseCutoverDoneSignal, { databaseId: spec.id, outcome: 'failed-needs-attention' })
        .catch(() => undefined);
    }
  };
  const databasesOf = (batchId: string) =>
    databaseItems
      .filter((item) => item.batchId === batchId && item.spec.mode === 'online')
      .map((item) => ({ databaseId: item.spec.id, workflowId: databaseWorkflowId(item.spec.id) }));
  const queue = cancelRequested() ? [] : [...manifest.batches];
  const cancelled = () => CancellationScope.current().consideredCancelled || cancelRequested();
  let running = 0;
  const children: Promise<void>[] = [];
  const databaseChildren: Promise<void>[] = [];
  const runBatch = async (batch: WaveManifest['batches'][number]) => {
    if (!site) return;
    const databases = databasesOf(batch.batchId);
    const args: BatchWorkflowInput = {
      ...(source.kind === 'plan'
        ? { planBatch: { plan: source.plan, waveId: input.waveId, batchId: batch.batchId } }
        : { spec: source.batches.find((b) => b.batchId === batch.batchId) }),
      site,
      target: input.target,
      settings: { ...input.batchSettings, ...windowOf(batch.batchId) },
      parentWorkflowId: workflowInfo().workflowId,
      databases,
      databasesStartPending: databases.length > 0,
      ...stampKeys,
      ...(input.notifications === undefined ? {} : { notifications: input.notifications }),
    };
    const entry = progress.batches.find((b) => b.batchId === batch.batchId);
    let started = false;
    try {
      const child = await startChild(migrationBatch, {
        workflowId: batchWorkflowId(batch.batchId),
        args: [args],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: [
          { key: waveIdKey, value: input.waveId },
          { key: batchIdKey, value: batch.batchId },
          { key: phaseKey, value: batchStage('enabling-replication') },
        ],
      });
      started = true;
      if (entry) entry.phase = 'enabling-replication';
      // The batch's databases start once it runs: the server starts a parent's children in no particular
      // order, and a wave's hundreds of database starts would otherwise hold up its batches (replication
      // is the long pole). A failed database start is reported with that database's result.
      const databaseStarts = startDatabases(batch.batchId);
      databaseChildren.push(...databaseStarts.map(awaitDatabase));
      const databasesStarted = args.databasesStartPending
        ? Promise.all(
            databaseStarts
              .filter((d) => d.spec.mode === 'online')
              .map((d) => d.started.catch(() => undefined)),
          ).then(() => child.signal(databasesStartedSignal).catch(() => undefined))
        : undefined;
      recordBatch(await child.result());
      await databasesStarted;
    } catch (error) {
      if (!isCancellation(error)) {
        // A batch workflow that failed is reported with its VMs, not allowed to fail the whole wave.
        const reason = `Batch workflow failed: ${failureMessage(error)}`;
        if (!started) {
          for (const { spec } of databaseItems.filter((item) => item.batchId === batch.batchId))
            databaseResults.push({
              databaseId: spec.id,
              name: spec.name,
              phase: 'pending',
              outcome: 'failed-needs-attention',
              reason: `Not started: its batch ${batch.batchId} did not start (${reason})`,
            });
        }
        const vmNames =
          source.kind === 'plan'
            ? (
                await local.loadBatchSpec({ plan: source.plan, waveId: input.waveId, batchId: batch.batchId })
              ).vms.map((vm) => vm.name)
            : (source.batches.find((b) => b.batchId === batch.batchId)?.vms.map((vm) => vm.name) ?? []);
        recordBatch({
          batchId: batch.batchId,
          phase: 'awaiting-operator',
          vms: vmNames.map((name) => ({ name, outcome: 'failed-needs-attention', reason })),
        });
        return;
      }
      // A batch the cancelled wave never started has nothing to roll back and no outcome to report.
      if (!started) return;
      // Cancelling the wave cancels the batch, which rolls back what is not committed and then reports
      // its outcomes by signal.
      await CancellationScope.nonCancellable(() => condition(() => results.has(batch.batchId)));
    } finally {
      running -= 1;
    }
  };
  const startBatches = async () => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      if (running >= maxConcurrent) await condition(() => running < maxConcurrent);
      running += 1;
      children.push(runBatch(batch));
    }
  };
  // Every batch's databases are started (and pushed) before its runBatch ends.
  const allSettled = async () => {
    await Promise.all(children);
    await Promise.all(databaseChildren);
  };
  try {
    await batchesScope.run(async () => {
      await startBatches();
      await allSettled();
    });
  } catch (error) {
    if (!isCancellation(error)) throw error;
    await CancellationScope.nonCancellable(allSettled);
  }

  // In plan order; batches a cancelled wave never started report no VM outcomes (their VMs stay untouched).
  const ordered = manifest.batches.flatMap((b) => results.get(b.batchId) ?? []);
  const counts = countOutcomes(ordered);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const databasesOk = databaseResults.every((d) => d.outcome === 'migrated' || d.outcome === 'deferred');
  setPhase(
    cancelled()
      ? 'cancelled'
      : counts.migrated + counts.deferred === total && databasesOk
        ? 'completed'
        : 'failed',
    cancelRequest ? `Cancelled by ${cancelRequest.by}: ${cancelRequest.reason}` : undefined,
  );
  // A cancelled wave still ends with its outcome report.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  const databaseCounts = countOutcomes([
    {
      batchId: 'databases',
      phase: 'completed',
      vms: databaseResults.map((d) => ({ name: d.name, outcome: d.outcome })),
    },
  ]);
  databaseResults.sort((a, b) => a.databaseId.localeCompare(b.databaseId));
  return { waveId: input.waveId, batches: ordered, counts, databases: databaseResults, databaseCounts };
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ChildWorkflowFailure ? (error.cause ?? error) : error;
  return cause instanceof Error ? cause.message : String(cause);
}

function describeGate(gate: NonNullable<WaveProgress['gate']>): string {
  const parts: string[] = [];
  if (gate.notReady.length > 0) {
    const sample = gate.notReady
      .slice(0, 5)
      .map((s) => `${s.server} (${s.readiness}: ${s.reasons[0] ?? 'no reason given'})`);
    parts.push(
      `${gate.notReady.length} VM(s) not Ready and not waived: ${sample.join('; ')}${gate.notReady.length > 5 ? '; …' : ''}`,
    );
  }
  if (gate.capacity.length > 0) parts.push(`capacity plan violated: ${gate.capacity.slice(0, 3).join('; ')}`);
  if ((gate.preflight ?? []).length > 0)
    parts.push(`preflight failed:\n${(gate.preflight ?? []).map(formatCheck).join('\n')}`);
  return parts.join('. ');
}
