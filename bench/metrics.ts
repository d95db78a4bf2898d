/**
 * What the benchmarks measure after a run: Temporal billable actions counted from every history, the
 * largest history, activity failures by cause, and the simulator's audit (duplicated side effects).
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { decodeHistoryPayloads } from '../workers/payload-codec.ts';
import type { AuditEntry } from '../simulators/audit.ts';

export interface ActionCounts {
  workflowStarts: number;
  childWorkflowStarts: number;
  continueAsNew: number;
  activityStarts: number;
  activityRetries: number;
  signals: number;
  signalsSent: number;
  updates: number;
  timers: number;
  searchAttributeUpserts: number;
  cancelRequests: number;
  markers: number;
}

export const emptyActions = (): ActionCounts => ({
  workflowStarts: 0,
  childWorkflowStarts: 0,
  continueAsNew: 0,
  activityStarts: 0,
  activityRetries: 0,
  signals: 0,
  signalsSent: 0,
  updates: 0,
  timers: 0,
  searchAttributeUpserts: 0,
  cancelRequests: 0,
  markers: 0,
});

/**
 * Billable actions as Temporal Cloud counts them, per action kind. A child start is counted once (from the
 * parent's history, charged to the child's kind, not again as a workflow start); a signal once, where it is received (a signal a workflow sends
 * to another is listed apart as `signalsSent` and not added); every activity attempt is one action.
 */
export const totalActions = (a: ActionCounts) =>
  a.workflowStarts +
  a.childWorkflowStarts +
  a.continueAsNew +
  a.activityStarts +
  a.activityRetries +
  a.signals +
  a.updates +
  a.timers +
  a.searchAttributeUpserts +
  a.cancelRequests +
  a.markers;

export interface ActivityFailure {
  workflowId: string;
  activity: string;
  cause: FailureCause;
  message: string;
}

export type FailureCause =
  | 'throttling (429)'
  | 'transient Azure error (5xx)'
  | 'simulator unreachable (restart)'
  | 'worker lost (heartbeat / start-to-close timeout)'
  | 'cancelled by its workflow'
  | 'injected operation fault'
  | 'operation refused by Azure (4xx)'
  | 'unexplained';

type Failure = proto.temporal.api.failure.v1.IFailure;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

/** What the history says about the activity whose attempt failed, beyond the failure itself. */
export interface AttemptHistory {
  /** The workflow asked Temporal to cancel this activity (ActivityTaskCancelRequested) before it ended. */
  cancelRequested: boolean;
}

/** The failure and its causes, outermost first. */
const chainOf = (failure: Failure): Failure[] => {
  const chain: Failure[] = [];
  for (let f: Failure | null | undefined = failure; f && chain.length < 10; f = f.cause) chain.push(f);
  return chain;
};

/**
 * A cancellation error, as Temporal records it: a CanceledFailure, or (when the attempt threw one that
 * Temporal had not asked for, so the SDK reported it as a failure) an ApplicationFailure of that type.
 */
const isCancellation = (f: Failure) =>
  Boolean(f.canceledFailureInfo) || f.applicationFailureInfo?.type === 'CancelledFailure';

/**
 * Why an activity attempt failed. Whether Temporal ended it is read from the failure's kind and the
 * activity's history events, never from message text: a timeout (TimeoutFailure: heartbeat or
 * start-to-close, after a worker was killed or Temporal restarted) or a worker's graceful shutdown is the
 * worker lost; a cancellation is explained only when the workflow asked for it (ActivityTaskCancelRequested),
 * and a cancellation nobody asked for is a bug (an attempt that stopped on another's cancellation). Azure's
 * own errors are told apart by the failure's type (`Azure.<code>`), status and message, which are Azure's.
 */
