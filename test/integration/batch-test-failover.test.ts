/**
 * Azure's test failover end state: the test failover job waits `Suspended` (WaitingForStopTestFailover)
 * until test failover cleanup ends it. A batch must complete through it, and a retried test failover
 * must recognise the suspended job as done instead of waiting for it to succeed.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiteRecoveryActivities } from '../../activities/site-recovery.ts';
import { demoBatchSpecs, demoScope, demoTarget } from '../../domain/demo.ts';
import { siteRecoveryDeps } from '../../workers/azure.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import { siteRecoveryClient } from '../simulator/helpers.ts';
import {
  pathOf,
  smallDemoSite,
  startBatch,
  startHarness,
  startInProcessWorkers,
  waitFor,
  type Harness,
} from './harness.ts';

describe('test failover jobs that end Suspended, as Azure leaves them', () => {
  let harness: Harness;
  let workers: RunningWorkers;
  beforeAll(async () => {
    harness = await startHarness('tfo-suspended', { speed: 2000 });
    workers = await startInProcessWorkers(harness);
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  const testFailoverJobs = async () => {
    const client = siteRecoveryClient(harness.simulator);
    const jobs = [];
    for await (const job of client.replicationJobs.list(demoScope.vaultName, demoScope.resourceGroup, {
      filter: "jobName eq 'TestFailover'",
    })) {
      jobs.push(job);
    }
    return jobs;
  };

  it('completes a batch whose test failover job is Suspended until cleanup', async () => {
    const handle = await startBatch(harness, 'sr-tfo-suspended', ['payroll-app-02', 'payroll-web-04']);
    const result = await handle.result();
    expect(result.vms.map((vm) => vm.outcome)).toEqual(['migrated', 'migrated']);

    const { entries } = await harness.admin.audit();
    const planActions = entries
      .filter((entry) => /\/replicationRecoveryPlans\/[^/]+\/\w+$/.test(pathOf(entry.path)))
      .map((entry) => `${pathOf(entry.path).split('/').at(-1)} ${entry.status}`);
    // One test failover, one cleanup (which ended the suspended job), then the failover: nothing repeated.
    expect(planActions).toEqual([
      'testFailover 202',
      'testFailoverCleanup 202',
      'unplannedFailover 202',
      'failoverCommit 202',
    ]);
    const jobs = await testFailoverJobs();
    expect(jobs.map((job) => job.properties?.state)).toEqual(['Succeeded']);
    expect(jobs[0]?.properties?.endTime).toBeInstanceOf(Date);
    const state = await harness.admin.state();
    expect(state.targetVms.test).toBe(0);
    expect(state.completedMigrations).toBe(2);
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });

  it('a retried testFailover takes the suspended job as done and starts nothing', async () => {
    const activities = createSiteRecoveryActivities(siteRecoveryDeps(loadWorkerConfig(harness.workerEnv)));
    // A fresh environment per call: no heartbeat details, as a new attempt of the activity starts.
    const run = <T>(call: () => Promise<T>): Promise<T> =>
      new MockActivityEnvironment().run<[], T, () => Promise<T>>(call);
    const site = await run(() => activities.discoverReplicationSite());
    const [spec] = demoBatchSpecs(demoScope, smallDemoSite(), {
      waveId: 'tests',
      batches: [{ batchId: 'sr-tfo-retry', vmNames: ['crm-app-03'] }],
    });
    const vms = spec!.vms;
    const enabled = await run(() =>
      activities.enableReplication({ site, target: demoTarget(demoScope), vms }),
    );
    expect(enabled.failed).toEqual([]);
    await waitFor('crm-app-03 protected', async () => {
      const [status] = await run(() => activities.readBatchState({ site, vms }));
      return status?.state === 'protected' ? status : undefined;
    });
    const planName = 'sr-tfo-retry-plan';
    await run(() => activities.createRecoveryPlan({ site, planName, vms }));
    const testFailover = {
      planName,
      action: 'testFailover' as const,
      testNetworkId: demoTarget(demoScope).testNetworkId,
    };
    expect(await run(() => activities.runRecoveryPlanAction(testFailover))).toBe('completed');
    const [suspended] = (await testFailoverJobs()).filter((job) => job.properties?.state === 'Suspended');
    expect(suspended?.properties?.targetObjectName).toBe(planName);

    // A new attempt without the first one's poller: it reads the plan, finds the suspended job and ends.
    expect(await run(() => activities.runRecoveryPlanAction(testFailover))).toBe('completed');
    const started = (await harness.admin.audit()).entries.filter((entry) =>
      pathOf(entry.path).endsWith(`/${planName}/testFailover`),
    );
    expect(started).toHaveLength(1);

    expect(
      await run(() => activities.runRecoveryPlanAction({ planName, action: 'testFailoverCleanup' })),
    ).toBe('completed');
    const ended = (await testFailoverJobs()).find((job) => job.name === suspended?.name);
    expect(ended?.properties?.state).toBe('Succeeded');
    await run(() => activities.deleteRecoveryPlan({ planName }));
    await run(() => activities.disableReplication({ site, vms }));
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });
});
