/**
 * The audit trail of a wave, read from workflow histories: who started it, and every operator action
 * (update) accepted by the wave, its batches and its databases, with reasons and ticket ids and what the
 * workflow answered. Refused actions never reach a history (validators reject them before that).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, optionalTsToDate } from '@temporalio/common';
import type { Temporal } from './connection.ts';
import { workflowTypes } from '../../contracts/ids.ts';
import { waveIdKey } from '../../contracts/search-attributes.ts';
import { type WaveWorkflowInput } from '../../contracts/workflow-inputs.ts';
import {
  REFUSAL_AUDIT_WORKFLOW_ID,
  refusedActionsQuery,
  type RefusalFilter,
  type RefusedAction,
} from '../../contracts/refusal-audit.ts';
import { isNotificationWorkflowId } from '../../contracts/notifications.ts';
import { decodeHistoryPayloads } from '../../workers/payload-codec.ts';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];
type Payloads =
  { payloads?: Parameters<typeof defaultPayloadConverter.fromPayload>[0][] | null } | null | undefined;

export interface AuditEntry {
  at: string;
  workflowId: string;
  runId: string;
  /** `start`, an update name (approveWave, retry, rollback, …), `cancel-requested` or `terminated`. */
  action: string;
  by?: string;
  reason?: string;
  ticket?: string;
  /** The action's other arguments (waivers, vmNames, until, force, …). */
  details: Record<string, unknown>;
  /** Temporal client identity that sent it (process@host). */
  identity?: string;
  /** `refused`: refused by the factory server (role) or a workflow's validator (the refusal audit). */
  outcome?: 'completed' | 'failed' | 'in-progress' | 'refused';
  /** What the workflow answered, or why it failed. */
  result?: string;
}

const decode = (payloads: Payloads): unknown[] =>
  (payloads?.payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p));

const timeOf = (event: HistoryEvent) => optionalTsToDate(event.eventTime)?.toISOString() ?? '';

function splitAction(arg: unknown): Pick<AuditEntry, 'by' | 'reason' | 'ticket' | 'details'> {
  if (arg === null || typeof arg !== 'object') return { details: arg === undefined ? {} : { value: arg } };
  const { by, reason, ticket, ...details } = arg as Record<string, unknown>;
  return {
    ...(typeof by === 'string' ? { by } : {}),
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof ticket === 'string' ? { ticket } : {}),
    details,
  };
}

/** Entries of one run's history, and the run it continued from. */
export function auditEntriesOfRun(workflowId: string, runId: string, history: History) {
  const entries: AuditEntry[] = [];
  const byUpdateId = new Map<string, AuditEntry>();
  let continuedFrom: string | undefined;
  let firstInput: unknown;
  for (const event of history.events ?? []) {
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) {
      continuedFrom = started.continuedExecutionRunId || undefined;
      firstInput = decode(started.input)[0];
      const memo = Object.fromEntries(
        Object.entries(started.memo?.fields ?? {}).map(([k, v]) => [
          k,
          defaultPayloadConverter.fromPayload(v),
        ]),
      );
      if (!continuedFrom && typeof memo.startedBy === 'string')
        entries.push({
          at: timeOf(event),
          workflowId,
          runId,
          action: 'start',
          by: memo.startedBy,
          ...(typeof memo.reason === 'string' ? { reason: memo.reason } : {}),
          ...(typeof memo.ticket === 'string' ? { ticket: memo.ticket } : {}),
          details: {},
          ...(started.identity ? { identity: started.identity } : {}),
        });
    }
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted?.acceptedRequest) {
      const request = accepted.acceptedRequest;
      const entry: AuditEntry = {
        at: timeOf(event),
        workflowId,
        runId,
        action: request.input?.name ?? 'update',
        ...splitAction(decode(request.input?.args)[0]),
        ...(request.meta?.identity ? { identity: request.meta.identity } : {}),
        outcome: 'in-progress',
      };
      entries.push(entry);
      if (request.meta?.updateId) byUpdateId.set(request.meta.updateId, entry);
    }
    const completed = event.workflowExecutionUpdateCompletedEventAttributes;
    if (completed) {
      const entry = byUpdateId.get(completed.meta?.updateId ?? '');
      if (entry) {
        const failure = completed.outcome?.failure;
        entry.outcome = failure ? 'failed' : 'completed';
        const value = failure ? failure.message : decode(completed.outcome?.success)[0];
        if (value !== undefined && value !== null)
          entry.result = typeof value === 'string' ? value : JSON.stringify(value);
      }
    }
    const cancel = event.workflowExecutionCancelRequestedEventAttributes;
    if (cancel)
      entries.push({
        at: timeOf(event),
        workflowId,
        runId,
        action: 'cancel-requested',
        ...(cancel.cause ? { reason: cancel.cause } : {}),
        details: {},
        ...(cancel.identity ? { identity: cancel.identity } : {}),
      });
    const terminated = event.workflowExecutionTerminatedEventAttributes;
    if (terminated)
      entries.push({
        at: timeOf(event),
        workflowId,
        runId,
        action: 'terminated',
        ...(terminated.reason ? { reason: terminated.reason } : {}),
        details: {},
        ...(terminated.identity ? { identity: terminated.identity } : {}),
      });
  }
  // Notification workflows carry no operator actions: their histories need not be read.
  const children = (history.events ?? []).flatMap((e) => {
    const id = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    return id && !isNotificationWorkflowId(id) ? [id] : [];
  });
  return { entries, continuedFrom, firstInput, children };
}

