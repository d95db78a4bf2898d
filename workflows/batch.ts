import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { recoveryPlanName } from '../contracts/ids.ts';
import type { BatchCheckpoint, BatchWorkflowInput } from '../contracts/workflow-inputs.ts';
import { azureRetry } from './activity-options.ts';
import type { SiteRecoveryActivities } from '../activities/site-recovery.ts';
import type { SourcePlatformActivities } from '../activities/source-platform.ts';
import type { PlanActivities } from '../activities/plan.ts';
import type { ValidationActivities } from '../activities/validation.ts';
import { applyReplicationReading, batchOutcomes, countDispositions, park } from '../domain/batch-rules.ts';
import {
  batchPhases,
  notYetReplicating,
  type BatchPhase,
  type BatchResult,
  type DatabaseOutcome,
  type ValidationCheck,
  type ValidationResult,
  type VmRef,
} from '../domain/migration.ts';
import {
  batchFinishedSignal,
  databaseCutoverDoneSignal,
  databaseCutoverSignal,
  databasesStartedSignal,
  batchProgressQuery,
  openCutoverUpdate,
  pauseUpdate,
  postponeCutoverUpdate,
  resumeUpdate,
  signOffUpdate,
  skipUpdate,
  type BatchProgress,
  type CutoverAuthorization,
  type OperatorAction,
} from '../contracts/messages.ts';
import {
  actionGuard,
  IN_WINDOW_CUTOVER_ROLES,
  refuse,
  untilProblem,
  vmNamesProblem,
} from './operator-actions.ts';
import { operatorHold } from './operator-hold.ts';
import { notifier } from './notify.ts';
import { PATCH } from './patches.ts';
import { batchIdKey, batchStage, waveIdKey } from '../contracts/search-attributes.ts';
import { ErrorType } from '../contracts/errors.ts';

const phaseIndex = (phase: BatchPhase) => batchPhases.indexOf(phase);

/**
 * One batch (at most 100 VMs, one recovery plan) from enable replication to completed migration.
 * One VM's failure never fails the batch: the VM is parked with its reason until an operator retries or
 * skips it. A failed step holds the batch for the operator (retry or rollback); rollback is possible until
 * the failover is committed.
 */
