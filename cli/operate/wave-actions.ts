/**
 * Operator actions on a wave and its batches, as workflow updates: the workflow validates each one against
 * its current state and either records it (who, why, ticket) in its history or refuses it with a message
 * that says what state it is in. Refusals exit with code 4.
 */
import type { WorkflowHandle } from '@temporalio/client';
import {
  approveWaveUpdate,
  cancelWaveUpdate,
  cutoverDatabaseNowUpdate,
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
  type WaveProgress,
} from '../../contracts/messages.ts';
import { parseInstant, withinTwoYears } from '../../domain/calendar-date.ts';
import { isPreflightCheckName, preflightCheckNames } from '../../domain/preflight/checks.ts';
import { withTemporal, type ConnectionFlags, type Temporal } from './connection.ts';
import { CliError, ExitCode, refusalMessage } from './exit-codes.ts';
import { requireBatchOfWave, requireDatabase, requireWave } from './find-workflow.ts';
import { serverClient, type FactoryServerClient } from '../server-client.ts';
import { suggestion } from './levenshtein.ts';
import { operatorAction, type ActorFlags } from './operator-action.ts';
import { resolveWorkspace } from './workspace-folder.ts';

export interface ActionFlags extends ConnectionFlags, ActorFlags {
  workspace?: string;
}

type Print = (line: string) => void;

/**
 * The factory server the action goes through, with the intent it sends (who acts is the signed-in
 * identity, so `--by` has no place there), or undefined to act on Temporal directly.
 */
export function actingThroughServer(
  flags: ActorFlags,
): { server: FactoryServerClient; intent: { reason: string; ticket?: string } } | undefined {
  const server = serverClient();
  if (!server) return undefined;
  if (flags.by !== undefined)
    throw new CliError(
      `--by is not used with the factory server (${server.url}): it records your signed-in identity. Leave --by out.`,
      ExitCode.usage,
    );
  const { reason, ticket } = operatorAction({ ...flags, by: 'server' });
  return { server, intent: { reason, ...(ticket ? { ticket } : {}) } };
}

/** Per-batch answers of a whole-wave pause/resume: refused ones printed as such, exit 4 if any. */
function printResults(results: { accepted: boolean; message: string }[], print: Print) {
  for (const result of results) print(result.accepted ? result.message : `refused: ${result.message}`);
  if (results.some((r) => !r.accepted)) process.exitCode = ExitCode.refused;
}

export interface WaveContext {
  temporal: Temporal;
  wave: WaveProgress;
  handle: WorkflowHandle;
  action: OperatorAction;
}

async function onWave<T>(waveId: string, flags: ActionFlags, work: (context: WaveContext) => Promise<T>) {
  const action = operatorAction(flags);
  return withTemporal(flags, async (temporal) => {
    const { handle } = await requireWave(temporal, waveId, resolveWorkspace(flags.workspace));
    const wave = await handle.query(waveProgressQuery);
    return work({ temporal, wave, handle, action });
  });
}

function batchHandle(context: WaveContext, batchId: string): WorkflowHandle {
  requireBatchOfWave(
    context.wave.waveId,
    context.wave.batches.map((b) => b.batchId),
    batchId,
  );
  const entry = context.wave.batches.find((b) => b.batchId === batchId);
  return context.temporal.client.workflow.getHandle(entry?.workflowId ?? '');
}

/** Runs an update on a batch; a batch the wave has not started yet gets a clear not-found. */
export async function onBatch(
  context: WaveContext,
  batchId: string,
  run: (handle: WorkflowHandle) => Promise<string>,
): Promise<string> {
  const handle = batchHandle(context, batchId);
  try {
    return await run(handle);
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'WorkflowNotFoundError') throw error;
    const description = await handle.describe().catch(() => undefined);
    if (description === undefined)
      throw new CliError(
        `Batch ${batchId} of wave ${context.wave.waveId} has not started yet (the wave starts it when a slot is free).`,
        ExitCode.notFound,
      );
    const phase = context.wave.batches.find((b) => b.batchId === batchId)?.phase;
    throw new CliError(
      `Batch ${batchId} is ${phase ?? 'finished'} and its workflow is ${description.status.name}; nothing can change it any more.`,
      ExitCode.refused,
    );
  }
}

const namedReason = (flag: string, pair: string, what: string) => {
  const at = pair.indexOf('=');
  const name = pair.slice(0, at).trim();
  const reason = pair.slice(at + 1).trim();
  if (at < 1 || !name || !reason)
    throw new CliError(`${flag} ${pair}: expected ${what}=reason`, ExitCode.usage);
  return { name, reason };
};

