import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorkers } from '../../workers/run.ts';
import { batchProgressQuery, retryUpdate, waveProgressQuery } from '../../contracts/messages.ts';
import {
  pathOf,
  waitForBatchProgress,
  operator,
  protectedItemOf,
  sourcePowerStates,
  startBatch,
  startHarness,
  startInProcessWorkers,
  waitFor,
  type Harness,
  demoBatchSettings,
  startDemoWave,
} from './harness.ts';

describe('batch failures and recovery (seeded simulator faults)', () => {
  let harness: Harness;
  let workers: RunningWorkers;
  beforeAll(async () => {
    harness = await startHarness('faults', { speed: 2000 });
    workers = await startInProcessWorkers(harness);
  });
  afterEach(async () => {
    await harness.admin.configureFaults({});
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  it('parks a VM whose enable fails permanently, keeps the rest, and migrates it after retry', async () => {
    await harness.admin.configureFaults({
      targeted: [{ vm: 'reporting-db-01', fault: 'EnableDr', count: 1 }],
    });
    const handle = await startBatch(harness, 'faults-enable', ['reporting-db-01', 'reporting-app-02']);
    const held = await waitForBatchProgress(
      handle,
      'batch held for the parked VM',
      (p) => p.phase === 'awaiting-operator',
    );
    const parked = held.vms.find((vm) => vm.name === 'reporting-db-01');
    expect(parked).toMatchObject({ disposition: 'parked', errorCode: 'EnableProtectionFailed' });
    expect(held.vms.find((vm) => vm.name === 'reporting-app-02')).toMatchObject({
      disposition: 'active',
      state: 'protected',
    });
    expect(held.detail).toContain('reporting-db-01');

    await handle.executeUpdate(retryUpdate, { args: [{ ...operator, vmNames: ['reporting-db-01'] }] });
    const result = await handle.result();
    expect(result.vms.map((vm) => vm.outcome)).toEqual(['migrated', 'migrated']);
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });

  it('retries transient ARM errors without the operator noticing', async () => {
    await harness.admin.configureFaults({ transient: { probability: 0.15 } });
    const handle = await startBatch(harness, 'faults-transient', ['reporting-web-04', 'reporting-web-05']);
    const result = await handle.result();
    expect(result.vms.map((vm) => vm.outcome)).toEqual(['migrated', 'migrated']);
    const { entries } = await harness.admin.audit();
    const items = ['reporting-web-04', 'reporting-web-05'].map((vm) => protectedItemOf(vm));
    const enables = entries.filter(
      (e) =>
        e.method === 'PUT' &&
        items.some((item) => pathOf(e.path).endsWith(`/replicationProtectedItems/${item}`)) &&
        e.status < 300,
    );
    expect(enables).toHaveLength(2);
  });

  it('surfaces a replication stall with its health error, repairs it and completes', async () => {
    await harness.admin.configureFaults({ targeted: [{ vm: 'crm-web-05', fault: 'Stall' }] });
    const handle = await startBatch(harness, 'faults-stall', ['crm-web-05'], {
      stallAfterMs: 1500,
      maxRepairs: 1,
    });
    const stalled = await waitForBatchProgress(handle, 'the stall to surface', (p) =>
      p.vms.some((vm) => vm.progressHealth === 'NoProgress' && vm.healthErrors.length > 0),
    );
    const error = stalled.vms[0]?.healthErrors[0];
    expect(error?.code).toBeTruthy();
    expect(error?.recommendedAction).toBeTruthy();
    const result = await handle.result();
    expect(result.vms[0]?.outcome).toBe('migrated');
    const { entries } = await harness.admin.audit();
    expect(
      entries.filter((e) => pathOf(e.path).endsWith(`/${protectedItemOf('crm-web-05')}/repairReplication`)),
    ).toHaveLength(1);
  });

  it('cleans up a failed test failover, holds the batch for the operator and succeeds on retry', async () => {
    await harness.admin.configureFaults({
      targeted: [{ vm: 'crm-app-03', fault: 'TestFailover', count: 1 }],
    });
    const handle = await startBatch(harness, 'faults-tfo', ['crm-app-03']);
    const held = await waitForBatchProgress(
      handle,
      'batch held after test failover',
      (p) => p.phase === 'awaiting-operator',
    );
    expect(held.detail).toMatch(/test-failover failed: .*TestFailoverFailed/);
    const state = await harness.admin.state();
    expect(state.targetVms.test).toBe(0);

    await handle.executeUpdate(retryUpdate, { args: [operator] });
    const result = await handle.result();
    expect(result.vms[0]?.outcome).toBe('migrated');
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });

  it('continues as new during a long replication and still completes', async () => {
    await harness.admin.setSpeed(300);
    try {
      const handle = await startBatch(harness, 'faults-can', ['crm-db-02'], {
        continueAsNewAfterPolls: 2,
        replicationReportEveryMs: 200,
      });
      const result = await handle.result();
      expect(result.vms[0]?.outcome).toBe('migrated');
      const latest = await harness.client.workflow.getHandle(handle.workflowId).describe();
      expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    } finally {
      await harness.admin.setSpeed(2000);
    }
  });

  it('rolls back every batch that is not committed when the wave is cancelled', async () => {
    await harness.admin.setSpeed(300);
    try {
      const wave = await startDemoWave(
        harness.client,
        'it-cancel',
        { ...demoBatchSettings, azureTaskQueue: harness.azureTaskQueue, replicationReportEveryMs: 300 },
        harness.taskQueue,
      );
      await waitFor('both batches replicating', async () => {
        const { batches } = await wave.query(waveProgressQuery);
        if (batches.length === 0 || batches.some((b) => b.phase === 'pending')) return undefined;
        const phases = await Promise.all(
          batches.map((b) => harness.client.workflow.getHandle(b.workflowId).query(batchProgressQuery)),
        );
        return phases.every((p) => p.phase === 'replicating') ? true : undefined;
      });
      await wave.cancel();
      const result = await wave.result();
      expect(result.counts).toEqual({
        migrated: 0,
        'rolled-back': 20,
        deferred: 0,
        'failed-needs-attention': 0,
      });
      expect((await wave.query(waveProgressQuery)).phase).toBe('cancelled');
    } finally {
      await harness.admin.setSpeed(2000);
    }
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
    const sources = await sourcePowerStates(harness, ['payroll-db-01', 'intranet-web-05']);
    expect(Object.values(sources)).toEqual(['POWERED_ON', 'POWERED_ON']);
  });
});
