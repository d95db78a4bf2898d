/**
 * What the factory server does on Temporal: the CLI's reads (cli/operate/*) as data, and every action as
 * a workflow update carrying the server's signed stamp with the verified identity (`by` is that
 * identity's name, never what the caller typed). Refusals, the server's own and the workflows', go to the
 * durable refusal audit.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import {
  approveWaveUpdate,
  batchProgressQuery,
  cancelWaveUpdate,
  cutoverDatabaseNowUpdate,
  databaseProgressQuery,
  openCutoverUpdate,
  pauseUpdate,
  postponeCutoverUpdate,
  resumeUpdate,
  retryUpdate,
  rollbackUpdate,
  setBatchConcurrencyUpdate,
  signOffUpdate,
  skipUpdate,
  waveProgressQuery,
  type OperatorAction,
} from '../contracts/messages.ts';
import { waveWorkflowId } from '../contracts/ids.ts';
import { fromBase64Url, signStamp, type VerifiedIdentity } from '../contracts/operator-stamp.ts';
import {
  actionRefusedSignal,
  cappedRefusal,
  type RefusalFilter,
  type RefusedAction,
} from '../contracts/refusal-audit.ts';
import type { WaveWorkflowInput } from '../contracts/workflow-inputs.ts';
import { parseInstant, withinTwoYears } from '../domain/calendar-date.ts';
import { refusalEntries, refusedActions, waveAudit, type AuditEntry } from '../cli/operate/audit-history.ts';
import type { Temporal } from '../cli/operate/connection.ts';
import { CliError, ExitCode, refusalMessage } from '../cli/operate/exit-codes.ts';
import { requireBatch, requireDatabase, requireWave } from '../cli/operate/find-workflow.ts';
import { onBatch, type WaveContext } from '../cli/operate/wave-actions.ts';
import { waveListEntries } from '../cli/operate/wave-list.ts';
import { waveSnapshot } from '../cli/operate/wave-snapshot.ts';
import { prepareWave, settingsProfile, startWaveWorkflow } from '../cli/operate/wave-start.ts';
import { waveStartProblem } from '../workflows/operator-actions.ts';
import { factoryRefusalAudit } from '../workflows/refusal-audit.ts';
import type { ServerConfig } from './config.ts';

/** An error with the HTTP status the API answers. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The HTTP status of an error from the CLI's logic or a workflow; undefined for unexpected ones. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof ApiError) return error.statusCode;
  if (refusalMessage(error) !== undefined) return 409;
  if (error instanceof CliError)
    return error.exitCode === ExitCode.notFound
      ? 404
      : error.exitCode === ExitCode.refused
        ? 409
        : error.exitCode === ExitCode.usage
          ? 400
          : undefined;
  if (error instanceof Error && error.name === 'UserDateError') return 400;
  if (error instanceof Error && error.name === 'WorkflowNotFoundError') return 404;
  return undefined;
}

/** What the caller says about an action: why, and the change ticket. */
export interface Intent {
  reason: string;
  ticket?: string;
}

export interface ActionResult {
  message: string;
  /** Per-batch answers when an action went to several batches (pause/resume of a whole wave). */
  results?: { batchId: string; accepted: boolean; message: string }[];
}

