import { describe, expect, it } from 'vitest';
import type { OperatorAction } from '../../contracts/messages.ts';
import {
  generateStampKeyPair,
  signStamp,
  fromBase64Url,
  type OperatorStamp,
  type VerifiedIdentity,
} from '../../contracts/operator-stamp.ts';
import type { WaveWorkflowInput } from '../../contracts/workflow-inputs.ts';
import {
  ACTION_LIMITS,
  cutoverSignalProblem,
  IN_WINDOW_CUTOVER_ROLES,
  operatorActionProblem,
  stampedActionProblem,
  untilProblem,
  vmNamesProblem,
  waiversProblem,
  waveStartProblem,
} from '../../workflows/operator-actions.ts';

const keys = generateStampKeyPair();
const other = generateStampKeyPair();
const trustedKeys = { 'server-1': keys.publicKey };
const nowMs = Date.parse('2026-06-15T12:00:00Z');
const issuedAt = '2026-06-15T11:59:00Z';
const alice: VerifiedIdentity = { subject: 'sub-alice', name: 'alice@contoso.com', roles: ['operator'] };
const carol: VerifiedIdentity = { subject: 'sub-carol', name: 'carol@contoso.com', roles: ['lead'] };
const root: VerifiedIdentity = { subject: 'sub-root', name: 'root@contoso.com', roles: ['admin'] };

function stamped<A extends OperatorAction>(
  update: string,
  workflowId: string,
  action: A,
  identity: VerifiedIdentity,
  options: { privateKey?: string; issuedAt?: string } = {},
): A & { stamp: OperatorStamp } {
  const stamp = signStamp({
    privateKey: fromBase64Url(options.privateKey ?? keys.privateKey),
    keyId: 'server-1',
    update,
    workflowId,
    args: action,
    identity,
    issuedAt: options.issuedAt ?? issuedAt,
  });
  return { ...action, stamp };
}

const context = { trustedKeys, workflowId: 'batch-b1', nowMs };
const pause = { by: alice.name, reason: 'maintenance on the host' };

describe('operator action limits', () => {
  it('refuses a missing or oversized by, reason or ticket', () => {
    expect(operatorActionProblem({ by: ' ', reason: 'x' })).toMatch(/needs `by`/);
    expect(operatorActionProblem({ by: 'a'.repeat(257), reason: 'x' })).toBe(
      '`by` is 257 characters; at most 256 are allowed.',
    );
    expect(operatorActionProblem({ by: 'a'.repeat(256), reason: 'r'.repeat(2000) })).toBeUndefined();
    expect(operatorActionProblem({ by: 'a', reason: 'r'.repeat(2001) })).toMatch(/`reason` is 2001/);
    expect(operatorActionProblem({ by: 'a', reason: 'r', ticket: 'CHG 1' })).toMatch(/ticket id/);
  });

  it('bounds VM lists: count, and each name', () => {
    const many = Array.from({ length: ACTION_LIMITS.vmNames + 1 }, (_, i) => `vm-${i}`);
    expect(vmNamesProblem(many)).toBe('`vmNames` names 1001 VMs; at most 1000 per action.');
    expect(vmNamesProblem(many.slice(1))).toBeUndefined();
    expect(vmNamesProblem(['ok', 'v'.repeat(256)])).toMatch(/`vmNames\[1\]` is 256 characters/);
    expect(vmNamesProblem(['ok', ''])).toMatch(/`vmNames`\[1\] is not a VM name/);
  });

  it('bounds waivers and their reasons', () => {
    const base = { by: 'b', reason: 'r' };
    const waivers = Array.from({ length: 1001 }, (_, i) => ({ server: `vm-${i}`, reason: 'known' }));
    expect(waiversProblem({ ...base, waivers })).toMatch(/`waivers` has 1001 entries/);
    expect(waiversProblem({ ...base, waivers: waivers.slice(1) })).toBeUndefined();
    expect(waiversProblem({ ...base, waivers: [{ server: 'vm', reason: 'x'.repeat(2001) }] })).toMatch(
      /waivers\[0\]\.reason/,
    );
    expect(waiversProblem({ ...base, waivers: [{ server: 'vm', reason: ' ' }] })).toMatch(/needs a server/);
    expect(
      waiversProblem({ ...base, preflightWaivers: [{ check: 'quota', reason: 'x'.repeat(2001) }] }),
    ).toMatch(/preflightWaivers\[0\]\.reason/);
  });

  it('accepts a postponement within two years of workflow time only', () => {
    expect(untilProblem('2026-07-01T22:00:00Z', nowMs)).toBeUndefined();
    expect(untilProblem('2028-06-01T00:00:00Z', nowMs)).toBeUndefined();
    expect(untilProblem('2028-07-01T00:00:00Z', nowMs)).toMatch(/more than 2 years ahead/);
    expect(untilProblem('+020000-01-01T00:00:00Z', nowMs)).toMatch(/not an ISO date-time/);
    expect(untilProblem('2026-06-15T11:00:00Z', nowMs)).toMatch(/not in the future/);
    expect(untilProblem('2026-13-45T00:00:00Z', nowMs)).toMatch(/not an ISO date-time/);
  });
});

