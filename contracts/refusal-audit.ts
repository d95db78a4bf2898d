/**
 * The durable record of refused operator actions: the factory server's own refusals (a role the caller
 * lacks) and the workflows' (a validator's operatorActionRefused). One long-running workflow holds them;
 * the server signals each refusal with signalWithStart and reads them back with a query.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const REFUSAL_AUDIT_WORKFLOW_ID = 'factory-audit';
export const REFUSAL_AUDIT_WORKFLOW_TYPE = 'factoryRefusalAudit';

/** Free text is capped so one caller cannot grow the audit's history without bound. */
export const REFUSAL_TEXT_LIMITS = { by: 200, subject: 200, action: 64, target: 200, reason: 1000 } as const;

export interface RefusedAction {
  /** ISO instant the server refused it or received the workflow's refusal. */
  at: string;
  /** The verified name (or "anonymous" when there was no valid token) and token subject. */
  by: string;
  subject?: string;
  roles: string[];
  /** The action as the API names it: approve, cutover, database-cutover, … */
  action: string;
  waveId?: string;
  batchId?: string;
  databaseId?: string;
  /** The workflow the action targeted, when known. */
  workflowId?: string;
  /** Who refused it: the server (role) or the workflow (state, stamp, separation of duties). */
  refusedBy: 'server' | 'workflow';
  /** Why it was refused. */
  reason: string;
  /** Why the caller wanted it (their `reason`), when given. */
  statedReason?: string;
  roleNeeded?: string[];
}

export interface RefusalFilter {
  waveId?: string;
  databaseId?: string;
}

export const actionRefusedSignal = defineSignal<[RefusedAction]>('actionRefused');
export const refusedActionsQuery = defineQuery<RefusedAction[], [RefusalFilter]>('refusedActions');

const cap = (text: string, limit: number) => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text);

/** A record with every free-text field within its limit (applied by the server and again by the workflow). */
export function cappedRefusal(record: RefusedAction): RefusedAction {
  const L = REFUSAL_TEXT_LIMITS;
  const optional = (key: 'subject' | 'waveId' | 'batchId' | 'databaseId' | 'workflowId', limit: number) =>
    record[key] === undefined ? {} : { [key]: cap(String(record[key]), limit) };
  return {
    at: cap(String(record.at), 40),
    by: cap(String(record.by), L.by),
    ...optional('subject', L.subject),
    roles: (Array.isArray(record.roles) ? record.roles : []).slice(0, 10).map((r) => cap(String(r), 32)),
    action: cap(String(record.action), L.action),
    ...optional('waveId', L.target),
    ...optional('batchId', L.target),
    ...optional('databaseId', L.target),
    ...optional('workflowId', L.target),
    refusedBy: record.refusedBy === 'workflow' ? 'workflow' : 'server',
    reason: cap(String(record.reason), L.reason),
    ...(record.statedReason === undefined
      ? {}
      : { statedReason: cap(String(record.statedReason), L.reason) }),
    ...(Array.isArray(record.roleNeeded)
      ? { roleNeeded: record.roleNeeded.slice(0, 10).map((r) => cap(String(r), 32)) }
      : {}),
  };
}