export function createOperations(temporal: Temporal, config: ServerConfig) {
  const privateKey = fromBase64Url(config.stamp.privateKey);
  const stampFor = (update: string, workflowId: string, args: unknown, identity: VerifiedIdentity) =>
    signStamp({
      privateKey,
      keyId: config.stamp.keyId,
      update,
      workflowId,
      args,
      identity,
      issuedAt: new Date().toISOString(),
    });

  /** Sends an update with the server's stamp over exactly its name, target and argument. */
  function stamped<Arg extends OperatorAction>(
    handle: WorkflowHandle,
    update: UpdateDefinition<string, [Arg]>,
    args: Arg,
    identity: VerifiedIdentity,
  ): Promise<string> {
    const stamp = stampFor(update.name, handle.workflowId, args, identity);
    return handle.executeUpdate(update, { args: [{ ...args, stamp }] });
  }

  const actionOf = (identity: VerifiedIdentity, intent: Intent): OperatorAction => ({
    by: identity.name,
    reason: intent.reason,
    ...(intent.ticket ? { ticket: intent.ticket } : {}),
  });

  async function waveContext(waveId: string, action: OperatorAction): Promise<WaveContext> {
    const { handle } = await requireWave(temporal, waveId, config.workspace);
    const wave = await handle.query(waveProgressQuery);
    return { temporal, wave, handle, action };
  }

  async function onOneBatch<Arg extends OperatorAction>(
    waveId: string,
    batchId: string,
    update: UpdateDefinition<string, [Arg]>,
    args: (action: OperatorAction) => Arg,
    identity: VerifiedIdentity,
    intent: Intent,
  ): Promise<ActionResult> {
    const context = await waveContext(waveId, actionOf(identity, intent));
    const message = await onBatch(context, batchId, (h) =>
      stamped(h, update, args(context.action), identity),
    );
    return { message };
  }

  return {
    recordRefusal: async (record: RefusedAction) => {
      await temporal.client.workflow.signalWithStart(factoryRefusalAudit, {
        workflowId: config.audit.workflowId,
        taskQueue: config.audit.taskQueue,
        args: [[]],
        signal: actionRefusedSignal,
        signalArgs: [cappedRefusal(record)],
      });
    },

    refusals: (filter: RefusalFilter) => refusedActions(temporal, filter, config.audit.workflowId),

    listWaves: async () => ({
      namespace: temporal.namespace,
      waves: await waveListEntries(temporal, config.workspace ?? ''),
    }),

    waveStatus: async (waveId: string) => {
      const { handle } = await requireWave(temporal, waveId, config.workspace);
      return waveSnapshot(temporal, handle);
    },

    batchStatus: async (batchId: string) => {
      const { handle, description } = await requireBatch(temporal, batchId);
      const progress = await handle.query(batchProgressQuery);
      return {
        ...progress,
        workflowId: handle.workflowId,
        status: description.status.name,
        url: temporal.workflowUrl(handle.workflowId),
      };
    },

    databaseStatus: async (databaseId: string) => {
      const { handle, description } = await requireDatabase(temporal, databaseId);
      const progress = await handle.query(databaseProgressQuery);
      return {
        ...progress,
        workflowId: handle.workflowId,
        status: description.status.name,
        url: temporal.workflowUrl(handle.workflowId),
      };
    },

    /** Accepted actions from the histories and refused ones from the refusal audit, oldest first. */
    async waveAudit(waveId: string, refused: RefusedAction[]) {
      const workflowId = waveWorkflowId(waveId);
      let accepted: AuditEntry[] = [];
      try {
        await requireWave(temporal, waveId, config.workspace);
        accepted = await waveAudit(temporal, workflowId);
      } catch (error) {
        // Refusals of actions on a wave that was never started are still its audit.
        if (!(error instanceof CliError && error.exitCode === ExitCode.notFound) || refused.length === 0)
          throw error;
      }
      const entries = [...accepted, ...refusalEntries(refused, workflowId)];
      return { waveId, workflowId, entries: entries.sort((a, b) => a.at.localeCompare(b.at)) };
    },

    async startWave(
      waveId: string,
      identity: VerifiedIdentity,
      intent: Intent & {
        profile?: string;
        maxConcurrentBatches: number;
        requireApproval: boolean;
        signOff: boolean;
        cutoverWhenReady: boolean;
      },
    ): Promise<ActionResult & { workflowId: string }> {
      if (!config.workspace)
        throw new ApiError(400, 'this server has no workspace (FACTORY_WORKSPACE): it cannot start waves');
      const env = config.waveEnv ?? process.env;
      const prepared = await prepareWave({
        workspace: config.workspace,
        waveId,
        env,
        profile: settingsProfile(intent.profile, env),
        run: {
          maxConcurrentBatches: intent.maxConcurrentBatches,
          requireApproval: intent.requireApproval,
          requireValidationSignOff: intent.signOff,
          cutover: intent.cutoverWhenReady ? 'when-ready' : 'plan-windows',
        },
      });
      const workflowId = waveWorkflowId(waveId);
      const unsigned: WaveWorkflowInput = {
        ...prepared.input,
        trustedStampKeys: config.stamp.trustedKeys,
        startedBy: identity,
      };
      const input = { ...unsigned, startStamp: stampFor('startWave', workflowId, unsigned, identity) };
      // The workflow would fail at once on the same check (for example no approval without the lead role):
      // refuse here, so the caller gets the reason and no failed wave is left behind.
      const refused = waveStartProblem(input, workflowId, Date.now());
      if (refused) throw new CliError(`Wave ${waveId} not started: ${refused}`, ExitCode.refused);
      await startWaveWorkflow(temporal.client, input, actionOf(identity, intent), prepared.taskQueue);
      return {
        workflowId,
        message: `Started wave ${waveId}: ${prepared.vmCount} VMs in ${prepared.batchCount} batch(es), ${prepared.databaseCount} database(s).`,
      };
    },

    async approve(
      waveId: string,
      identity: VerifiedIdentity,
      intent: Intent & {
        waivers?: { server: string; reason: string }[];
        preflightWaivers?: { check: string; reason: string }[];
        acceptCapacityViolations?: boolean;
      },
    ): Promise<ActionResult> {
      const context = await waveContext(waveId, actionOf(identity, intent));
      const args = {
        ...context.action,
        ...(intent.waivers?.length ? { waivers: intent.waivers } : {}),
        ...(intent.preflightWaivers?.length ? { preflightWaivers: intent.preflightWaivers } : {}),
        ...(intent.acceptCapacityViolations ? { acceptCapacityViolations: true } : {}),
      };
      return { message: await stamped(context.handle, approveWaveUpdate, args, identity) };
    },

    /** A lead's cancel: the wave rolls back its uncommitted batches and ends cancelled. */
    async cancelWave(waveId: string, identity: VerifiedIdentity, intent: Intent): Promise<ActionResult> {
      const context = await waveContext(waveId, actionOf(identity, intent));
      return { message: await stamped(context.handle, cancelWaveUpdate, context.action, identity) };
    },

    async concurrency(
      waveId: string,
      identity: VerifiedIdentity,
      intent: Intent & { maxConcurrentBatches: number },
    ) {
      const context = await waveContext(waveId, actionOf(identity, intent));
      const args = { ...context.action, maxConcurrentBatches: intent.maxConcurrentBatches };
      return { message: await stamped(context.handle, setBatchConcurrencyUpdate, args, identity) };
    },

    /** Pause or resume one batch, or every started, unfinished batch of the wave. */
    async pauseResume(
      kind: 'pause' | 'resume',
      waveId: string,
      identity: VerifiedIdentity,
      intent: Intent & { batchId?: string },
    ): Promise<ActionResult> {
      const update = kind === 'pause' ? pauseUpdate : resumeUpdate;
      const context = await waveContext(waveId, actionOf(identity, intent));
      if (intent.batchId)
        return {
          message: await onBatch(context, intent.batchId, (h) =>
            stamped(h, update, context.action, identity),
          ),
        };
      const targets = context.wave.batches.filter(
        (b) => !['pending', 'completed', 'rolled-back'].includes(b.phase),
      );
      if (targets.length === 0)
        throw new CliError(
          `Wave ${waveId} is ${context.wave.phase} and has no running batch to ${kind}.`,
          ExitCode.refused,
        );
      const results: NonNullable<ActionResult['results']> = [];
      for (const batch of targets) {
        try {
          const handle = temporal.client.workflow.getHandle(batch.workflowId);
          results.push({
            batchId: batch.batchId,
            accepted: true,
            message: await stamped(handle, update, context.action, identity),
          });
        } catch (error) {
          const refusal = refusalMessage(error);
          if (refusal === undefined) throw error;
          results.push({ batchId: batch.batchId, accepted: false, message: refusal });
        }
      }
      const accepted = results.filter((r) => r.accepted).length;
      return { message: `${kind}: ${accepted} of ${results.length} batch(es) accepted.`, results };
    },

    retry: (
      waveId: string,
      identity: VerifiedIdentity,
      intent: Intent & { batchId: string; vmNames?: string[] },
    ) =>
      onOneBatch(
        waveId,
        intent.batchId,
        retryUpdate,
        (action) => ({ ...action, ...(intent.vmNames?.length ? { vmNames: intent.vmNames } : {}) }),
        identity,
        intent,
      ),

    skip: (
      waveId: string,
      identity: VerifiedIdentity,
      intent: Intent & { batchId: string; vmNames: string[] },
    ) =>
      onOneBatch(
        waveId,
        intent.batchId,
        skipUpdate,
        (action) => ({ ...action, vmNames: intent.vmNames }),
        identity,
        intent,
      ),

    rollback: (waveId: string, identity: VerifiedIdentity, intent: Intent & { batchId: string }) =>
      onOneBatch(waveId, intent.batchId, rollbackUpdate, (action) => action, identity, intent),

    cutover: (
      waveId: string,
      identity: VerifiedIdentity,
      intent: Intent & { batchId: string; force?: boolean },
    ) =>
      onOneBatch(
        waveId,
        intent.batchId,
        openCutoverUpdate,
        (action) => ({ ...action, ...(intent.force ? { force: true } : {}) }),
        identity,
        intent,
      ),

    postpone: (
      waveId: string,
      identity: VerifiedIdentity,
      intent: Intent & { batchId: string; until: string },
    ) => {
      // The same bounds as the CLI: a real instant, in the future, within two years (Temporal's timers).
      const until = new Date(
        parseInstant(intent.until, 'until', withinTwoYears(Date.now())).epochMilliseconds,
      ).toISOString();
      return onOneBatch(
        waveId,
        intent.batchId,
        postponeCutoverUpdate,
        (action) => ({ ...action, until }),
        identity,
        intent,
      );
    },

    signOff: (
      waveId: string,
      identity: VerifiedIdentity,
      intent: Intent & { batchId: string; approved: boolean },
    ) =>
      onOneBatch(
        waveId,
        intent.batchId,
        signOffUpdate,
        (action) => ({ ...action, approved: intent.approved }),
        identity,
        intent,
      ),

    async databaseAction(
      kind: 'cutover' | 'retry' | 'rollback',
      databaseId: string,
      identity: VerifiedIdentity,
      intent: Intent & { force?: boolean },
    ): Promise<ActionResult & { workflowId: string }> {
      const { handle } = await requireDatabase(temporal, databaseId);
      const action = actionOf(identity, intent);
      const message =
        kind === 'cutover'
          ? await stamped(
              handle,
              cutoverDatabaseNowUpdate,
              { ...action, ...(intent.force ? { force: true } : {}) },
              identity,
            )
          : kind === 'retry'
            ? await stamped(handle, retryUpdate, action, identity)
            : await stamped(handle, rollbackUpdate, action, identity);
      return { message, workflowId: handle.workflowId };
    },
  };
}

export type Operations = ReturnType<typeof createOperations>;