describe('signed operator actions', () => {
  it('checks nothing without trusted keys (the dev path)', () => {
    expect(stampedActionProblem({ ...context, trustedKeys: undefined }, 'pause', pause, 'operator')).toBe(
      undefined,
    );
  });

  it('accepts a stamp for this update, workflow and argument by the right role', () => {
    expect(
      stampedActionProblem(context, 'pause', stamped('pause', 'batch-b1', pause, alice), 'operator'),
    ).toBeUndefined();
    // Admin may do everything.
    const byRoot = { ...pause, by: root.name };
    expect(
      stampedActionProblem(context, 'rollback', stamped('rollback', 'batch-b1', byRoot, root), 'lead'),
    ).toBeUndefined();
  });

  it('refuses a missing, forged, replayed, misdirected, expired or untrusted stamp', () => {
    expect(stampedActionProblem(context, 'pause', pause, 'operator')).toMatch(/carries no signed stamp/);
    const forged = stamped('pause', 'batch-b1', pause, alice, { privateKey: other.privateKey });
    expect(stampedActionProblem(context, 'pause', forged, 'operator')).toMatch(/does not match this action/);
    const replayed = { ...stamped('pause', 'batch-b1', pause, alice), reason: 'another reason' };
    expect(stampedActionProblem(context, 'pause', replayed, 'operator')).toMatch(/does not match/);
    const otherWorkflow = stamped('pause', 'batch-b2', pause, alice);
    expect(stampedActionProblem(context, 'pause', otherWorkflow, 'operator')).toMatch(/does not match/);
    const otherUpdate = stamped('resume', 'batch-b1', pause, alice);
    expect(stampedActionProblem(context, 'pause', otherUpdate, 'operator')).toMatch(/does not match/);
    const expired = stamped('pause', 'batch-b1', pause, alice, { issuedAt: '2026-06-15T11:49:00Z' });
    expect(stampedActionProblem(context, 'pause', expired, 'operator')).toMatch(/expired/);
    const unknownKey = { ...stamped('pause', 'batch-b1', pause, alice) };
    unknownKey.stamp = { ...unknownKey.stamp, keyId: 'server-0' };
    expect(stampedActionProblem(context, 'pause', unknownKey, 'operator')).toMatch(
      /'server-0' is not trusted/,
    );
  });

  it('requires by to be the signed identity and the role the update needs', () => {
    const asSomeoneElse = stamped('pause', 'batch-b1', { ...pause, by: 'mallory' }, alice);
    expect(stampedActionProblem(context, 'pause', asSomeoneElse, 'operator')).toMatch(
      /`by` 'mallory' is not the signed identity 'alice@contoso.com'/,
    );
    expect(
      stampedActionProblem(context, 'rollback', stamped('rollback', 'batch-b1', pause, alice), 'lead'),
    ).toBe('Refused rollback: it needs the lead role; alice@contoso.com has operator.');
  });

  it('lets an operator or a lead open a cutover inside its window, as the server allows', () => {
    const lead: VerifiedIdentity = { subject: 'sub-leo', name: 'leo@contoso.com', roles: ['lead'] };
    const viewer: VerifiedIdentity = { subject: 'sub-vic', name: 'vic@contoso.com', roles: ['viewer'] };
    const open = (who: VerifiedIdentity) =>
      stampedActionProblem(
        context,
        'openCutover',
        stamped('openCutover', 'batch-b1', { ...pause, by: who.name }, who),
        IN_WINDOW_CUTOVER_ROLES,
      );
    expect(open(alice)).toBeUndefined();
    expect(open(lead)).toBeUndefined();
    expect(open(viewer)).toBe(
      'Refused openCutover: it needs the operator or lead role; vic@contoso.com has viewer.',
    );
  });
});