export function classifyFailure(failure: Failure | null | undefined, history: AttemptHistory): FailureCause {
  if (!failure) return 'unexplained';
  if (failure.timeoutFailureInfo) return 'worker lost (heartbeat / start-to-close timeout)';
  if (failure.applicationFailureInfo?.type === 'WorkerShutdown')
    return 'worker lost (heartbeat / start-to-close timeout)';
  const chain = chainOf(failure);
  if (chain.some(isCancellation))
    return history.cancelRequested ? 'cancelled by its workflow' : 'unexplained';
  const text = chain.map((f) => `${f.applicationFailureInfo?.type ?? ''} ${f.message ?? ''}`).join(' ');
  if (/\b429\b|TooManyRequests|throttl|requests for subscription .* exceeded/i.test(text))
    return 'throttling (429)';
  if (
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|EPIPE|ENOTFOUND|fetch failed|REQUEST_SEND_ERROR/i.test(
      text,
    )
  )
    return 'simulator unreachable (restart)';
  if (
    /\b50[03]\b|InternalServerError|ServiceUnavailable|internal server error|temporarily unavailable/i.test(
      text,
    )
  ) {
    return 'transient Azure error (5xx)';
  }
  if (
    /injected|simulated failure|TestFailoverFailed|FailoverFailed|CommitFailed|EnableDrFailed|CutoverFailed|job .* ended Failed/i.test(
      text,
    )
  )
    return 'injected operation fault';
  if (/Azure\.\w+|\b4\d\d\b/.test(text)) return 'operation refused by Azure (4xx)';
  return 'unexplained';
}

const describeFailure = (failure: Failure | null | undefined) =>
  failure
    ? chainOf(failure)
        .map((f) => f.message ?? '')
        .filter(Boolean)
        .join(': ')
    : '';

/**
 * The failed attempts of one execution's activities, each classified: the failure a retried activity's
 * last attempt started after (its predecessor's; earlier ones count as retries only) and each activity's
 * final failure or timeout.
 */
export function activityFailuresOf(workflowId: string, events: HistoryEvent[]): ActivityFailure[] {
  const failures: ActivityFailure[] = [];
  const names = new Map<string, string>();
  const cancelRequested = new Set<string>();
  const record = (
    scheduled: { toString(): string } | null | undefined,
    failure: Failure | null | undefined,
    prefix = '',
  ) => {
    const key = String(scheduled ?? '');
    failures.push({
      workflowId,
      activity: names.get(key) ?? '?',
      cause: classifyFailure(failure, { cancelRequested: cancelRequested.has(key) }),
      message: `${prefix}${describeFailure(failure) || 'previous attempt failed'}`.slice(0, 300),
    });
  };
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) names.set(String(event.eventId ?? ''), scheduled.activityType?.name ?? '?');
    const cancel = event.activityTaskCancelRequestedEventAttributes;
    if (cancel) cancelRequested.add(String(cancel.scheduledEventId ?? ''));
    const started = event.activityTaskStartedEventAttributes;
    if (started && (started.attempt ?? 1) > 1) {
      record(started.scheduledEventId, started.lastFailure, `attempt ${started.attempt}: `);
    }
    const failed = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (failed) record(failed.scheduledEventId, failed.failure);
  }
  return failures;
}

export interface HistoryMetrics {
  byKind: { wave: ActionCounts; batch: ActionCounts; database: ActionCounts; other: ActionCounts };
  executions: number;
  largest: { workflowId: string; events: number; bytes: number };
  activityFailures: ActivityFailure[];
}

const kindOf = (workflowId: string) =>
  workflowId.startsWith('wave-')
    ? 'wave'
    : workflowId.startsWith('batch-')
      ? 'batch'
      : workflowId.startsWith('database-')
        ? 'database'
        : 'other';

