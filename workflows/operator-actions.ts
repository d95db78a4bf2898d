/**
 * Validation of operator actions (updates) shared by the migration workflows; sandbox-safe.
 *
 * Two layers: limits on what any action may carry (always), and — when the workflow was started with the
 * factory server's public keys (`trustedStampKeys`) — the server's signed stamp and the role it grants.
 * The server checks roles too; the workflow checks them again so that a client reaching Temporal directly
 * cannot act beyond the identity the server signed. Without keys (the CLI's direct dev/embedded path, to
 * be retired) only the limits apply.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ApproveWaveAction, CutoverAuthorization, OperatorAction } from '../contracts/messages.ts';
import { ErrorType } from '../contracts/errors.ts';
import { canonicalJson } from '../contracts/canonical-json.ts';
import type { WaveWorkflowInput } from '../contracts/workflow-inputs.ts';
import {
  STAMP_CLOCK_SKEW_MS,
  stampProblem,
  type OperatorStamp,
  type Role,
  type TrustedStampKeys,
  type VerifiedIdentity,
} from '../contracts/operator-stamp.ts';

/** Limits on what an operator action carries: workflow histories and the audit stay readable and bounded. */
export const ACTION_LIMITS = {
  by: 256,
  reason: 2_000,
  /** VM names per list, and the length of each (vSphere's display name limit is 80; Azure's is 255). */
  vmNames: 1_000,
  vmName: 255,
  waivers: 1_000,
  /** How far ahead a postponed cutover may be (workflow time): a wave runs for months, not for years. */
  untilAheadMs: 2 * 366 * 24 * 3_600_000,
} as const;

/** Rejects an update: the operator sees the message, nothing is written to the workflow history. */
export function refuse(message: string): never {
  throw ApplicationFailure.create({ type: ErrorType.operatorActionRefused, message, nonRetryable: true });
}

const refuseIf = (problem: string | undefined): void => {
  if (problem !== undefined) refuse(problem);
};

const tooLong = (field: string, value: string, max: number) =>
  `\`${field}\` is ${value.length} characters; at most ${max} are allowed.`;

/** Why an action's who, why and ticket are not acceptable, or undefined. */
export function operatorActionProblem(action: OperatorAction): string | undefined {
  if (typeof action?.by !== 'string' || !action.by.trim())
    return 'An operator action needs `by`: who is acting.';
  if (action.by.length > ACTION_LIMITS.by) return tooLong('by', action.by, ACTION_LIMITS.by);
  if (typeof action.reason !== 'string' || !action.reason.trim())
    return 'An operator action needs a `reason`.';
  if (action.reason.length > ACTION_LIMITS.reason)
    return tooLong('reason', action.reason, ACTION_LIMITS.reason);
  if (action.ticket !== undefined && !/^[\w.-]{1,64}$/.test(action.ticket)) {
    return `Change ticket id '${String(action.ticket).slice(0, 80)}' is not valid (1-64 letters, digits, '.', '_' or '-').`;
  }
  return undefined;
}

/** Every operator action names who acts and why (within limits); a change ticket id must look like one. */
export function validateOperatorAction(action: OperatorAction): void {
  refuseIf(operatorActionProblem(action));
}

/** Why a list of VM names is not acceptable (too many, empty or too long names), or undefined. */
export function vmNamesProblem(names: unknown, field = 'vmNames'): string | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names)) return `\`${field}\` must be a list of VM names.`;
  if (names.length > ACTION_LIMITS.vmNames)
    return `\`${field}\` names ${names.length} VMs; at most ${ACTION_LIMITS.vmNames} per action.`;
  for (const [i, name] of names.entries()) {
    if (typeof name !== 'string' || !name.trim()) return `\`${field}\`[${i}] is not a VM name.`;
    if (name.length > ACTION_LIMITS.vmName) return tooLong(`${field}[${i}]`, name, ACTION_LIMITS.vmName);
  }
  return undefined;
}

