import {
  ActivityCancellationType,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DatabaseCheckpoint, DatabaseWorkflowInput } from '../contracts/workflow-inputs.ts';
import { azureRetry } from './activity-options.ts';
import type { DataMigrationActivities } from '../activities/data-migration.ts';
import {
  databaseSpecProblems,
  isMigrationFinished,
  migrationVerificationProblems,
} from '../domain/database-rules.ts';
import type {
  DatabaseMigrationStatus,
  DatabaseOutcome,
  DatabasePhase,
  DatabaseResult,
} from '../domain/migration.ts';
import {
  cutoverDatabaseNowUpdate,
  databaseCutoverDoneSignal,
  databaseCutoverSignal,
  databaseProgressQuery,
  type DatabaseProgress,
  type OperatorAction,
} from '../contracts/messages.ts';
import { actionGuard, cutoverSignalProblem, IN_WINDOW_CUTOVER_ROLES, refuse } from './operator-actions.ts';
import { activityFailureOf, operatorHold, unless } from './operator-hold.ts';
import { batchIdKey, databaseStage, waveIdKey } from '../contracts/search-attributes.ts';
import { ErrorType } from '../contracts/errors.ts';

/** Phases in which the target already serves the application: no rollback any more. */
const pastCutover: readonly DatabasePhase[] = ['cutting-over', 'verifying', 'scaling-down', 'completed'];

function describe(status: DatabaseMigrationStatus): string {
  const parts = [
    `Azure: ${status.migrationStatus}`,
    status.copiedPercent === undefined ? undefined : `${status.copiedPercent} % copied`,
    status.pendingLogBackups === undefined ? undefined : `${status.pendingLogBackups} log backup(s) pending`,
    status.pendingChanges === undefined ? undefined : `${status.pendingChanges} change(s) pending`,
    status.blockingReason,
  ];
  return parts.filter((part) => part !== undefined).join('; ');
}

/**
 * One database, moved by the Azure Database Migration Service: optional scale-up of the target, the
 * migration (SQL migration API for SQL Server, classic DMS tasks for MySQL/PostgreSQL), monitoring until
 * ready, cutover when the application's batch signals its window (or an operator says now), verification
 * and scale-down. Offline migrations finish without waiting. A failed migration parks the database for an
 * operator: `retry` starts a new migration, `rollback` cancels it and scales the target back down (refused
 * once the cutover has started).
 */
