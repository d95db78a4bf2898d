/**
 * The operator-hold skeleton the migration workflows share (sandbox-safe): each phase is published as a
 * search-attribute stage and as the workflow's current details; a failed step holds the workflow until an
 * operator retries it (the step runs again) or rolls back; a rollback request or a cancellation unwinds
 * the workflow through its compensation.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { azureCodeOf, ErrorType } from '../contracts/errors.ts';
import { retryUpdate, rollbackUpdate, type OperatorAction } from '../contracts/messages.ts';
import { phaseKey } from '../contracts/search-attributes.ts';
import { refuse, vmNamesProblem, type ActionGuard } from './operator-actions.ts';

type RetryAction = OperatorAction & { vmNames?: string[] };

/** Phases every migration workflow has besides its own. */
type OperatorPhase = 'awaiting-operator' | 'rolling-back' | 'rolled-back';

export interface OperatorHoldOptions<Phase extends string> {
  /** The workflow's checkpoint: the phase is carried across continue-as-new. */
  state: { phase: Phase | OperatorPhase };
  /** The stage a phase publishes as `MigrationPhase`. */
  stageOf: (phase: Phase | OperatorPhase) => string;
  /** Keys the workflow publishes with its first stage; empty when whoever started it set them. */
  ownKeys: SearchAttributeUpdatePair[];
  /** The workflow's current details (Markdown) in a phase. */
  details: (phase: Phase | OperatorPhase, why: string | undefined) => string;
  /** While this holds, the workflow waits before its next step (the batch's pause). */
  paused?: () => boolean;
  /** A rollback request stops the running step's activity instead of letting it finish. */
  rollbackStopsSteps?: boolean;
  /** Records why the workflow holds, when the hold has an error code. */
  recordError?: (error: { code: string; message: string }) => void;
  /** Called as the workflow starts holding for an operator (the batch raises its notification). */
  onHold?: (why: string) => void;
  /** Checks an operator update's limits, signed stamp and role (see `actionGuard`). */
  guard: ActionGuard;
}

/** What a failed activity says: its Azure error code (or `ActivityFailed`) and message. */
export function activityFailureOf(error: unknown): { code: string; message: string } {
  // Only a failed activity holds for the operator; anything else (cancellation, rollback, a bug) unwinds.
  if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure) {
    return { code: cause.type ? azureCodeOf(cause.type) : 'ActivityFailed', message: cause.message };
  }
  return { code: 'ActivityFailed', message: cause instanceof Error ? cause.message : String(cause) };
}

/** Runs `work`; stops it (and returns undefined) as soon as `stop()` holds. */
export async function unless<T>(stop: () => boolean, work: () => Promise<T>): Promise<T | undefined> {
  const scope = new CancellationScope();
  const running = scope.run(work);
  const first = await Promise.race([
    running.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    condition(stop).then(() => 'stopped' as const),
  ]);
  if (first === 'done') return running;
  scope.cancel();
  await running.catch(() => undefined);
  return undefined;
}

