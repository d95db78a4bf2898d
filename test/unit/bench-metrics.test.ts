import { describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { activityFailuresOf, auditFindings, classifyFailure } from '../../bench/metrics.ts';
import type { AuditEntry } from '../../simulators/audit.ts';

const item = (name: string) =>
  `/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/${name}?api-version=2023-06-01`;

let seq = 0;
const put = (name: string, outcome: AuditEntry['outcome'], status = outcome === 'noop' ? 200 : 202) =>
  ({
    seq: seq++,
    time: '2026-01-01T00:00:00Z',
    principal: 'worker',
    method: 'PUT',
    path: item(name),
    operation: 'ReplicationProtectedItems_Create',
    resourceId: item(name),
    status,
    outcome,
  }) as AuditEntry;

describe('bench audit findings', () => {
  it('counts an enable twice only when two PUTs created it, not when a retried PUT found it', () => {
    const findings = auditFindings(
      [put('vm-a', 'created'), put('vm-a', 'noop'), put('vm-b', 'created'), put('vm-b', 'created')],
      () => 0,
    );
    expect(findings.duplicateEnables).toEqual(['vm-b: 2 enables']);
  });

  it('classifies Azure failures by their type and message', () => {
    const azure = (message: string, type = 'RestError') => ({ message, applicationFailureInfo: { type } });
    const history = { cancelRequested: false };
    expect(
      classifyFailure(azure('The service is temporarily unavailable. Please retry the request.'), history),
    ).toBe('transient Azure error (5xx)');
    expect(classifyFailure(azure("Number of 'reads' requests for subscription 's' exceeded"), history)).toBe(
      'throttling (429)',
    );
    expect(classifyFailure(azure('connect ECONNREFUSED 127.0.0.1:8443'), history)).toBe(
      'simulator unreachable (restart)',
    );
    expect(
      classifyFailure(azure('create recovery plan: Azure answered 409', 'Azure.Conflict'), history),
    ).toBe('operation refused by Azure (4xx)');
    expect(classifyFailure(azure('something nobody expected'), history)).toBe('unexplained');
  });
});

const timeout = (timeoutType: proto.temporal.api.enums.v1.TimeoutType) => ({
  message: 'activity timeout',
  timeoutFailureInfo: { timeoutType },
});
/** What the SDK reports when an attempt throws a CancelledFailure that Temporal never asked for. */
const unaskedCancellation = {
  message: 'list protected items: cancelled',
  applicationFailureInfo: { type: 'CancelledFailure' },
};
const { TimeoutType } = proto.temporal.api.enums.v1;

describe('activity failures from history events', () => {
  let eventId = 0;
  const scheduled = (name: string) => ({
    eventId: ++eventId,
    activityTaskScheduledEventAttributes: { activityType: { name } },
  });
  const cancelRequested = (scheduledEventId: number) => ({
    eventId: ++eventId,
    activityTaskCancelRequestedEventAttributes: { scheduledEventId },
  });
  const started = (scheduledEventId: number, attempt: number, lastFailure?: object) => ({
    eventId: ++eventId,
    activityTaskStartedEventAttributes: { scheduledEventId, attempt, lastFailure },
  });
  const failed = (scheduledEventId: number, failure: object) => ({
    eventId: ++eventId,
    activityTaskFailedEventAttributes: { scheduledEventId, failure },
  });
  const timedOut = (scheduledEventId: number, failure: object) => ({
    eventId: ++eventId,
    activityTaskTimedOutEventAttributes: { scheduledEventId, failure },
  });
  const causes = (events: object[]) =>
    activityFailuresOf('batch-w1-b1', events).map((f) => [f.activity, f.cause]);

  it('a cancellation the workflow asked for is explained', () => {
    const poll = scheduled('pollReplication');
    expect(
      causes([
        poll,
        cancelRequested(poll.eventId),
        started(poll.eventId, 1),
        failed(poll.eventId, unaskedCancellation),
      ]),
    ).toEqual([['pollReplication', 'cancelled by its workflow']]);
    const read = scheduled('pollDatabaseMigration');
    expect(
      causes([
        read,
        cancelRequested(read.eventId),
        started(read.eventId, 1),
        failed(read.eventId, { message: 'cancelled', canceledFailureInfo: {} }),
      ]),
    ).toEqual([['pollDatabaseMigration', 'cancelled by its workflow']]);
  });

  it('a cancellation nobody asked for is unexplained, whichever activity it reached', () => {
    // The chaos run's four polls that shared a cancelled poll's container listing.
    const poll = scheduled('pollReplication');
    const other = scheduled('pollReplication');
    const otherCancelled = cancelRequested(other.eventId);
    expect(
      causes([
        poll,
        other,
        otherCancelled,
        started(poll.eventId, 2, unaskedCancellation),
        started(other.eventId, 1),
      ]),
    ).toEqual([['pollReplication', 'unexplained']]);
  });

  it('an attempt on a killed worker ends in a heartbeat timeout: the worker was lost', () => {
    const enable = scheduled('enableReplication');
    const poll = scheduled('pollReplication');
    expect(
      causes([
        enable,
        poll,
        started(enable.eventId, 2, timeout(TimeoutType.TIMEOUT_TYPE_HEARTBEAT)),
        started(poll.eventId, 4, timeout(TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE)),
        timedOut(poll.eventId, timeout(TimeoutType.TIMEOUT_TYPE_HEARTBEAT)),
      ]),
    ).toEqual([
      ['enableReplication', 'worker lost (heartbeat / start-to-close timeout)'],
      ['pollReplication', 'worker lost (heartbeat / start-to-close timeout)'],
      ['pollReplication', 'worker lost (heartbeat / start-to-close timeout)'],
    ]);
  });

  it('a worker shut down gracefully loses its attempts; a message that merely says "timed out" does not', () => {
    const plan = scheduled('runRecoveryPlanAction');
    const shutdown = {
      message: 'Worker is shutting down and this activity did not complete in time',
      applicationFailureInfo: { type: 'WorkerShutdown' },
    };
    const textOnly = { message: 'the request timed out', applicationFailureInfo: { type: 'Error' } };
    expect(causes([plan, started(plan.eventId, 2, shutdown), failed(plan.eventId, textOnly)])).toEqual([
      ['runRecoveryPlanAction', 'worker lost (heartbeat / start-to-close timeout)'],
      ['runRecoveryPlanAction', 'unexplained'],
    ]);
  });
});