export async function migrationDatabase(input: DatabaseWorkflowInput): Promise<DatabaseResult> {
  const { spec, services, settings } = input;
  const problems = databaseSpecProblems(spec);
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: ErrorType.invalidDatabaseSpec,
      message: problems.join('; '),
      nonRetryable: true,
    });
  }
  const ref = { spec, services };
  const online = spec.mode === 'online';
  const activityOptions = {
    taskQueue: settings.azureTaskQueue,
    heartbeatTimeout: settings.heartbeatTimeoutMs,
    retry: azureRetry,
  };
  const azure = proxyActivities<DataMigrationActivities>({ ...activityOptions, startToCloseTimeout: '6h' });
  // Polls only read: a cancelled poll need not be waited for.
  const reader = proxyActivities<DataMigrationActivities>({
    ...activityOptions,
    startToCloseTimeout: settings.reportEveryMs + 10 * 60_000,
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  });

  const state: DatabaseCheckpoint = input.checkpoint ?? {
    phase: 'pending',
    stage: 'migrate',
    migrationStarted: false,
    cutoverCompleted: false,
  };
  let outcome: { outcome: DatabaseOutcome; reason?: string; errorCode?: string } | undefined;
  const guard = actionGuard(() => ({
    trustedKeys: input.trustedStampKeys,
    workflowId: workflowInfo().workflowId,
    nowMs: Date.now(),
  }));
  const window = input.cutoverWindow;
  const outsideWindow = () =>
    window !== undefined && (Date.now() < Date.parse(window.start) || Date.now() > Date.parse(window.end));

  const {
    enterPhase,
    checkRollback,
    hold,
    holdRollback,
    step,
    handleRetry,
    handleRollback,
    runWithRollback,
    detail,
    holding,
    rollbackRequested,
  } = operatorHold<DatabasePhase>({
    state,
    stageOf: databaseStage,
    // The wave sets WaveId, BatchId and the first stage when it starts the database; one started on its
    // own (or continued as new) publishes its stage here.
    ownKeys: workflowInfo().typedSearchAttributes.get(waveIdKey)
      ? []
      : [
          ...(input.waveId ? [{ key: waveIdKey, value: input.waveId }] : []),
          ...(input.batchId ? [{ key: batchIdKey, value: input.batchId }] : []),
        ],
    details: (phase, why) =>
      `**${spec.id}** (${spec.engine}, ${spec.mode}) — **${phase}**${why ? `\n\n${why}` : ''}`,
    rollbackStopsSteps: true,
    recordError: (error) => {
      state.lastError = error;
    },
    guard,
  });

  setHandler(databaseProgressQuery, (): DatabaseProgress => ({
    databaseId: spec.id,
    name: spec.name,
    engine: spec.engine,
    application: spec.application,
    mode: spec.mode,
    phase: state.phase,
    detail: detail(),
    migrationStatus: state.status?.migrationStatus,
    migration: state.status,
    cutoverRequest: state.cutoverRequest,
    cutoverCompleted: state.cutoverCompleted,
    lastError: state.lastError,
    outcome: outcome?.outcome,
    updatedAt: new Date().toISOString(),
  }));

  setHandler(databaseCutoverSignal, async ({ by, reason, authorization }) => {
    if (!online || state.cutoverCompleted || state.cutoverRequest) return;
    const refused = cutoverSignalProblem({
      trustedKeys: input.trustedStampKeys,
      window,
      batchWorkflowId: input.notifyWorkflowId,
      authorization,
      nowMs: Date.now(),
    });
    if (refused) {
      // Not cut over; the batch (if it asked) holds for an operator, who can cut over with a lead's force.
      state.lastError = {
        code: 'CutoverSignalRefused',
        message: `Cutover requested by ${by} refused: ${refused}`,
      };
      log.warn('cutover signal refused', { by, reason: refused });
      await notify('failed-needs-attention');
      return;
    }
    state.cutoverRequest = { by, reason, at: new Date().toISOString() };
  });

  setHandler(
    cutoverDatabaseNowUpdate,
    (action) => {
      state.cutoverRequest = { by: action.by, reason: action.reason, at: new Date().toISOString() };
      return `Cutting ${spec.id} over now.`;
    },
    {
      validator: (action: OperatorAction & { force?: boolean }) => {
        // Outside its batch's planned window a database cutover is a force: a lead's decision.
        const outside = outsideWindow();
        guard('cutoverDatabaseNow', action, outside ? 'lead' : IN_WINDOW_CUTOVER_ROLES);
        if (outside && action.force !== true) {
          refuse(
            `Now is outside the cutover window ${window?.start} – ${window?.end} of ${spec.application}; pass force with a reason to cut ${spec.id} over anyway.`,
          );
        }
        if (!online) refuse(`${spec.id} migrates offline: it completes without a cutover.`);
        if (state.phase !== 'ready-for-cutover') {
          refuse(`${spec.id} is ${state.phase}, not ready for cutover; its migration must be ready first.`);
        }
      },
    },
  );

  handleRetry({
    refuseIf: (action) => {
      if (action.vmNames?.length) refuse(`${spec.id} is a database workflow; vmNames do not apply.`);
      if (!holding()) refuse(`${spec.id} is ${state.phase}, not waiting for an operator; nothing to retry.`);
    },
    accept: () => `Retrying ${spec.id} (${state.lastError?.code ?? 'held step'}).`,
  });

  handleRollback({
    name: spec.id,
    refuseIf: () => {
      if (state.cutoverCompleted || pastCutover.includes(state.phase)) {
        refuse(
          `${spec.id} is past its cutover (${state.phase}); the target serves the application, rollback is refused.`,
        );
      }
    },
    accept: () => `Rolling back ${spec.id} from phase ${state.phase}.`,
  });

  // The batch waits for the cutover of its online databases only.
  const notify = async (result: DatabaseOutcome) => {
    if (!input.notifyWorkflowId || !online) return;
    try {
      await getExternalWorkflowHandle(input.notifyWorkflowId).signal(databaseCutoverDoneSignal, {
        databaseId: spec.id,
        outcome: result,
      });
    } catch (error) {
      log.warn('could not notify the application workflow', {
        notifyWorkflowId: input.notifyWorkflowId,
        error,
      });
    }
  };

  /** Polls until the migration finishes, cutting it over when it is ready and a cutover is wanted. */
  const monitor = async (): Promise<DatabaseMigrationStatus> => {
    let polls = 0;
    for (;;) {
      const status = state.status ?? { state: 'not-started', migrationStatus: 'Unknown' };
      if (isMigrationFinished(status.state) || status.state === 'not-started') return status;
      const request = online ? state.cutoverRequest : { by: 'system', reason: 'offline migration' };
      if (status.state === 'ready' && request && !status.cutoverRefused) {
        state.status = await step('cutting-over', () => azure.cutoverDatabaseMigration(ref), {
          why: `Requested by ${request.by}: ${request.reason}`,
        });
        state.fingerprint = undefined;
        continue;
      }
      // Azure refused the cutover as not ready (or still validating): keep waiting, showing why, and ask
      // again after the next read (which also clears the refusal).
      const refusal = status.cutoverRefused
        ? `Azure refused the cutover (${status.cutoverRefused.code}); asking again shortly. `
        : '';
      const ready = status.state === 'ready';
      enterPhase(
        ready && !refusal ? 'ready-for-cutover' : request && online ? 'awaiting-cutover' : 'migrating',
        refusal
          ? `${refusal}${describe(status)}`
          : ready
            ? `Waiting for the cutover window of ${spec.application}; ${describe(status)}`
            : describe(status),
      );
      checkRollback();
      if (polls >= settings.continueAsNewAfterPolls || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof migrationDatabase>({ ...input, checkpoint: state });
      }
      // Ready (and no cutover requested yet, or it would have been cut over above): wait for the batch.
      // Refused: wait as long before the read that leads to the next attempt.
      if (ready) {
        const stop = () =>
          rollbackRequested() || (state.cutoverRequest !== undefined && !status.cutoverRefused);
        if (await condition(stop, settings.readyCheckEveryMs ?? 4 * settings.reportEveryMs)) continue;
      }
      try {
        const poll = await unless(
          () =>
            rollbackRequested() || (ready && state.cutoverRequest !== undefined && !status.cutoverRefused),
          () =>
            reader.pollDatabaseMigration({
              ...ref,
              previousFingerprint: state.fingerprint,
              // Waiting for the cutover: one read, then back to waiting.
              maxWaitMs: ready ? 0 : settings.reportEveryMs,
            }),
        );
        polls += 1;
        checkRollback();
        if (poll) {
          state.fingerprint = poll.fingerprint;
          state.status = poll.status;
        }
      } catch (error) {
        const failure = activityFailureOf(error);
        await hold(`Reading the migration failed: ${failure.message}`, { code: failure.code });
      }
    }
  };

  /** Starts (or re-starts after a failure) the migration and follows it to Succeeded. */
  const migrate = async () => {
    for (;;) {
      if (!state.migrationStarted) {
        const scaleUp = spec.scaleUp ? `, scaling the target to ${spec.scaleUp.migrationSku.name}` : '';
        state.status = await step('migrating', () => azure.startDatabaseMigration(ref), {
          why: `Preparing the migration service${scaleUp}, starting the migration`,
        });
        state.migrationStarted = true;
        state.fingerprint = undefined;
      }
      const final = await monitor();
      if (final.state === 'succeeded') return;
      const code =
        final.errorCode ??
        (final.state === 'canceled'
          ? 'MigrationCanceled'
          : final.state === 'not-started'
            ? 'MigrationNotFound'
            : 'MigrationFailed');
      const cutoverFailed = state.cutoverRequest !== undefined;
      // A new migration may be ready outside the window: the batch (or an operator) asks again.
      state.cutoverRequest = undefined;
      state.migrationStarted = false;
      if (cutoverFailed && online) await notify('failed-needs-attention');
      await hold(
        `The migration ended ${final.migrationStatus} (${code}${final.errorMessage ? `: ${final.errorMessage}` : ''}). Retry starts a new migration; rollback cancels it and scales the target back down.`,
        { code },
      );
    }
  };

  /** Checks the final state the migration was last read in; on retry it is read (or cut over) again. */
  const verify = async () => {
    for (;;) {
      const status = state.status ?? { state: 'not-started', migrationStatus: 'Unknown' };
      const problems = migrationVerificationProblems(spec, status);
      if (problems.length === 0) return;
      // Azure says the migration is still ready to complete: the cutover did not take. This database is
      // past its cutover (rollback is refused), so the only way forward is to cut over again.
      const notCutOver = status.state === 'ready';
      await hold(
        `Verification failed: ${problems.join('; ')}. ${notCutOver ? 'Retry cuts over again, then verifies.' : 'Retry verifies again.'}`,
        { code: 'DatabaseVerificationFailed' },
      );
      state.status = notCutOver
        ? await step('cutting-over', () => azure.cutoverDatabaseMigration(ref), {
            why: 'The cutover did not take: cutting over again',
          })
        : (
            await step('verifying', () => reader.pollDatabaseMigration({ ...ref, maxWaitMs: 0 }), {
              why: 'Reading the final state of the migration again',
            })
          ).status;
    }
  };

  /**
   * Cancels the migration and scales the target back down. A cancel Azure refuses (or that fails) is
   * reported and held for an operator, who retries it once the migration can be cancelled.
   */
  const rollback = async (by: OperatorAction) => {
    for (;;) {
      enterPhase('rolling-back', `Requested by ${by.by}: ${by.reason}`);
      try {
        state.status = await azure.cancelDatabaseMigration(ref);
        break;
      } catch (error) {
        const failure = activityFailureOf(error);
        await holdRollback(
          `Cancelling the migration failed: ${failure.message}. Retry cancels it again; the rollback goes on from there.`,
          failure.code,
        );
      }
    }
    if (spec.scaleUp) await azure.scaleDatabaseTarget({ spec, sku: spec.scaleUp.normalSku });
    outcome = { outcome: 'rolled-back', reason: `Rolled back by ${by.by}: ${by.reason}` };
    enterPhase('rolled-back', outcome.reason);
    await notify('rolled-back');
  };

  /** Migrate until cut over, verify, scale back down; each stage is kept across continue-as-new. */
  const migrateDatabase = async () => {
    if (state.stage === 'migrate') {
      await migrate();
      state.cutoverCompleted = true;
      state.stage = 'verify';
    }
    if (state.stage === 'verify') {
      await verify();
      await notify('migrated');
      state.stage = 'scale-down';
    }
    const scaleDown = spec.scaleUp?.normalSku;
    if (state.stage === 'scale-down' && scaleDown) {
      await step('scaling-down', () => azure.scaleDatabaseTarget({ spec, sku: scaleDown }), {
        why: `Scaling the target back to ${scaleDown.name}`,
      });
    }
    state.stage = 'done';
    const request = state.cutoverRequest;
    outcome = {
      outcome: 'migrated',
      reason:
        online && request ? `Cut over by ${request.by}: ${request.reason}` : 'Offline migration completed',
    };
    enterPhase('completed', outcome.reason);
  };

  await runWithRollback(migrateDatabase, {
    rollback,
    reversible: () => !state.cutoverCompleted,
    cancelledBy: { by: 'system', reason: 'Database workflow cancelled' },
  });
  // Also after a cancellation: the wave collects every database's outcome.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  return {
    databaseId: spec.id,
    name: spec.name,
    phase: state.phase,
    outcome: outcome?.outcome ?? 'failed-needs-attention',
    ...(outcome?.reason ? { reason: outcome.reason } : {}),
    ...(state.lastError && outcome?.outcome !== 'migrated' ? { errorCode: state.lastError.code } : {}),
  };
}
