/**
 * Raising notifications from the migration workflows without slowing them down: each event is its own
 * child workflow (`notifyEvent`) started with ParentClosePolicy ABANDON, so the delivery outlives the
 * batch's next continue-as-new or its completion, and a channel that is down for hours never holds or
 * fails the migration. The raising workflow waits only for the child's start (one server round trip),
 * never for its delivery. (An un-awaited activity would be abandoned when the workflow completes or
 * continues as new: the "rolled back" event comes right before the batch ends.)
 * A child whose start is not yet recorded when its parent closes is never started, ABANDON or not
 * (temporalio/temporal#2829): the raise right before the batch ends is awaited; the others are followed
 * by a wait for an operator or an activity, so their start is recorded first.
 */
import {
  ApplicationFailure,
  CancellationScope,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify.ts';
import { PATCH } from './patches.ts';
import {
  notificationEventId,
  notificationWorkflowId,
  type DeliveryOutcome,
  type NotificationEvent,
  type NotificationKind,
} from '../contracts/notifications.ts';

/**
 * Delivers one event to every configured channel, each channel separately (a slow Slack does not delay
 * the e-mail). Retries for a day; a channel still failing then fails this workflow (visible in Temporal),
 * never the migration.
 */
export async function notifyEvent(event: NotificationEvent): Promise<Record<string, DeliveryOutcome>> {
  const { configuredNotificationChannels, deliverNotification } = proxyActivities<NotifyActivities>({
    // A send's own timeout (activities/notify.ts) is shorter, so an attempt ends before its retry starts.
    startToCloseTimeout: '1m',
    heartbeatTimeout: '10s',
    scheduleToCloseTimeout: '24h',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5m' },
  });
  const channels = await configuredNotificationChannels();
  const outcomes = await Promise.allSettled(
    channels.map((channel) => deliverNotification({ event, channel })),
  );
  const failed = channels.filter((_, i) => outcomes[i]?.status === 'rejected');
  if (failed.length > 0) {
    throw ApplicationFailure.create({
      type: 'NotificationUndelivered',
      message: `Event ${event.eventId} was not delivered to ${failed.join(', ')} (see the activity failures).`,
      nonRetryable: true,
    });
  }
  return Object.fromEntries(
    channels.map((channel, i) => {
      const outcome = outcomes[i];
      return [channel, outcome?.status === 'fulfilled' ? outcome.value : 'not-configured'];
    }),
  );
}

/**
 * A raiser for one wave or batch workflow: `raise(kind, detail)` starts the event's notification workflow
 * and resolves once it started (or could not be: that is logged, never thrown). With `enabled` false (the
 * starter found no channel configured) it raises nothing: no child, no Temporal action per event.
 */
export function notifier(scope: { waveId: string; batchId?: string; enabled: boolean }) {
  const raised = new Map<NotificationKind, number>();
  return (kind: NotificationKind, detail?: string): Promise<void> => {
    // From the workflow's input, so replay decides the same way; histories started before the flag have
    // no `notifications` (enabled) and replay as they ran.
    if (!scope.enabled) return Promise.resolve();
    // Histories recorded before notifications existed replay without them.
    if (!patched(PATCH.notifyOnDecision)) return Promise.resolve();
    const n = (raised.get(kind) ?? 0) + 1;
    raised.set(kind, n);
    const info = workflowInfo();
    const event: NotificationEvent = {
      eventId: notificationEventId(info.workflowId, info.runId, kind, n),
      kind,
      waveId: scope.waveId,
      ...(scope.batchId === undefined ? {} : { batchId: scope.batchId }),
      ...(detail === undefined ? {} : { detail }),
      raisedAt: new Date().toISOString(),
    };
    // Not cancellable: a cancelled batch still reports that it rolled back.
    return CancellationScope.nonCancellable(() =>
      startChild(notifyEvent, {
        workflowId: notificationWorkflowId(event.eventId),
        args: [event],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    ).then(
      () => undefined,
      (error: unknown) => {
        log.warn('notification not started', {
          eventId: event.eventId,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    );
  };
}
