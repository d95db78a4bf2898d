/**
 * The InMageRcm provider replicates through the mobility agent. A VM without one, in a wave without a
 * run-as account, fails its enable the way Azure fails it and is parked with that error while the rest of
 * its batch goes on; with a run-as account the appliance pushes the agent and the VM migrates.
 */
import type { InMageRcmFabricSpecificDetails } from '@azure/arm-recoveryservices-siterecovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryUpdate } from '../../contracts/messages.ts';
import { demoScope, demoTarget } from '../../domain/demo.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import { siteRecoveryClient } from '../simulator/helpers.ts';
import {
  pathOf,
  waitForBatchProgress,
  operator,
  protectedItemOf,
  smallDemoSite,
  startBatch,
  startHarness,
  startInProcessWorkers,
  type Harness,
} from './harness.ts';

describe('mobility agents', () => {
  let harness: Harness;
  let workers: RunningWorkers;
  beforeAll(async () => {
    harness = await startHarness('agents', { speed: 2000 });
    workers = await startInProcessWorkers(harness);
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  const itemRequests = async (vmName: string) => {
    const item = `/replicationProtectedItems/${protectedItemOf(vmName)}`;
    const { entries } = await harness.admin.audit();
    return entries.filter((e) => e.status < 300 && pathOf(e.path).includes(item));
  };
  const agentMachines = async () => {
    const client = siteRecoveryClient(harness.simulator);
    const fabrics = [];
    for await (const fabric of client.replicationFabrics.list(demoScope.vaultName, demoScope.resourceGroup))
      fabrics.push(fabric);
    return fabrics.flatMap(
      (fabric) =>
        (fabric.properties?.customDetails as InMageRcmFabricSpecificDetails).agentDetails?.map(
          (agent) => agent.machineId,
        ) ?? [],
    );
  };

  it('parks a VM without an agent with Azure’s error, keeps the rest, and migrates it once the agent is installed', async () => {
    await harness.admin.setMobilityAgent('crm-app-03', false);
    const handle = await startBatch(harness, 'agents-missing', ['crm-app-03', 'crm-app-04']);
    const held = await waitForBatchProgress(
      handle,
      'batch held for the VM without an agent',
      (p) => p.phase === 'awaiting-operator',
    );
    const parked = held.vms.find((vm) => vm.name === 'crm-app-03');
    expect(parked).toMatchObject({ disposition: 'parked', errorCode: 'MobilityAgentNotInstalled' });
    expect(parked?.reason).toMatch(/Install the mobility agent/);
    expect(held.vms.find((vm) => vm.name === 'crm-app-04')).toMatchObject({
      disposition: 'active',
      state: 'protected',
    });

    await harness.admin.setMobilityAgent('crm-app-03', true);
    await handle.executeUpdate(retryUpdate, { args: [{ ...operator, vmNames: ['crm-app-03'] }] });
    const result = await handle.result();
    expect(result.vms.map((vm) => [vm.name, vm.outcome])).toEqual([
      ['crm-app-03', 'migrated'],
      ['crm-app-04', 'migrated'],
    ]);

    // Enabled, refused by its job, removed, enabled again; the other VM was enabled once.
    const parkedRequests = await itemRequests('crm-app-03');
    expect(parkedRequests.filter((e) => e.method === 'PUT' && e.outcome === 'created')).toHaveLength(2);
    expect(
      parkedRequests.filter((e) => e.method === 'POST' && pathOf(e.path).endsWith('/remove')),
    ).toHaveLength(2);
    const otherRequests = await itemRequests('crm-app-04');
    expect(otherRequests.filter((e) => e.method === 'PUT' && e.outcome === 'created')).toHaveLength(1);
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });

  it('has the appliance push the agent when the wave has a run-as account', async () => {
    await harness.admin.setMobilityAgent('crm-web-05', false);
    const pushedMachine = protectedItemOf('crm-web-05');
    expect(await agentMachines()).not.toContain(pushedMachine);
    const runAsAccountId = `/subscriptions/${demoScope.subscriptionId}/resourceGroups/${demoScope.resourceGroup}/providers/Microsoft.OffAzure/VMwareSites/${smallDemoSite().vmwareSiteName}/runAsAccounts/guest-admin`;
    const handle = await startBatch(
      harness,
      'agents-push',
      ['crm-web-05'],
      {},
      {
        ...demoTarget(demoScope),
        runAsAccountId,
      },
    );
    const result = await handle.result();
    expect(result.vms.map((vm) => vm.outcome)).toEqual(['migrated']);
    const requests = await itemRequests('crm-web-05');
    expect(requests.filter((e) => e.method === 'PUT' && e.outcome === 'created')).toHaveLength(1);
    expect(await agentMachines()).toContain(pushedMachine);
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });
});