export async function runApprove(
  waveId: string,
  flags: ActionFlags & { waive?: string[]; waiveCheck?: string[]; acceptCapacity?: boolean },
  print: Print,
) {
  const waivers = (flags.waive ?? []).map((pair) => {
    const { name, reason } = namedReason('--waive', pair, 'server');
    return { server: name, reason };
  });
  const preflightWaivers = (flags.waiveCheck ?? []).map((pair) => {
    const { name, reason } = namedReason('--waive-check', pair, 'check');
    if (!isPreflightCheckName(name))
      throw new CliError(
        `--waive-check ${pair}: there is no preflight check ${name}. ${suggestion(name, [...preflightCheckNames], 'checks')}`,
        ExitCode.usage,
      );
    return { check: name, reason };
  });
  const approved = (message: string) => {
    print(message);
    // Recorded, but the gate still holds the wave: the operator has more to do.
    if (message.startsWith('Approval recorded, but')) process.exitCode = ExitCode.refused;
  };
  const through = actingThroughServer(flags);
  if (through) {
    const { message } = await through.server.waveAction(waveId, 'approve', {
      ...through.intent,
      ...(waivers.length ? { waivers } : {}),
      ...(preflightWaivers.length ? { preflightWaivers } : {}),
      ...(flags.acceptCapacity ? { acceptCapacityViolations: true } : {}),
    });
    approved(message);
    return;
  }
  await onWave(waveId, flags, async ({ handle, action }) => {
    const message = await handle.executeUpdate(approveWaveUpdate, {
      args: [
        {
          ...action,
          ...(waivers.length ? { waivers } : {}),
          ...(preflightWaivers.length ? { preflightWaivers } : {}),
          ...(flags.acceptCapacity ? { acceptCapacityViolations: true } : {}),
        },
      ],
    });
    approved(message);
  });
}

export async function runConcurrency(waveId: string, n: number, flags: ActionFlags, print: Print) {
  const through = actingThroughServer(flags);
  if (through) {
    print(
      (await through.server.waveAction(waveId, 'concurrency', { ...through.intent, maxConcurrentBatches: n }))
        .message,
    );
    return;
  }
  await onWave(waveId, flags, async ({ handle, action }) => {
    print(
      await handle.executeUpdate(setBatchConcurrencyUpdate, {
        args: [{ ...action, maxConcurrentBatches: n }],
      }),
    );
  });
}

/** Pause or resume one batch, or every started batch of the wave that is not finished. */
export async function runPauseResume(
  kind: 'pause' | 'resume',
  waveId: string,
  flags: ActionFlags & { batch?: string },
  print: Print,
) {
  const through = actingThroughServer(flags);
  if (through) {
    const answer = await through.server.waveAction(waveId, kind, {
      ...through.intent,
      ...(flags.batch ? { batchId: flags.batch } : {}),
    });
    if (answer.results) printResults(answer.results, print);
    else print(answer.message);
    return;
  }
  const update = kind === 'pause' ? pauseUpdate : resumeUpdate;
  await onWave(waveId, flags, async (context) => {
    if (flags.batch) {
      print(await onBatch(context, flags.batch, (h) => h.executeUpdate(update, { args: [context.action] })));
      return;
    }
    const targets = context.wave.batches.filter(
      (b) => !['pending', 'completed', 'rolled-back'].includes(b.phase),
    );
    if (targets.length === 0)
      throw new CliError(
        `Wave ${waveId} is ${context.wave.phase} and has no running batch to ${kind}.`,
        ExitCode.refused,
      );
    let refused = 0;
    for (const batch of targets) {
      try {
        print(
          await context.temporal.client.workflow
            .getHandle(batch.workflowId)
            .executeUpdate(update, { args: [context.action] }),
        );
      } catch (error) {
        const refusal = refusalMessage(error);
        if (refusal === undefined) throw error;
        refused += 1;
        print(`refused: ${refusal}`);
      }
    }
    if (refused > 0) process.exitCode = ExitCode.refused;
  });
}

export async function runRetry(
  waveId: string,
  flags: ActionFlags & { batch: string; vm?: string[] },
  print: Print,
) {
  const through = actingThroughServer(flags);
  if (through) {
    const body = {
      ...through.intent,
      batchId: flags.batch,
      ...(flags.vm?.length ? { vmNames: flags.vm } : {}),
    };
    print((await through.server.waveAction(waveId, 'retry', body)).message);
    return;
  }
  await onWave(waveId, flags, async (context) => {
    const args = { ...context.action, ...(flags.vm?.length ? { vmNames: flags.vm } : {}) };
    print(await onBatch(context, flags.batch, (h) => h.executeUpdate(retryUpdate, { args: [args] })));
  });
}