/** Every run of a workflow id's latest chain (continue-as-new followed backwards). */
async function readWorkflow(temporal: Temporal, workflowId: string) {
  const entries: AuditEntry[] = [];
  const children: string[] = [];
  let firstInput: unknown;
  let runId: string | undefined;
  try {
    const latest = await temporal.client.workflow.getHandle(workflowId).describe();
    runId = latest.runId;
  } catch (error) {
    if (error instanceof Error && error.name === 'WorkflowNotFoundError') return undefined;
    throw error;
  }
  while (runId) {
    // Histories hold encrypted payloads and failures: decrypt them with the client's own codec.
    const history = await decodeHistoryPayloads(
      await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory(),
      temporal.client.options.loadedDataConverter,
    );
    const run = auditEntriesOfRun(workflowId, runId, history);
    entries.push(...run.entries);
    children.push(...run.children);
    firstInput = run.firstInput;
    runId = run.continuedFrom;
  }
  return { entries, children, firstInput };
}

/** The audit trail of a wave, its batches and the databases of its planned wave, oldest first. */
export async function waveAudit(temporal: Temporal, waveWorkflowId: string): Promise<AuditEntry[]> {
  const wave = await readWorkflow(temporal, waveWorkflowId);
  if (!wave) return [];
  const input = wave.firstInput as WaveWorkflowInput | undefined;
  const others = [...wave.children];
  // Database workflows are the wave's children too, but a wave's database ids live in its pinned plan:
  // visibility lists them by their wave instead.
  if (input) {
    const databases = temporal.client.workflow.list({
      query: `WorkflowType = '${workflowTypes.database}' AND ${waveIdKey.name} = '${input.waveId.replace(/'/g, "''")}'`,
    });
    for await (const database of databases) others.push(database.workflowId);
  }
  const read = await Promise.all([...new Set(others)].map((id) => readWorkflow(temporal, id)));
  const all = [...wave.entries, ...read.flatMap((r) => r?.entries ?? [])];
  return all.sort((a, b) => a.at.localeCompare(b.at));
}

/** The refusal audit's workflow id (`FACTORY_AUDIT_WORKFLOW_ID`, as the factory server reads it). */
export const refusalAuditWorkflowId = (env: NodeJS.ProcessEnv = process.env) =>
  env.FACTORY_AUDIT_WORKFLOW_ID?.trim() || REFUSAL_AUDIT_WORKFLOW_ID;

/** Refused actions recorded by the factory server; none when no refusal was ever recorded. */
export async function refusedActions(
  temporal: Temporal,
  filter: RefusalFilter,
  auditWorkflowId = refusalAuditWorkflowId(),
): Promise<RefusedAction[]> {
  try {
    return await temporal.client.workflow.getHandle(auditWorkflowId).query(refusedActionsQuery, filter);
  } catch (error) {
    if (error instanceof Error && error.name === 'WorkflowNotFoundError') return [];
    throw error;
  }
}

/** Refusals as audit entries (outcome `refused`, the refusal's reason as the result), for merging. */
export function refusalEntries(refused: RefusedAction[], defaultWorkflowId: string): AuditEntry[] {
  return refused.map((r) => ({
    at: r.at,
    workflowId: r.workflowId ?? defaultWorkflowId,
    runId: '',
    action: r.action,
    by: r.by,
    ...(r.statedReason === undefined ? {} : { reason: r.statedReason }),
    details: {
      refusedBy: r.refusedBy,
      roles: r.roles,
      ...(r.roleNeeded ? { roleNeeded: r.roleNeeded } : {}),
      ...(r.batchId ? { batchId: r.batchId } : {}),
      ...(r.subject ? { subject: r.subject } : {}),
    },
    outcome: 'refused',
    result: r.reason,
  }));
}