export async function migrationBatch(input: BatchWorkflowInput): Promise<BatchResult> {
  const { site, target, settings } = input;
  const local = proxyActivities<ValidationActivities & PlanActivities>({
    taskQueue: workflowInfo().taskQueue,
    startToCloseTimeout: '5m',
    retry: azureRetry,
  });
  if (!input.spec && !input.planBatch) {
    throw ApplicationFailure.create({
      type: ErrorType.invalidInput,
      message: 'A batch needs a spec or a plan batch to load.',
      nonRetryable: true,
    });
  }
  const spec = input.spec ?? (await local.loadBatchSpec(input.planBatch!));
  const planName = recoveryPlanName(spec.batchId);
  const notify = notifier({
    waveId: spec.waveId,
    batchId: spec.batchId,
    enabled: input.notifications !== false,
  });
  const activityOptions = {
    taskQueue: settings.azureTaskQueue,
    heartbeatTimeout: settings.heartbeatTimeoutMs,
    retry: azureRetry,
  };
  const azure = proxyActivities<SiteRecoveryActivities & SourcePlatformActivities>({
    ...activityOptions,
    startToCloseTimeout: '10m',
  });
  const longAzure = proxyActivities<SiteRecoveryActivities & SourcePlatformActivities>({
    ...activityOptions,
    startToCloseTimeout: '4h',
  });

  const state: BatchCheckpoint = input.checkpoint ?? {
    phase: 'pending',
    tracks: spec.vms.map((vm) => ({
      name: vm.name,
      status: notYetReplicating(vm.name),
      disposition: 'active',
      repairs: 0,
    })),
    paused: false,
    cutoverAt: settings.cutoverWindow?.start,
    replicationStartedMs: Date.now(),
    planCreated: false,
    databasesStarted: input.databasesStartPending !== true,
  };
  let cutoverOpenedNow = false;
  let signOff: { approved: boolean; by: string; reason: string } | undefined;
  let validation: ValidationResult[] | undefined;
  const databaseOutcomes = new Map<string, DatabaseOutcome>();
  const databases = input.databases ?? [];
  const databasesCutOver = () => [...databaseOutcomes.values()].includes('migrated');
  const currentSignOff = () => signOff;
  const track = (name: string) => state.tracks.find((t) => t.name === name);
  const active = () => state.tracks.filter((t) => t.disposition === 'active');
  /** The named VMs as the Site Recovery activities find their protected items (by machine). */
  const refs = (names: string[]): VmRef[] =>
    spec.vms.filter((vm) => names.includes(vm.name)).map(({ name, machineId }) => ({ name, machineId }));
  // Continue-as-new happens only while replicating, so a new run never starts past the commit.
  let commitStarted = false;
  /** Set before the failover is requested: from then on the source VMs may be shut down. */
  let failoverStarted = false;
  const guard = actionGuard(() => ({
    trustedKeys: input.trustedStampKeys,
    workflowId: workflowInfo().workflowId,
    nowMs: Date.now(),
  }));
  /** Whether a cutover at `atMs` falls outside the planned window (never, without one). */
  const outsideWindow = (atMs: number) => {
    const window = settings.cutoverWindow;
    return window !== undefined && (atMs < Date.parse(window.start) || atMs > Date.parse(window.end));
  };

  const {
    enterPhase,
    checkpoint,
    waitFor,
    hold,
    step,
    handleRetry,
    handleRollback,
    runWithRollback,
    detail,
    holding,
    rollbackRequested,
  } = operatorHold<BatchPhase>({
    state,
    stageOf: batchStage,
    // The wave sets WaveId and BatchId when it starts the batch; a batch started on its own sets them here.
    ownKeys: workflowInfo().typedSearchAttributes.get(batchIdKey)
      ? []
      : [
          { key: waveIdKey, value: spec.waveId },
          { key: batchIdKey, value: spec.batchId },
        ],
    details: (phase, why) => {
      const counts = Object.entries(countDispositions(state.tracks))
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      return `**${phase}**${why ? ` — ${why}` : ''}\n\nVMs: ${counts}`;
    },
    paused: () => state.paused,
    onHold: (why) => void notify('batch-held', why),
    guard,
  });

  setHandler(batchProgressQuery, (): BatchProgress => ({
    batchId: spec.batchId,
    phase: state.phase,
    detail: detail(),
    paused: state.paused,
    cutoverAt: state.cutoverAt,
    vms: state.tracks.map((t) => ({
      ...t.status,
      disposition: t.disposition,
      reason: t.reason,
      errorCode: t.errorCode,
    })),
    counts: countDispositions(state.tracks),
    validation,
    updatedAt: new Date().toISOString(),
  }));

  handleRetry({
    refuseIf: (action) => {
      // After the commit only a held step (e.g. completing the migration) can be retried.
      if (commitStarted && !holding())
        refuse(`Batch ${spec.batchId} is committed; there is nothing to retry.`);
      for (const name of action.vmNames ?? []) {
        const t = track(name);
        if (!t) refuse(`VM ${name} is not in batch ${spec.batchId}.`);
        if (t.disposition !== 'parked') {
          refuse(`VM ${name} has not failed (it is ${t.disposition}); only parked VMs can be retried.`);
        }
      }
      if (!action.vmNames?.length && !holding() && !state.tracks.some((t) => t.disposition === 'parked')) {
        refuse(
          `Batch ${spec.batchId} is ${state.phase} with no failed step and no parked VM; nothing to retry.`,
        );
      }
    },
    accept: (action) => {
      if (action.vmNames?.length) {
        for (const name of action.vmNames) {
          const t = track(name);
          if (t) {
            t.disposition = 'active';
            t.repairs = 0;
          }
        }
        return `Retrying ${action.vmNames.length} VM(s): ${action.vmNames.join(', ')}.`;
      }
      const parked = state.tracks.filter((t) => t.disposition === 'parked');
      for (const t of parked) {
        t.disposition = 'active';
        t.repairs = 0;
      }
      return `Retrying the ${holding() ? 'held step' : 'batch'}${parked.length ? ` and ${parked.length} parked VM(s)` : ''}.`;
    },
  });

  setHandler(
    skipUpdate,
    (action) => {
      for (const name of action.vmNames) {
        const t = track(name);
        if (t) {
          t.disposition = 'skipped';
          t.reason = `Deferred to a later wave by ${action.by}: ${action.reason}`;
        }
      }
      return `Deferred ${action.vmNames.join(', ')}; their replication is disabled before the recovery plan is built.`;
    },
    {
      validator: (action: OperatorAction & { vmNames: string[] }) => {
        guard('skip', action, 'operator');
        if (!action.vmNames?.length) refuse('Name the VMs to skip.');
        const problem = vmNamesProblem(action.vmNames);
        if (problem) refuse(problem);
        if (
          phaseIndex(state.phase) >= phaseIndex('creating-recovery-plan') &&
          state.phase !== 'awaiting-operator'
        ) {
          refuse(
            `Batch ${spec.batchId} is ${state.phase}: VMs can be skipped only before the recovery plan is built; use rollback.`,
          );
        }
        if (state.planCreated)
          refuse(`Batch ${spec.batchId} already has its recovery plan; use rollback instead of skip.`);
        for (const name of action.vmNames) {
          const t = track(name);
          if (!t) refuse(`VM ${name} is not in batch ${spec.batchId}.`);
          if (t.disposition === 'skipped') refuse(`VM ${name} is already skipped.`);
        }
      },
    },
  );

  handleRollback({
    name: `Batch ${spec.batchId}`,
    refuseIf: () => {
      if (commitStarted) {
        refuse(
          `Batch ${spec.batchId} is past its point of no return (failover commit); rollback is refused.`,
        );
      }
      if (databasesCutOver()) {
        refuse(`Batch ${spec.batchId} has databases already cut over to Azure; rollback is refused.`);
      }
    },
    accept: () => `Rolling back batch ${spec.batchId} from phase ${state.phase}.`,
  });

  setHandler(
    pauseUpdate,
    () => {
      state.paused = true;
      return `Batch ${spec.batchId} pauses after its current step (${state.phase}).`;
    },
    {
      validator: (action: OperatorAction) => {
        guard('pause', action, 'operator');
        if (state.paused) refuse(`Batch ${spec.batchId} is already paused.`);
        if (['completed', 'rolled-back'].includes(state.phase))
          refuse(`Batch ${spec.batchId} is ${state.phase}.`);
      },
    },
  );

  setHandler(
    resumeUpdate,
    () => {
      state.paused = false;
      return `Batch ${spec.batchId} resumes.`;
    },
    {
      validator: (action: OperatorAction) => {
        guard('resume', action, 'operator');
        if (!state.paused) refuse(`Batch ${spec.batchId} is not paused.`);
      },
    },
  );

  setHandler(
    postponeCutoverUpdate,
    (action) => {
      state.cutoverAt = new Date(action.until).toISOString();
      cutoverOpenedNow = false;
      state.cutoverAuthorization = authorizationOf('postponeCutover', action, Date.parse(action.until));
      return `Cutover of ${spec.batchId} postponed to ${state.cutoverAt}.`;
    },
    {
      validator: (action: OperatorAction & { until: string }) => {
        // Postponing past the planned window (or before it) is a cutover outside it: a lead's decision.
        const outside = outsideWindow(Date.parse(action.until));
        guard('postponeCutover', action, outside ? 'lead' : IN_WINDOW_CUTOVER_ROLES);
        const problem = untilProblem(action.until, Date.now());
        if (problem) refuse(problem);
        if (phaseIndex(state.phase) >= phaseIndex('cutover') && state.phase !== 'awaiting-operator') {
          refuse(`Batch ${spec.batchId} is already ${state.phase}; the cutover cannot be postponed.`);
        }
      },
    },
  );

  setHandler(
    openCutoverUpdate,
    (action) => {
      cutoverOpenedNow = true;
      state.cutoverAuthorization = authorizationOf('openCutover', action, Date.now());
      return `Cutover window of ${spec.batchId} opened now.`;
    },
    {
      validator: (action: OperatorAction & { force?: boolean }) => {
        // Forcing the cutover outside the planned window is a lead's decision.
        guard('openCutover', action, outsideWindow(Date.now()) ? 'lead' : IN_WINDOW_CUTOVER_ROLES);
        if (phaseIndex(state.phase) >= phaseIndex('cutover') && state.phase !== 'awaiting-operator') {
          refuse(`Batch ${spec.batchId} is already ${state.phase}.`);
        }
        const window = settings.cutoverWindow;
        const inWindow =
          window && Date.now() >= Date.parse(window.start) && Date.now() <= Date.parse(window.end);
        if (window && !inWindow && !action.force) {
          refuse(
            `Now is outside the cutover window ${window.start} – ${window.end}; pass force with a reason to cut over anyway.`,
          );
        }
      },
    },
  );

  setHandler(
    signOffUpdate,
    (action) => {
      signOff = { approved: action.approved, by: action.by, reason: action.reason };
      return action.approved
        ? 'Test failover signed off.'
        : 'Test failover rejected; the batch will be held after cleanup.';
    },
    {
      validator: (action: OperatorAction & { approved: boolean }) => {
        // Signing off a validation is an approval, not an operation.
        guard('signOffValidation', action, 'approver');
        if (typeof action.approved !== 'boolean') refuse('A sign-off says `approved`: true or false.');
        if (state.phase !== 'validating' && state.phase !== 'validating-cutover') {
          refuse(`Batch ${spec.batchId} is ${state.phase}, not waiting for a sign-off.`);
        }
      },
    },
  );

  /**
   * The signed action that moves the cutover to `atMs` outside the planned window, kept to forward to the
   * databases (which check it themselves); none for a cutover inside the window or an unsigned action.
   */
  function authorizationOf(
    update: CutoverAuthorization['update'],
    action: OperatorAction & { force?: boolean; until?: string },
    atMs: number,
  ): CutoverAuthorization | undefined {
    const { stamp, ...args } = action;
    return stamp && outsideWindow(atMs) ? { update, args, stamp } : undefined;
  }

  setHandler(databaseCutoverDoneSignal, ({ databaseId, outcome }) => {
    databaseOutcomes.set(databaseId, outcome);
  });
  setHandler(databasesStartedSignal, () => {
    state.databasesStarted = true;
  });

  const enable = async () => {
    const reEnable = active().filter((t) => t.failedStep === 'enable');
    if (reEnable.length > 0) {
      // A VM whose enable failed may have left an item behind (EnablingFailed): remove it first.
      await longAzure.disableReplication({ site, vms: refs(reEnable.map((t) => t.name)) });
    }
    const toEnable = active().filter((t) => t.status.state === 'absent' || t.failedStep === 'enable');
    if (toEnable.length === 0) return;
    const vms = spec.vms.filter((vm) => toEnable.some((t) => t.name === vm.name));
    const result = await azure.enableReplication({ site, target, vms });
    for (const t of toEnable) {
      t.failedStep = undefined;
      t.reason = undefined;
      t.errorCode = undefined;
      t.status = { ...t.status, state: 'enabling' };
    }
    for (const failure of result.failed) {
      const t = track(failure.name);
      if (t) park(t, 'enable', `Enable replication refused: ${failure.message}`, failure.code);
    }
  };

  /** Polls until every active VM is protected; stalled VMs are repaired, then parked. */
  const replicate = async () => {
    const retried = active().filter((t) => t.failedStep === 'replication');
    if (retried.length > 0) {
      await azure.repairReplication({ site, vms: refs(retried.map((t) => t.name)) });
      for (const t of retried) {
        t.failedStep = undefined;
        t.stalledSinceMs = undefined;
      }
    }
    let polls = 0;
    while (active().some((t) => t.status.state !== 'protected')) {
      await checkpoint();
      if (polls >= settings.continueAsNewAfterPolls || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof migrationBatch>({
          ...input,
          spec,
          planBatch: undefined,
          checkpoint: state,
        });
      }
      const poll = await longAzure.pollReplication({
        site,
        vms: refs(active().map((t) => t.name)),
        previousFingerprint: state.fingerprint,
        // Workflow time: after the batch's last write completed.
        readAfter: Date.now(),
        // A stalled VM is due for repair stallAfterMs after it stalled: report by then.
        maxWaitMs: active().some((t) => t.stalledSinceMs !== undefined)
          ? Math.min(settings.replicationReportEveryMs, settings.stallAfterMs)
          : settings.replicationReportEveryMs,
      });
      polls += 1;
      state.fingerprint = poll.fingerprint;
      const decisions = applyReplicationReading(state.tracks, poll.vms, Date.now(), settings);
      for (const p of decisions.park) {
        const t = track(p.name);
        if (t) park(t, p.step, p.reason, p.errorCode);
      }
      if (decisions.repair.length > 0) {
        const repair = await azure.repairReplication({ site, vms: refs(decisions.repair) });
        for (const failure of repair.failed) {
          const t = track(failure.name);
          if (t) park(t, 'replication', `Resync refused: ${failure.message}`, failure.code);
        }
      }
      if (Date.now() - state.replicationStartedMs > settings.initialReplicationTimeoutMs) {
        for (const t of active().filter((a) => a.status.state !== 'protected')) {
          park(
            t,
            'replication',
            `Initial replication not finished after ${settings.initialReplicationTimeoutMs / 3600_000} h`,
          );
        }
      }
    }
  };

  /** Parked VMs hold the batch before its recovery plan; skipped VMs leave replication. */
  const settleBeforePlan = async () => {
    for (;;) {
      const skipped = state.tracks.filter((t) => t.disposition === 'skipped' && t.status.state !== 'absent');
      if (skipped.length > 0) {
        await longAzure.disableReplication({ site, vms: refs(skipped.map((t) => t.name)) });
        for (const t of skipped) t.status = notYetReplicating(t.name);
      }
      const parked = state.tracks.filter((t) => t.disposition === 'parked');
      if (parked.length === 0) return;
      await hold(
        `${parked.length} VM(s) parked: ${parked.map((t) => `${t.name} (${t.errorCode ?? 'error'}: ${t.reason})`).join('; ')}. Retry or skip them.`,
        { resolved: () => !state.tracks.some((t) => t.disposition === 'parked') },
      );
      if (active().some((t) => t.status.state !== 'protected')) {
        await step('enabling-replication', enable);
        await step('replicating', replicate);
      }
    }
  };

  const waitForCutoverWindow = async () => {
    const window = settings.cutoverWindow;
    if (!window && !state.cutoverAt) return;
    for (;;) {
      await checkpoint();
      if (cutoverOpenedNow) return;
      const opensAt = Date.parse(state.cutoverAt ?? window?.start ?? '');
      const closesAt = window ? Date.parse(window.end) : Number.POSITIVE_INFINITY;
      if (Date.now() > closesAt && opensAt <= closesAt) {
        await hold(
          `The cutover window ${window?.start} – ${window?.end} has passed; open it now (with force) or postpone.`,
        );
        continue;
      }
      if (Date.now() >= opensAt) {
        void notify('cutover-window-open', `The cutover window opened at ${new Date(opensAt).toISOString()}`);
        return;
      }
      enterPhase('awaiting-cutover-window', `Cutover opens at ${new Date(opensAt).toISOString()}`);
      await condition(
        () => cutoverOpenedNow || rollbackRequested() || Date.parse(state.cutoverAt ?? '') !== opensAt,
        opensAt - Date.now(),
      );
    }
  };

  /** Runs a stage's checks, then waits for the sign-off if one is required; returns why validation failed. */
  const validate = async (phase: 'validating' | 'validating-cutover', checks: ValidationCheck[]) => {
    if (checks.length > 0) {
      enterPhase(phase, `Running ${checks.length} validation check(s)`);
      validation = await local.runValidationChecks({ checks });
      const failed = validation.filter((result) => !result.ok);
      if (failed.length > 0)
        return `Validation failed: ${failed.map((f) => `${f.name}: ${f.detail}`).join('; ')}`;
    }
    if (!settings.requireValidationSignOff) return undefined;
    signOff = undefined;
    enterPhase(phase, 'Waiting for an operator sign-off');
    void notify(
      'sign-off-due',
      `${phase === 'validating' ? 'Test failover' : 'Cutover'} validation awaits a sign-off`,
    );
    await waitFor(() => signOff !== undefined);
    const decision = currentSignOff();
    return decision?.approved ? undefined : `Rejected by ${decision?.by}: ${decision?.reason}`;
  };

  /** Cancels the databases' migrations, undoes the recovery plan's failovers and disables replication. */
  const rollback = async (request: OperatorAction) => {
    enterPhase('rolling-back', `Requested by ${request.by}: ${request.reason}`);
    // The application's databases go back with it: cancelling a database workflow rolls its migration back.
    for (const database of databases.filter((d) => databaseOutcomes.get(d.databaseId) !== 'rolled-back')) {
      // A database workflow that already ended (failed, rolled back by its operator) has nothing to undo.
      await getExternalWorkflowHandle(database.workflowId)
        .cancel()
        .catch(() => undefined);
    }
    const names = state.tracks.filter((t) => t.disposition !== 'skipped').map((t) => t.name);
    if (state.planCreated) {
      await longAzure.runRecoveryPlanAction({ planName, action: 'testFailoverCleanup' });
      const cancelled = await longAzure.runRecoveryPlanAction({ planName, action: 'failoverCancel' });
      // The failover shut the sources down (sourceSiteOperations Required): they go back on whoever
      // cancelled it (this attempt, an earlier one, an operator in the portal), so the batch's own phase
      // decides, not whether this call found the cancel still to do.
      const sourcesShutDown = patched(PATCH.sourcePowerOnFromPhase)
        ? failoverStarted
        : cancelled === 'completed';
      if (sourcesShutDown) await azure.powerOnSourceVms({ vmNames: names });
      await azure.deleteRecoveryPlan({ planName });
    }
    await longAzure.disableReplication({ site, vms: refs(names) });
    for (const t of state.tracks) if (t.disposition !== 'skipped') t.disposition = 'rolled-back';
    enterPhase('rolled-back', `Rolled back by ${request.by}: ${request.reason}`);
    // Awaited: the batch ends next, and a child not yet started when its parent closes is never started.
    await notify('rolled-back', `Rolled back by ${request.by}: ${request.reason}`);
  };

  const phaseReached = (phase: BatchPhase) =>
    phaseIndex(state.phase) > phaseIndex(phase) && state.phase !== 'awaiting-operator';

  /**
   * Inside the window, the application's databases cut over before its VMs fail over: each database
   * workflow gets the cutover signal and answers when it is done. A failed database holds the batch.
   */
  const cutOverDatabases = async () => {
    for (;;) {
      const pending = databases.filter((d) => databaseOutcomes.get(d.databaseId) !== 'migrated');
      if (pending.length === 0) return;
      await checkpoint();
      enterPhase('cutting-over-databases', `Cutting over ${pending.map((d) => d.databaseId).join(', ')}`);
      await condition(() => state.databasesStarted);
      for (const database of pending) databaseOutcomes.delete(database.databaseId);
      // All in one workflow task: each database's cutover runs on its own clock.
      await Promise.all(
        pending.map(async (database) => {
          try {
            await getExternalWorkflowHandle(database.workflowId).signal(databaseCutoverSignal, {
              by: `batch ${spec.batchId}`,
              reason: 'the application cutover window is open',
              ...(state.cutoverAuthorization ? { authorization: state.cutoverAuthorization } : {}),
            });
          } catch (error) {
            if (isCancellation(error)) throw error;
            // The database workflow has ended without migrating: the batch holds for the operator below.
            databaseOutcomes.set(database.databaseId, 'failed-needs-attention');
          }
        }),
      );
      await waitFor(() => pending.every((d) => databaseOutcomes.has(d.databaseId)));
      const failed = pending.filter((d) => databaseOutcomes.get(d.databaseId) !== 'migrated');
      if (failed.length > 0) {
        await hold(
          `Database cutover failed for ${failed.map((d) => d.databaseId).join(', ')}: retry the database, then retry this batch.`,
        );
      }
    }
  };

  const createRecoveryPlan = async () => {
    await azure.createRecoveryPlan({
      site,
      planName,
      vms: spec.vms.filter((vm) => track(vm.name)?.disposition === 'active'),
    });
    state.planCreated = true;
  };
  const testFailover = () =>
    longAzure.runRecoveryPlanAction({
      planName,
      action: 'testFailover',
      testNetworkId: target.testNetworkId,
    });
  const cleanUpTestFailover = () =>
    longAzure.runRecoveryPlanAction({ planName, action: 'testFailoverCleanup' });
  const failOver = () => longAzure.runRecoveryPlanAction({ planName, action: 'unplannedFailover' });
  const commitFailover = () => longAzure.runRecoveryPlanAction({ planName, action: 'failoverCommit' });
  const completeMigration = () =>
    longAzure.completeMigration({ site, vms: refs(active().map((t) => t.name)) });

  /** A failed test failover is cleaned up before the hold; a failed validation too, and retry tests again. */
  const testFailoverUntilValid = async () => {
    for (;;) {
      await step('test-failover', testFailover, { onFailure: cleanUpTestFailover });
      const failure = await validate('validating', settings.validation?.testFailover ?? []);
      if (!failure) return;
      await step('test-failover-cleanup', cleanUpTestFailover);
      await hold(`${failure}. Retry runs the test failover again; rollback undoes the batch.`);
    }
  };

  /** Every active VM must read failed over; retry runs the failover again. */
  const verifyFailover = async () => {
    for (;;) {
      const readings = await azure.readBatchState({ site, vms: refs(active().map((t) => t.name)) });
      for (const reading of readings) {
        const t = track(reading.name);
        if (t) t.status = reading;
      }
      const missing = readings.filter((r) => r.state !== 'failed-over');
      if (missing.length === 0) return;
      await hold(
        `Not failed over: ${missing.map((r) => `${r.name} (${r.protectionState})`).join(', ')}. Retry re-runs the failover; rollback cancels it.`,
      );
      await failOver();
    }
  };

  /** Post-cutover validation: the last moment a rollback (cancel failover, sources back on) is possible. */
  const validateCutover = async () => {
    for (;;) {
      const failure = await validate('validating-cutover', settings.validation?.cutover ?? []);
      if (!failure) return;
      await hold(`${failure}. Retry validates again; rollback cancels the failover.`);
    }
  };

  /** The point of no return: once the commit starts, rollback is refused. */
  const commit = async () => {
    await checkpoint();
    commitStarted = true;
    await step('committing', commitFailover);
  };

  /** From the recovery plan to completed migration, for the VMs still active after replication. */
  const migrateActiveVms = async () => {
    await step('creating-recovery-plan', createRecoveryPlan);
    await testFailoverUntilValid();
    await step('test-failover-cleanup', cleanUpTestFailover);
    await waitForCutoverWindow();
    await cutOverDatabases();
    failoverStarted = true;
    await step('cutover', failOver);
    await step('verifying-cutover', verifyFailover);
    await validateCutover();
    await commit();
    await step('completing-migration', completeMigration);
    for (const t of active()) t.disposition = 'migrated';
    enterPhase('completed');
  };

  const migrateBatch = async () => {
    if (!phaseReached('enabling-replication')) await step('enabling-replication', enable);
    if (!phaseReached('replicating')) await step('replicating', replicate);
    await settleBeforePlan();
    if (active().length === 0) enterPhase('completed', 'No VM left to migrate in this batch');
    else await migrateActiveVms();
  };

  await runWithRollback(migrateBatch, {
    rollback,
    reversible: () => !commitStarted,
    cancelledBy: { by: 'system', reason: 'Batch workflow cancelled' },
  });
  const result: BatchResult = {
    batchId: spec.batchId,
    phase: state.phase,
    vms: batchOutcomes(state.tracks, state.phase === 'rolled-back'),
  };
  // A cancelled wave stops awaiting its children's results but still reports every outcome, so a
  // cancelled batch sends its result by signal (a normal end reaches the wave as the child's result).
  const cancelled = CancellationScope.current().consideredCancelled;
  await CancellationScope.nonCancellable(async () => {
    if (input.parentWorkflowId && cancelled) {
      await getExternalWorkflowHandle(input.parentWorkflowId).signal(batchFinishedSignal, result);
    }
    await condition(allHandlersFinished);
  });
  return result;
}