export async function runSkip(
  waveId: string,
  flags: ActionFlags & { batch: string; vm: string[] },
  print: Print,
) {
  const through = actingThroughServer(flags);
  if (through) {
    const body = { ...through.intent, batchId: flags.batch, vmNames: flags.vm };
    print((await through.server.waveAction(waveId, 'skip', body)).message);
    return;
  }
  await onWave(waveId, flags, async (context) => {
    const args = { ...context.action, vmNames: flags.vm };
    print(await onBatch(context, flags.batch, (h) => h.executeUpdate(skipUpdate, { args: [args] })));
  });
}

export async function runRollback(waveId: string, flags: ActionFlags & { batch: string }, print: Print) {
  const through = actingThroughServer(flags);
  if (through) {
    print(
      (await through.server.waveAction(waveId, 'rollback', { ...through.intent, batchId: flags.batch }))
        .message,
    );
    return;
  }
  await onWave(waveId, flags, async (context) => {
    print(
      await onBatch(context, flags.batch, (h) => h.executeUpdate(rollbackUpdate, { args: [context.action] })),
    );
  });
}

export async function runCutover(
  waveId: string,
  flags: ActionFlags & { batch: string; now?: boolean; force?: boolean; postpone?: string },
  print: Print,
) {
  if (Boolean(flags.now) === (flags.postpone !== undefined))
    throw new CliError(
      'wave cutover needs exactly one of --now or --postpone <ISO date-time>.',
      ExitCode.usage,
    );
  if (flags.force && !flags.now) throw new CliError('--force goes with --now.', ExitCode.usage);
  // Refused here, before any connection: a typo, a time already past or more than 2 years away is a usage error.
  const until =
    flags.postpone === undefined
      ? undefined
      : new Date(
          parseInstant(flags.postpone, '--postpone', withinTwoYears(Date.now())).epochMilliseconds,
        ).toISOString();
  const through = actingThroughServer(flags);
  if (through) {
    const target = { ...through.intent, batchId: flags.batch };
    const answer =
      until === undefined
        ? await through.server.waveAction(waveId, 'cutover', {
            ...target,
            ...(flags.force ? { force: true } : {}),
          })
        : await through.server.waveAction(waveId, 'postpone', { ...target, until });
    print(answer.message);
    return;
  }
  await onWave(waveId, flags, async (context) => {
    const message = await onBatch(context, flags.batch, (h) =>
      until === undefined
        ? h.executeUpdate(openCutoverUpdate, {
            args: [{ ...context.action, ...(flags.force ? { force: true } : {}) }],
          })
        : h.executeUpdate(postponeCutoverUpdate, { args: [{ ...context.action, until }] }),
    );
    print(message);
  });
}

export async function runSignOff(
  waveId: string,
  flags: ActionFlags & { batch: string; reject?: boolean },
  print: Print,
) {
  const through = actingThroughServer(flags);
  if (through) {
    const body = { ...through.intent, batchId: flags.batch, approved: flags.reject !== true };
    print((await through.server.waveAction(waveId, 'sign-off', body)).message);
    return;
  }
  await onWave(waveId, flags, async (context) => {
    const args = { ...context.action, approved: flags.reject !== true };
    print(await onBatch(context, flags.batch, (h) => h.executeUpdate(signOffUpdate, { args: [args] })));
  });
}

/** `factory wave cancel`: a lead stops the wave; its batches roll back what is not committed. */
export async function runCancel(waveId: string, flags: ActionFlags, print: Print) {
  const through = actingThroughServer(flags);
  if (through) {
    print((await through.server.waveAction(waveId, 'cancel', through.intent)).message);
    return;
  }
  await onWave(waveId, flags, async ({ handle, action }) => {
    print(await handle.executeUpdate(cancelWaveUpdate, { args: [action] }));
  });
}

/**
 * `factory db cutover|retry|rollback`: a database migration's operator actions. A cutover outside its
 * batch's planned window needs `--force` (and the lead role when the wave checks stamps).
 */
export async function runDatabaseAction(
  kind: 'cutover' | 'retry' | 'rollback',
  databaseId: string,
  flags: ActionFlags & { force?: boolean },
  print: Print,
) {
  if (flags.force && kind !== 'cutover') throw new CliError('--force goes with db cutover.', ExitCode.usage);
  const force = flags.force ? { force: true } : {};
  const through = actingThroughServer(flags);
  if (through) {
    print((await through.server.databaseAction(databaseId, kind, { ...through.intent, ...force })).message);
    return;
  }
  const action = operatorAction(flags);
  await withTemporal(flags, async (temporal) => {
    const { handle } = await requireDatabase(temporal, databaseId);
    print(
      kind === 'cutover'
        ? await handle.executeUpdate(cutoverDatabaseNowUpdate, { args: [{ ...action, ...force }] })
        : await handle.executeUpdate(kind === 'retry' ? retryUpdate : rollbackUpdate, { args: [action] }),
    );
  });
}