export function operatorHold<Phase extends string>(options: OperatorHoldOptions<Phase>) {
  const { state } = options;
  let detail: string | undefined;
  let holding = false;
  let retryRequested = false;
  let rollbackRequest: OperatorAction | undefined;
  let publishedStage = workflowInfo().typedSearchAttributes.get(phaseKey);
  const ownKeys = [...options.ownKeys];
  const rollbackRequested = () => rollbackRequest !== undefined;

  /** Publishes the stage only when it changes: each upsert is a billable action. */
  const enterPhase = (phase: Phase | OperatorPhase, why?: string) => {
    state.phase = phase;
    detail = why;
    const stage = options.stageOf(phase);
    if (stage !== publishedStage) {
      upsertSearchAttributes([...ownKeys.splice(0), { key: phaseKey, value: stage }]);
      publishedStage = stage;
    }
    setCurrentDetails(options.details(phase, why));
  };

  const checkRollback = () => {
    if (rollbackRequest) {
      throw ApplicationFailure.create({ type: ErrorType.rollbackRequested, message: 'rollback requested' });
    }
  };

  /** Between steps: honour a pause, and turn a rollback request into the rollback path. */
  const checkpoint = async () => {
    const paused = options.paused;
    if (paused) await condition(() => !paused() || rollbackRequested());
    checkRollback();
  };

  /** Waits until `ready()` holds, or throws into the rollback path when one is requested. */
  const waitFor = async (ready: () => boolean) => {
    await condition(() => ready() || rollbackRequested());
    await checkpoint();
  };

  /**
   * Holds the workflow until an operator retries (returns) or rolls back (throws), or until `resolved()`
   * holds (e.g. every parked VM was skipped).
   */
  const hold = async (why: string, opts: { code?: string; resolved?: () => boolean } = {}) => {
    holding = true;
    retryRequested = false;
    if (opts.code !== undefined) options.recordError?.({ code: opts.code, message: why });
    enterPhase('awaiting-operator', why);
    options.onHold?.(why);
    await condition(() => retryRequested || rollbackRequested() || (opts.resolved?.() ?? false));
    holding = false;
    retryRequested = false;
    await checkpoint();
  };

  /**
   * Holds a rollback that Azure refused (the rollback request is already taken, so only a retry ends the
   * hold): the workflow reports why and waits for an operator to retry the refused step.
   */
  const holdRollback = async (why: string, code: string) => {
    holding = true;
    retryRequested = false;
    options.recordError?.({ code, message: why });
    enterPhase('awaiting-operator', why);
    options.onHold?.(why);
    await condition(() => retryRequested);
    holding = false;
    retryRequested = false;
  };

  /**
   * Runs one step; a failed activity (after `onFailure`, which cannot be cancelled) holds the workflow for
   * the operator, and the step runs again on retry.
   */
  const step = async <T>(
    phase: Phase,
    run: () => Promise<T>,
    how: { why?: string; onFailure?: () => Promise<unknown> } = {},
  ): Promise<T> => {
    for (;;) {
      await checkpoint();
      enterPhase(phase, how.why);
      try {
        if (!options.rollbackStopsSteps) return await run();
        const result = await unless(rollbackRequested, run);
        checkRollback();
        return result as T;
      } catch (error) {
        const failure = activityFailureOf(error);
        if (how.onFailure) await CancellationScope.nonCancellable(how.onFailure);
        await hold(`${phase} failed: ${failure.message}`, { code: failure.code });
      }
    }
  };

  /** The `retry` update: `refuseIf` refuses what this workflow cannot retry, `accept` answers the operator. */
  const handleRetry = (handlers: {
    refuseIf: (action: RetryAction) => void;
    accept: (action: RetryAction) => string;
  }) => {
    setHandler(
      retryUpdate,
      (action) => {
        const answer = handlers.accept(action);
        retryRequested = true;
        return answer;
      },
      {
        validator: (action: RetryAction) => {
          options.guard('retry', action, 'operator');
          const problem = vmNamesProblem(action.vmNames);
          if (problem) refuse(problem);
          handlers.refuseIf(action);
        },
      },
    );
  };

  /**
   * The `rollback` update: `refuseIf` refuses it past the workflow's point of no return; a second request
   * is refused, naming the workflow as `name`.
   */
  const handleRollback = (handlers: { name: string; refuseIf: () => void; accept: () => string }) => {
    setHandler(
      rollbackUpdate,
      (action) => {
        rollbackRequest = action;
        return handlers.accept();
      },
      {
        validator: (action: OperatorAction) => {
          // Undoing a batch or a database's migration is a lead's decision.
          options.guard('rollback', action, 'lead');
          handlers.refuseIf();
          if (rollbackRequest || state.phase === 'rolling-back' || state.phase === 'rolled-back') {
            refuse(
              `${handlers.name} is already ${state.phase === 'rolled-back' ? 'rolled back' : 'rolling back'}.`,
            );
          }
        },
      },
    );
  };

  /**
   * Runs the workflow's main line. A rollback request, or a cancellation, runs `rollback` (which cannot be
   * cancelled) while `reversible()` holds; a cancellation is rolled back on behalf of `cancelledBy`.
   */
  const runWithRollback = async (
    main: () => Promise<void>,
    unwind: {
      rollback: (request: OperatorAction) => Promise<void>;
      reversible: () => boolean;
      cancelledBy: OperatorAction;
    },
  ) => {
    try {
      await main();
    } catch (error) {
      const isRollback = error instanceof ApplicationFailure && error.type === ErrorType.rollbackRequested;
      if ((!isRollback && !isCancellation(error)) || !unwind.reversible()) throw error;
      // Rollback and cancellation both return the workflow to a clean state.
      const request = (rollbackRequest ??= unwind.cancelledBy);
      await CancellationScope.nonCancellable(() => unwind.rollback(request));
    }
  };

  return {
    enterPhase,
    checkpoint,
    checkRollback,
    waitFor,
    hold,
    holdRollback,
    step,
    handleRetry,
    handleRollback,
    runWithRollback,
    /** Why the workflow is in its phase, for its progress query. */
    detail: () => detail,
    /** Whether a step's failure holds the workflow for an operator right now. */
    holding: () => holding,
    rollbackRequested,
  };
}