/** Why an approval's waivers are not acceptable, or undefined. */
export function waiversProblem(action: ApproveWaveAction): string | undefined {
  for (const [field, list] of [
    ['waivers', action.waivers],
    ['preflightWaivers', action.preflightWaivers],
  ] as const) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) return `\`${field}\` must be a list.`;
    if (list.length > ACTION_LIMITS.waivers)
      return `\`${field}\` has ${list.length} entries; at most ${ACTION_LIMITS.waivers} per approval.`;
  }
  for (const [i, waiver] of (action.waivers ?? []).entries()) {
    if (typeof waiver?.server !== 'string' || !waiver.server.trim() || typeof waiver.reason !== 'string')
      return 'Every waiver needs a server and a reason.';
    if (!waiver.reason.trim()) return 'Every waiver needs a server and a reason.';
    if (waiver.server.length > ACTION_LIMITS.vmName)
      return tooLong(`waivers[${i}].server`, waiver.server, ACTION_LIMITS.vmName);
    if (waiver.reason.length > ACTION_LIMITS.reason)
      return tooLong(`waivers[${i}].reason`, waiver.reason, ACTION_LIMITS.reason);
  }
  for (const [i, waiver] of (action.preflightWaivers ?? []).entries()) {
    if (typeof waiver?.reason !== 'string' || !waiver.reason.trim())
      return `Waiving preflight check ${String(waiver?.check).slice(0, 80)} needs a reason.`;
    if (waiver.reason.length > ACTION_LIMITS.reason)
      return tooLong(`preflightWaivers[${i}].reason`, waiver.reason, ACTION_LIMITS.reason);
  }
  return undefined;
}

/**
 * Why `until` is not an acceptable cutover time at `nowMs` (workflow time): an ISO date-time in the future,
 * at most `ACTION_LIMITS.untilAheadMs` ahead (which also keeps the workflow's timer within Temporal's limits).
 */
export function untilProblem(until: unknown, nowMs: number): string | undefined {
  if (typeof until !== 'string' || until.length > 64 || !/^\d{4}-\d{2}-\d{2}T/.test(until))
    return `'${String(until).slice(0, 64)}' is not an ISO date-time (YYYY-MM-DDThh:mm…).`;
  const at = Date.parse(until);
  if (Number.isNaN(at)) return `'${until}' is not an ISO date-time.`;
  if (at <= nowMs) return `${until} is not in the future.`;
  if (at - nowMs > ACTION_LIMITS.untilAheadMs)
    return `${until} is more than 2 years ahead; postpone to a date within the migration programme.`;
  return undefined;
}

/** Inside its window a cutover is routine: an operator takes it, and so may the lead who could force it. */
export const IN_WINDOW_CUTOVER_ROLES: readonly Role[] = ['operator', 'lead'];

export const hasRole = (identity: VerifiedIdentity, role: Role): boolean =>
  identity.roles.includes(role) || identity.roles.includes('admin');

/** What the workflow knows to check a stamped action: the keys it trusts and its own id and time. */
export interface StampContext {
  trustedKeys: TrustedStampKeys | undefined;
  workflowId: string;
  nowMs: number;
}

/**
 * Why a stamped action is refused, or undefined. Without trusted keys nothing is checked (dev path).
 * The stamp must be valid for exactly this update, workflow and argument (without the stamp); `by` must
 * be the signed identity's name, so the history's `by` is the verified one; the identity needs `role`.
 */
export function stampedActionProblem(
  context: StampContext,
  update: string,
  action: OperatorAction,
  role: Role | readonly Role[],
): string | undefined {
  if (!context.trustedKeys) return undefined;
  const { stamp, ...args } = action;
  const problem = stampProblem({
    trustedKeys: context.trustedKeys,
    update,
    workflowId: context.workflowId,
    args,
    stamp,
    nowMs: context.nowMs,
  });
  if (problem) return `Refused ${update}: ${problem}.`;
  const identity = (stamp as OperatorStamp).identity;
  if (identity.name !== action.by)
    return `Refused ${update}: \`by\` '${action.by.slice(0, 80)}' is not the signed identity '${identity.name}'.`;
  const needed = typeof role === 'string' ? [role] : role;
  if (!needed.some((r) => hasRole(identity, r))) {
    return `Refused ${update}: it needs the ${needed.join(' or ')} role; ${identity.name} has ${identity.roles.join(', ') || 'no role'}.`;
  }
  return undefined;
}

