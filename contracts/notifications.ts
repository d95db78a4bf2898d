/**
 * Notifications (issue 18, item 5): what the migration workflows raise when a wave or batch needs a person,
 * shared by the workflows (sandbox-safe: no Node imports) and the delivering activities.
 */

/** The events that need a decision (or a person's presence) now. */
export const notificationKinds = [
  'gate-refused',
  'approval-due',
  'batch-held',
  'cutover-window-open',
  'sign-off-due',
  'rolled-back',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** The channels a worker can be configured with; the workflow learns which are set, never their URLs. */
export const notificationChannels = ['webhook', 'teams', 'slack', 'email'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

/** One event, as the workflow raised it: no URL, credential or channel setting is ever part of it. */
export interface NotificationEvent {
  /** Deterministic: the raising run and how many events of this kind it raised before (see notificationEventId). */
  eventId: string;
  kind: NotificationKind;
  waveId: string;
  /** Set for batch events: the link points to the batch page. */
  batchId?: string;
  /** Why a person is needed (the hold reason, the gate's refusal…), as the workflow's details say it. */
  detail?: string;
  /** Workflow time when the event was raised (ISO 8601). */
  raisedAt: string;
}

/**
 * `<workflowId>/<runId>/<kind>/<n>`: the n-th event of its kind in one run. Replays and worker restarts
 * reproduce it (run ids and counters are history); a continued-as-new run has a new run id, so its
 * counters start again without colliding.
 */
export const notificationEventId = (workflowId: string, runId: string, kind: NotificationKind, n: number) =>
  `${workflowId}/${runId}/${kind}/${n}`;

/** The notification workflow of one event: starting it twice is refused by Temporal (REJECT_DUPLICATE). */
export const notificationWorkflowId = (eventId: string) => `notify/${eventId}`;
export const isNotificationWorkflowId = (workflowId: string) => workflowId.startsWith('notify/');

/** What one channel's delivery did. */
export type DeliveryOutcome = 'sent' | 'already-sent' | 'not-configured';
