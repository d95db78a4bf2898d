import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WaveResult } from '../../domain/migration.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import { batchProgressQuery, waveProgressQuery } from '../../contracts/messages.ts';
import {
  pathOf,
  sourcePowerStates,
  startHarness,
  startInProcessWorkers,
  type Harness,
  demoBatchSettings,
  startDemoWave,
} from './harness.ts';

describe('demo wave end to end (real Temporal, real SDK, simulator)', () => {
  let harness: Harness;
  let workers: RunningWorkers;
  beforeAll(async () => {
    harness = await startHarness('demo', { speed: 2000 });
    workers = await startInProcessWorkers(harness);
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  it('migrates all 20 VMs through both batches, once each, and leaves nothing behind', async () => {
    const handle = await startDemoWave(
      harness.client,
      'it-demo',
      {
        ...demoBatchSettings,
        azureTaskQueue: harness.azureTaskQueue,
        replicationReportEveryMs: 1000,
      },
      harness.taskQueue,
    );
    const result: WaveResult = await handle.result();

    expect(result.counts).toEqual({
      migrated: 20,
      'rolled-back': 0,
      deferred: 0,
      'failed-needs-attention': 0,
    });
    expect(result.batches.map((b) => b.phase)).toEqual(['completed', 'completed']);
    expect(result.databases.map((d) => [d.databaseId, d.outcome])).toEqual([
      ['it-demo.crm-db-01.crm', 'migrated'],
      ['it-demo.payroll-db-01.payroll', 'migrated'],
    ]);

    const wave = await handle.query(waveProgressQuery);
    expect(wave.phase).toBe('completed');
    const batch = await harness.client.workflow
      .getHandle(wave.batches[0]!.workflowId)
      .query(batchProgressQuery);
    expect(batch.phase).toBe('completed');
    expect(batch.vms.every((vm) => vm.state === 'failed-over')).toBe(true);

    const { entries } = await harness.admin.audit();
    const enables = entries.filter(
      (e) => e.method === 'PUT' && /\/replicationProtectedItems\/[^/]+$/i.test(e.path.split('?')[0] ?? ''),
    );
    expect(enables).toHaveLength(20);
    expect(new Set(enables.map((e) => e.path)).size).toBe(20);
    const failovers = entries.filter(
      (e) => e.method === 'POST' && /\/unplannedFailover$/i.test(e.path.split('?')[0] ?? ''),
    );
    expect(failovers).toHaveLength(2);
    expect(await harness.admin.invariants()).toEqual({ violations: [] });

    // Each database cuts over once, inside its application's batch cutover: after the test failover is
    // cleaned up and before the VMs fail over.
    const seq = (test: (path: string) => boolean) =>
      entries.filter((e) => e.method === 'POST' && test(pathOf(e.path))).map((e) => e.seq);
    const payrollCutover = seq((p) => p.includes('/databaseMigrations/payroll') && p.endsWith('/cutover'));
    expect(payrollCutover).toHaveLength(1);
    const [cleanup] = seq((p) => p.endsWith('rp-it-demo-batch-01/testFailoverCleanup'));
    const [failover] = seq((p) => p.endsWith('rp-it-demo-batch-01/unplannedFailover'));
    expect(payrollCutover[0]).toBeGreaterThan(cleanup ?? Infinity);
    expect(payrollCutover[0]).toBeLessThan(failover ?? -Infinity);
    const sources = await sourcePowerStates(harness, ['payroll-db-01', 'reporting-web-05']);
    expect(sources).toEqual({ 'payroll-db-01': 'POWERED_OFF', 'reporting-web-05': 'POWERED_OFF' });

    // The recorded histories replay deterministically against the current workflow code.
    const workflowIds = [
      handle.workflowId,
      ...wave.batches.map((b) => b.workflowId),
      ...result.databases.map((d) => `database-${d.databaseId}`),
    ];
    const histories = workflowIds.map(async (workflowId) => ({
      workflowId,
      history: await harness.client.workflow.getHandle(workflowId).fetchHistory(),
    }));
    const replay = Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: harness.dataConverter },
      await Promise.all(histories),
    );
    for await (const { workflowId, error } of replay) expect(error, workflowId).toBeUndefined();
  });
});