/** A workflow's gate for its operator updates: limits, then the signed stamp and the role needed. */
export function actionGuard(context: () => StampContext) {
  return (update: string, action: OperatorAction, role: Role | readonly Role[]): void => {
    validateOperatorAction(action);
    refuseIf(stampedActionProblem(context(), update, action, role));
  };
}
export type ActionGuard = ReturnType<typeof actionGuard>;

/**
 * Why a database refuses the cutover signal its batch sends, or undefined. Workflows cannot send each
 * other updates, and anyone with Temporal access can send a signal, so with stamp keys the signal is
 * accepted only inside the batch's planned window (the plan, which the wave pinned, already authorises
 * that), or with the signed action that moved the cutover outside it: a lead's forced `openCutover` or
 * `postponeCutover` for this database's own batch, which the batch accepted and forwards. That stamp's
 * signature, workflow (the batch), role and, for a postponement, its time are checked; its age is not
 * (the batch checked it when it accepted the action, and may signal hours later), so a replay can only
 * repeat what a lead already authorised for this batch.
 */
export function cutoverSignalProblem(input: {
  trustedKeys: TrustedStampKeys | undefined;
  window: { start: string; end: string } | undefined;
  batchWorkflowId: string | undefined;
  authorization: CutoverAuthorization | undefined;
  nowMs: number;
}): string | undefined {
  const { trustedKeys, window, authorization } = input;
  if (!trustedKeys || !window) return undefined;
  // The batch checked the window a moment before it signalled; allow for that moment.
  if (input.nowMs >= Date.parse(window.start) && input.nowMs <= Date.parse(window.end) + STAMP_CLOCK_SKEW_MS)
    return undefined;
  const outside = `a cutover outside the planned window ${window.start} – ${window.end}`;
  if (!authorization) return `${outside} needs a lead's signed forced cutover or postponement of the batch`;
  if (!input.batchWorkflowId) return `${outside} needs its batch, and this database has none`;
  const problem = stampProblem({
    trustedKeys,
    update: authorization.update,
    workflowId: input.batchWorkflowId,
    args: authorization.args,
    stamp: authorization.stamp,
    nowMs: Date.parse(authorization.stamp?.issuedAt ?? ''),
  });
  if (problem) return `${outside}: its authorization is refused: ${problem}`;
  if (!hasRole(authorization.stamp.identity, 'lead'))
    return `${outside} needs the lead role; ${authorization.stamp.identity.name} does not have it`;
  if (
    authorization.update === 'postponeCutover' &&
    !(input.nowMs >= Date.parse(authorization.args.until ?? ''))
  )
    return `${outside}: the postponed cutover (${authorization.args.until}) is not due yet`;
  return undefined;
}

/**
 * Why a wave must not start, or undefined. With trusted stamp keys the start must carry the factory
 * server's stamp over 'startWave', this workflow id and the input without the stamp, by an operator whose
 * identity is `startedBy`; a wave that skips the approval needs a lead, as nobody else reviews it.
 */
export function waveStartProblem(
  input: WaveWorkflowInput,
  workflowId: string,
  nowMs: number,
): string | undefined {
  if (!input.trustedStampKeys) return undefined;
  const { startStamp, ...args } = input;
  const problem = stampProblem({
    trustedKeys: input.trustedStampKeys,
    update: 'startWave',
    workflowId,
    args,
    stamp: startStamp,
    nowMs,
  });
  if (problem) return problem;
  const identity = startStamp!.identity;
  if (!input.startedBy || canonicalJson(input.startedBy) !== canonicalJson(identity))
    return `startedBy must be the signed identity (${identity.name})`;
  const role = input.requireApproval ? 'operator' : 'lead';
  if (!hasRole(identity, role))
    return `starting a wave ${input.requireApproval ? '' : 'without an approval '}needs the ${role} role; ${identity.name} has ${identity.roles.join(', ') || 'no role'}`;
  return undefined;
}