describe('the database cutover signal', () => {
  const window = { start: '2026-06-15T20:00:00Z', end: '2026-06-15T23:00:00Z' };
  const base = { trustedKeys, window, batchWorkflowId: 'batch-b1', authorization: undefined };
  const force = { by: carol.name, reason: 'business approved', force: true };

  it('is accepted inside the planned window, and always without keys or a window', () => {
    expect(cutoverSignalProblem({ ...base, nowMs: Date.parse('2026-06-15T21:00:00Z') })).toBeUndefined();
    expect(cutoverSignalProblem({ ...base, trustedKeys: undefined, nowMs })).toBeUndefined();
    expect(cutoverSignalProblem({ ...base, window: undefined, nowMs })).toBeUndefined();
  });

  it("outside the window needs a lead's signed action on this batch", () => {
    expect(cutoverSignalProblem({ ...base, nowMs })).toMatch(/outside the planned window .* needs a lead/);
    const { stamp } = stamped('openCutover', 'batch-b1', force, carol);
    const authorization = { update: 'openCutover' as const, args: force, stamp };
    // Hours after the stamp was issued: the batch checked its age when it accepted the action.
    const later = Date.parse('2026-06-15T17:00:00Z');
    expect(cutoverSignalProblem({ ...base, authorization, nowMs: later })).toBeUndefined();
    expect(cutoverSignalProblem({ ...base, batchWorkflowId: 'batch-b2', authorization, nowMs })).toMatch(
      /authorization is refused/,
    );
    const byOperator = stamped('openCutover', 'batch-b1', { ...force, by: alice.name }, alice);
    expect(
      cutoverSignalProblem({
        ...base,
        authorization: {
          update: 'openCutover',
          args: { ...force, by: alice.name },
          stamp: byOperator.stamp,
        },
        nowMs,
      }),
    ).toMatch(/needs the lead role/);
  });

  it('a signed postponement authorises the cutover only once it is due', () => {
    const postpone = { by: carol.name, reason: 'freeze', until: '2026-06-16T20:00:00Z' };
    const { stamp } = stamped('postponeCutover', 'batch-b1', postpone, carol);
    const authorization = { update: 'postponeCutover' as const, args: postpone, stamp };
    expect(cutoverSignalProblem({ ...base, authorization, nowMs })).toMatch(/not due yet/);
    expect(
      cutoverSignalProblem({ ...base, authorization, nowMs: Date.parse('2026-06-16T20:00:01Z') }),
    ).toBeUndefined();
  });
});

describe('a signed wave start', () => {
  const input = {
    waveId: 'w1',
    requireApproval: true,
    trustedStampKeys: trustedKeys,
    startedBy: alice,
  } as unknown as WaveWorkflowInput;
  const sign = (args: WaveWorkflowInput, identity: VerifiedIdentity, workflowId = 'wave-w1') =>
    signStamp({
      privateKey: fromBase64Url(keys.privateKey),
      keyId: 'server-1',
      update: 'startWave',
      workflowId,
      args,
      identity,
      issuedAt,
    });

  it('starts with a valid stamp of its starter, and without keys at all', () => {
    expect(waveStartProblem({ ...input, startStamp: sign(input, alice) }, 'wave-w1', nowMs)).toBeUndefined();
    expect(waveStartProblem({ ...input, trustedStampKeys: undefined }, 'wave-w1', nowMs)).toBeUndefined();
  });

  it('refuses a missing or misdirected stamp, another starter, and an unapproved wave by a non-lead', () => {
    expect(waveStartProblem(input, 'wave-w1', nowMs)).toMatch(/no signed stamp/);
    expect(
      waveStartProblem({ ...input, startStamp: sign(input, alice, 'wave-w2') }, 'wave-w1', nowMs),
    ).toMatch(/does not match/);
    const asCarol = { ...input, startedBy: carol };
    expect(waveStartProblem({ ...asCarol, startStamp: sign(asCarol, alice) }, 'wave-w1', nowMs)).toMatch(
      /startedBy must be the signed identity/,
    );
    const unapproved = { ...input, requireApproval: false };
    expect(
      waveStartProblem({ ...unapproved, startStamp: sign(unapproved, alice) }, 'wave-w1', nowMs),
    ).toMatch(/without an approval needs the lead role/);
  });
});
