import { describe, expect, it } from 'vitest';
import { applyReplicationReading, batchOutcomes, park, type VmTrack } from '../../domain/batch-rules.ts';
import { notYetReplicating, type VmReplicationStatus } from '../../domain/migration.ts';

const policy = { stallAfterMs: 1000, maxRepairs: 1 };
const tracks = (...names: string[]): VmTrack[] =>
  names.map((name) => ({ name, status: notYetReplicating(name), disposition: 'active', repairs: 0 }));
const reading = (name: string, patch: Partial<VmReplicationStatus>): VmReplicationStatus => ({
  ...notYetReplicating(name),
  state: 'replicating',
  protectionState: 'InitialReplicationInProgress',
  progressHealth: 'InProgress',
  ...patch,
});
const stalled = (name: string) =>
  reading(name, {
    progressHealth: 'NoProgress',
    healthErrors: [
      { code: 'ReplicationStalled', message: 'No data uploaded', recommendedAction: 'Check the appliance' },
    ],
  });

describe('replication rules', () => {
  it('repairs a VM stalled for longer than the threshold, then parks it when repairs are used up', () => {
    const vms = tracks('a');
    expect(applyReplicationReading(vms, [stalled('a')], 0, policy)).toEqual({ repair: [], park: [] });
    expect(applyReplicationReading(vms, [stalled('a')], 999, policy)).toEqual({ repair: [], park: [] });
    expect(applyReplicationReading(vms, [stalled('a')], 1000, policy)).toEqual({ repair: ['a'], park: [] });
    expect(applyReplicationReading(vms, [stalled('a')], 1500, policy).park).toEqual([]);
    const decision = applyReplicationReading(vms, [stalled('a')], 2000, policy);
    expect(decision.park).toEqual([
      {
        name: 'a',
        step: 'replication',
        reason:
          'Replication stalled after 1 resync(s): No data uploaded. Recommended action: Check the appliance',
        errorCode: 'ReplicationStalled',
      },
    ]);
  });

  it('forgets a stall once progress resumes', () => {
    const vms = tracks('a');
    applyReplicationReading(vms, [stalled('a')], 0, policy);
    applyReplicationReading(vms, [reading('a', {})], 500, policy);
    expect(vms[0]?.stalledSinceMs).toBeUndefined();
    expect(applyReplicationReading(vms, [stalled('a')], 1200, policy).repair).toEqual([]);
  });

  it('parks a failed enable for re-enable and a vanished item likewise, and ignores parked VMs', () => {
    const vms = tracks('a', 'b', 'c');
    park(vms[2]!, 'replication', 'earlier');
    const decision = applyReplicationReading(
      vms,
      [
        reading('a', {
          state: 'error',
          protectionState: 'EnablingFailed',
          healthErrors: [{ code: 'EnableProtectionFailed', message: 'Mobility service install failed' }],
        }),
        reading('b', { state: 'absent', protectionState: 'None' }),
        stalled('c'),
      ],
      0,
      policy,
    );
    expect(decision.park).toEqual([
      {
        name: 'a',
        step: 'enable',
        reason: 'Mobility service install failed.',
        errorCode: 'EnableProtectionFailed',
      },
      {
        name: 'b',
        step: 'enable',
        reason: 'Protected item disappeared during replication',
        errorCode: undefined,
      },
    ]);
  });
});

describe('outcomes', () => {
  it('gives every VM exactly one outcome with its reason', () => {
    const vms = tracks('migrated', 'parked', 'skipped');
    vms[0]!.disposition = 'migrated';
    park(vms[1]!, 'enable', 'Enable replication refused', 'BadRequest');
    vms[2]!.disposition = 'skipped';
    vms[2]!.reason = 'Deferred';
    expect(batchOutcomes(vms, false).map((o) => [o.name, o.outcome, o.reason])).toEqual([
      ['migrated', 'migrated', undefined],
      ['parked', 'failed-needs-attention', 'Enable replication refused'],
      ['skipped', 'deferred', 'Deferred'],
    ]);
    expect(batchOutcomes(vms, true).map((o) => o.outcome)).toEqual([
      'rolled-back',
      'rolled-back',
      'deferred',
    ]);
  });
});