/** Pages through every execution (each continue-as-new run too) and counts from its history. */
export async function historyMetrics(client: Client, concurrency = 8): Promise<HistoryMetrics> {
  const byKind = {
    wave: emptyActions(),
    batch: emptyActions(),
    database: emptyActions(),
    other: emptyActions(),
  };
  const largest = { workflowId: '', events: 0, bytes: 0 };
  const activityFailures: ActivityFailure[] = [];
  const executions: { workflowId: string; runId: string }[] = [];
  for await (const execution of client.workflow.list()) {
    executions.push({ workflowId: execution.workflowId, runId: execution.runId });
  }
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < executions.length; i = next++) {
      const { workflowId, runId } = executions[i]!;
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      // Bytes as stored (encrypted), then failures decrypted so their messages can be classified.
      const bytes = proto.temporal.api.history.v1.History.encode(history).finish().length;
      await decodeHistoryPayloads(history, client.options.loadedDataConverter);
      const events = history.events ?? [];
      if (bytes > largest.bytes) Object.assign(largest, { workflowId, events: events.length, bytes });
      const counts = byKind[kindOf(workflowId)];
      activityFailures.push(...activityFailuresOf(workflowId, events));
      for (const event of events) {
        if (event.workflowExecutionStartedEventAttributes) {
          const a = event.workflowExecutionStartedEventAttributes;
          if (a.continuedExecutionRunId) counts.continueAsNew += 1;
          else if (!a.parentWorkflowExecution) counts.workflowStarts += 1;
        } else if (event.startChildWorkflowExecutionInitiatedEventAttributes) {
          // A child's start is its own: a database workflow started by a wave is charged to databases.
          const child = event.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? '';
          byKind[kindOf(child)].childWorkflowStarts += 1;
        } else if (event.activityTaskScheduledEventAttributes) {
          counts.activityStarts += 1;
        } else if (event.activityTaskStartedEventAttributes) {
          counts.activityRetries += (event.activityTaskStartedEventAttributes.attempt ?? 1) - 1;
        } else if (event.workflowExecutionSignaledEventAttributes) counts.signals += 1;
        else if (event.signalExternalWorkflowExecutionInitiatedEventAttributes) counts.signalsSent += 1;
        else if (event.workflowExecutionUpdateAcceptedEventAttributes) counts.updates += 1;
        else if (event.timerStartedEventAttributes) counts.timers += 1;
        else if (event.upsertWorkflowSearchAttributesEventAttributes) counts.searchAttributeUpserts += 1;
        else if (event.requestCancelExternalWorkflowExecutionInitiatedEventAttributes)
          counts.cancelRequests += 1;
        else if (event.markerRecordedEventAttributes) counts.markers += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { byKind, executions: executions.length, largest, activityFailures };
}

export const pathOf = (path: string) => path.split('?')[0] ?? '';

export interface AuditFindings {
  /** Accepted enables per protected item beyond one. */
  duplicateEnables: string[];
  /** Plan actions accepted more often than once plus the operator's retries of that batch. */
  duplicatePlanActions: string[];
  /** Database cutovers accepted more than once (plus retries). */
  duplicateCutovers: string[];
  acceptedEnables: number;
  throttledWrites: number;
  firstWriteAt?: string;
  lastWriteAt?: string;
}

/**
 * Side effects from the simulator's audit. `retriesOf(key)` is how often the auto-operator retried the
 * workflows whose id contains `key`: a retried test failover or database cutover legitimately runs again.
 */
export function auditFindings(
  entries: AuditEntry[],
  retriesOf: (workflowId: string) => number,
): AuditFindings {
  const accepted = entries.filter((e) => e.status < 300);
  const counts = (filter: (e: AuditEntry) => boolean, key: (e: AuditEntry) => string) => {
    const map = new Map<string, number>();
    for (const e of accepted.filter(filter)) map.set(key(e), (map.get(key(e)) ?? 0) + 1);
    return map;
  };
  // A repeated PUT on an existing item (a retried request whose answer was lost) is a no-op, not an enable.
  const enables = counts(
    (e) =>
      e.method === 'PUT' &&
      e.outcome !== 'noop' &&
      /\/replicationProtectedItems\/[^/]+$/i.test(pathOf(e.path)),
    (e) => pathOf(e.path).toLowerCase(),
  );
  const duplicateEnables = [...enables]
    .filter(([, n]) => n > 1)
    .map(([p, n]) => `${p.split('/').pop()}: ${n} enables`);
  const planActions = counts(
    (e) => e.method === 'POST' && /\/replicationRecoveryPlans\/[^/]+\/[^/]+$/i.test(pathOf(e.path)),
    (e) => pathOf(e.path),
  );
  const duplicatePlanActions = [...planActions]
    .filter(([path, n]) => {
      const plan = /replicationRecoveryPlans\/rp-([^/]+)\//i.exec(path)?.[1] ?? '';
      return n > 1 + retriesOf(`batch-${plan}`);
    })
    .map(([path, n]) => `${path.split('/').slice(-2).join('/')}: ${n}`);
  const cutovers = counts(
    (e) => e.method === 'POST' && /\/(cutover|command)$/i.test(pathOf(e.path)),
    (e) => pathOf(e.path).replace(/\/(cutover|command)$/i, ''),
  );
  const duplicateCutovers = [...cutovers]
    .filter(([path, n]) => n > 1 + retriesOf((path.split('/').pop() ?? '').replace(/^migrate-/, '')))
    .map(([path, n]) => `${path.split('/').slice(-1)[0]}: ${n} cutovers`);
  const writes = accepted.map((e) => e.time).sort();
  return {
    duplicateEnables,
    duplicatePlanActions,
    duplicateCutovers,
    acceptedEnables: [...enables.values()].reduce((s, n) => s + n, 0),
    throttledWrites: entries.filter((e) => e.status === 429).length,
    ...(writes.length ? { firstWriteAt: writes[0], lastWriteAt: writes[writes.length - 1] } : {}),
  };
}
