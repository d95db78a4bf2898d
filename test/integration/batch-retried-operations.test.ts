/**
 * Operations Azure finds already under way or already done, because an earlier request or attempt (or an
 * operator in the portal) got there first: the batch must read that as progress, not as failure.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchProgressQuery, rollbackUpdate } from '../../contracts/messages.ts';
import { recoveryPlanName } from '../../contracts/ids.ts';
import { demoScope } from '../../domain/demo.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import { poll, siteRecoveryClient } from '../simulator/helpers.ts';
import {
  pathOf,
  operator,
  protectedItemOf,
  sourcePowerStates,
  startBatch,
  startHarness,
  startInProcessWorkers,
  waitFor,
  type Harness,
} from './harness.ts';

const month = 30 * 86_400;

describe('retried and pre-empted Site Recovery operations (real Temporal, real SDK, simulator)', () => {
  let harness: Harness;
  let workers: RunningWorkers;
  beforeAll(async () => {
    harness = await startHarness('retried', { speed: 2000 });
    workers = await startInProcessWorkers(harness);
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  it('a repair asked for again while the first still runs (OperationInProgress) does not park the VM', async () => {
    // The VM stalls; its resync job takes a (simulated) month to start transferring, so the batch's next
    // stall decision repairs again while the first repair is still in progress.
    await harness.admin.configureFaults({
      targeted: [{ vm: 'crm-web-05', fault: 'Stall' }],
      slowJobs: [{ scenario: 'RepairReplication', extraSeconds: month }],
    });
    const handle = await startBatch(harness, 'retried-repair', ['crm-web-05'], {
      stallAfterMs: 1000,
      maxRepairs: 50,
    });
    const repairs = async () =>
      (await harness.admin.audit()).entries.filter(
        (e) =>
          e.method === 'POST' &&
          pathOf(e.path).endsWith(`/${protectedItemOf('crm-web-05')}/repairReplication`),
      );
    const refused = await waitFor('a second repair answered OperationInProgress', async () => {
      const found = (await repairs()).find((e) => e.status === 409);
      return found ? found : undefined;
    });
    expect(refused.errorCode).toBe('OperationInProgress');
    // The batch read that answer, and the VM is still in the batch, waiting for its resync.
    await waitFor('the batch to poll again after the refused repair', async () => {
      const later = (await repairs()).filter((e) => e.seq > refused.seq);
      return later.length > 0 ? true : undefined;
    });
    const progress = await handle.query(batchProgressQuery);
    expect(progress.phase).toBe('replicating');
    expect(progress.vms.map((vm) => [vm.name, vm.disposition])).toEqual([['crm-web-05', 'active']]);

    // The first resync starts a month later: replication goes on and the batch completes.
    await harness.admin.configureFaults({});
    await harness.admin.advanceClock(month + 3600);
    const result = await handle.result();
    expect(result.phase).toBe('completed');
    expect(result.vms.map((vm) => [vm.name, vm.outcome])).toEqual([['crm-web-05', 'migrated']]);
    expect((await repairs()).filter((e) => e.status === 202).length).toBeGreaterThanOrEqual(1);
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });

  it('a rollback after the failover was cancelled elsewhere powers the sources back on and closes its vCenter session', async () => {
    const app = createServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const port = (app.address() as AddressInfo).port;
    try {
      const vms = ['intranet-web-04', 'intranet-app-02'];
      const handle = await startBatch(harness, 'retried-cancel', vms, {
        validation: {
          testFailover: [],
          cutover: [{ name: 'web', kind: 'http', url: `http://127.0.0.1:${port}/` }],
        },
      });
      await waitFor('the batch held after a failed cutover validation', async () => {
        const progress = await handle.query(batchProgressQuery);
        return progress.phase === 'awaiting-operator' && progress.detail?.includes('answered 500')
          ? true
          : undefined;
      });
      expect(Object.values(await sourcePowerStates(harness, vms))).toEqual(['POWERED_OFF', 'POWERED_OFF']);

      // An earlier attempt (or an operator in the portal) cancelled the failover: the batch's own cancel
      // finds nothing left to do.
      const client = siteRecoveryClient(harness.simulator);
      await client.replicationRecoveryPlans.beginFailoverCancelAndWait(
        demoScope.vaultName,
        demoScope.resourceGroup,
        recoveryPlanName('retried-cancel'),
        poll,
      );

      await handle.executeUpdate(rollbackUpdate, { args: [operator] });
      const result = await handle.result();
      expect(result.phase).toBe('rolled-back');
      expect(await sourcePowerStates(harness, vms)).toEqual({
        'intranet-web-04': 'POWERED_ON',
        'intranet-app-02': 'POWERED_ON',
      });
      const state = await harness.admin.state();
      expect(state.vsphereSessions).toBe(0);
      expect(await harness.admin.invariants()).toEqual({ violations: [] });
    } finally {
      app.close();
    }
  });
});
