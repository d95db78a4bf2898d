import { request } from 'node:https';
import type {
  InMageRcmFabricSpecificDetails,
  InMageRcmReplicationDetails,
  ReplicationProtectedItem,
} from '@azure/arm-recoveryservices-siterecovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enableInput,
  expectAzureError,
  poll,
  scope,
  startTestSimulator,
  targetResourceGroupId,
  testNetworkId,
  type TestSimulator,
} from './helpers.ts';

const vmNames = ['payroll-db-01', 'payroll-app-02', 'payroll-web-04', 'intranet-web-03'];
const planName = 'wave-01-batch-01';

/** Minimal vSphere REST client over node:https with the simulator CA. */
async function vsphere(
  t: TestSimulator,
  method: string,
  path: string,
  session?: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, t.sim.endpoint),
      {
        method,
        ca: t.sim.caCertPem,
        headers: session
          ? { 'vmware-api-session-id': session }
          : {
              authorization: `Basic ${Buffer.from('administrator@vsphere.local:secret').toString('base64')}`,
            },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('full migration lifecycle through the real SDK', () => {
  let t: TestSimulator;
  const items = new Map<string, ReplicationProtectedItem>();

  beforeAll(async () => {
    t = await startTestSimulator();
  });
  afterAll(async () => {
    await t.dispose();
  });

  const args = () => [scope.vaultName, scope.resourceGroup, t.seed.fabricName, t.seed.containerName] as const;

  it('discovers the fabric, process servers, container, policy and mapping', async () => {
    const fabric = await t.client.replicationFabrics.get(
      scope.vaultName,
      scope.resourceGroup,
      t.seed.fabricName,
    );
    const details = fabric.properties?.customDetails as InMageRcmFabricSpecificDetails;
    expect(details.instanceType).toBe('InMageRcm');
    expect(details.vmwareSiteId).toBe(
      `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.OffAzure/VMwareSites/${t.site.vmwareSiteName}`,
    );
    expect(details.processServers?.map((server) => server.name)).toEqual(
      t.site.appliances.map((a) => a.name),
    );
    expect(details.processServers?.[0]?.health).toBe('Normal');

    const containers = [];
    for await (const container of t.client.replicationProtectionContainers.listByReplicationFabrics(
      scope.vaultName,
      scope.resourceGroup,
      t.seed.fabricName,
    )) {
      containers.push(container);
    }
    expect(containers.map((container) => container.name)).toEqual([t.seed.containerName]);

    const policies = [];
    for await (const policy of t.client.replicationPolicies.list(scope.vaultName, scope.resourceGroup))
      policies.push(policy);
    expect(policies[0]?.properties?.providerSpecificDetails?.instanceType).toBe('InMageRcm');

    const mappings = [];
    for await (const mapping of t.client.replicationProtectionContainerMappings.listByReplicationProtectionContainers(
      scope.vaultName,
      scope.resourceGroup,
      t.seed.fabricName,
      t.seed.containerName,
    )) {
      mappings.push(mapping);
    }
    expect(mappings[0]?.properties?.policyId).toBe(t.seed.policyId);
  });

  it('enables replication; a repeated PUT is a no-op', async () => {
    for (const [index, name] of vmNames.entries()) {
      const item = await t.client.replicationProtectedItems.beginCreateAndWait(
        ...args(),
        name,
        enableInput(t, name, index),
        poll,
      );
      expect(item.name).toBe(name);
      expect(['InitialReplicationInProgress', 'Protected']).toContain(item.properties?.protectionState);
      expect(item.properties?.providerSpecificDetails?.instanceType).toBe('InMageRcm');
      items.set(name, item);
    }
    const again = await t.client.replicationProtectedItems.beginCreateAndWait(
      ...args(),
      vmNames[0] ?? '',
      enableInput(t, vmNames[0] ?? ''),
      poll,
    );
    expect(again.id).toBe(items.get(vmNames[0] ?? '')?.id);
    const { entries } = await t.admin.audit();
    expect(
      entries.filter((entry) => entry.operation === 'ReplicationProtectedItems_Create').map((e) => e.outcome),
    ).toEqual(['created', 'created', 'created', 'created', 'noop']);
  });

  it('reports initial replication progress until every item is Protected', async () => {
    const seen = new Set<string>();
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const listed = [];
      for await (const item of t.client.replicationProtectedItems.list(scope.vaultName, scope.resourceGroup))
        listed.push(item);
      for (const item of listed) {
        const details = item.properties?.providerSpecificDetails as InMageRcmReplicationDetails | undefined;
        if (details?.initialReplicationProgressHealth) {
          seen.add(details.initialReplicationProgressHealth);
        }
      }
      if (listed.every((item) => item.properties?.protectionState === 'Protected')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const item = await t.client.replicationProtectedItems.get(...args(), 'payroll-db-01');
    const details = item.properties?.providerSpecificDetails as InMageRcmReplicationDetails;
    expect(details.instanceType).toBe('InMageRcm');
    expect(item.properties?.protectionState).toBe('Protected');
    expect(item.properties?.allowedOperations).toEqual([
      'TestFailover',
      'UnplannedFailover',
      'DisableProtection',
      'RepairReplication',
    ]);
    expect(details.initialReplicationProgressPercentage).toBe(100);
    expect(details.initialReplicationTransferredBytes).toBeGreaterThan(0);
    expect(details.lastRpoInSeconds).toBeGreaterThan(0);
    expect(details.lastRecoveryPointId).toContain('/recoveryPoints/');
    expect(details.protectedDisks?.every((disk) => disk.isInitialReplicationComplete === 'true')).toBe(true);
    expect(seen.has('InProgress') || seen.has('None')).toBe(true);
  });

  it('creates a recovery plan and runs test failover and cleanup through it', async () => {
    const plan = await t.client.replicationRecoveryPlans.beginCreateAndWait(
      scope.vaultName,
      scope.resourceGroup,
      planName,
      {
        properties: {
          primaryFabricId: t.seed.fabricId,
          recoveryFabricId: 'Microsoft Azure',
          failoverDeploymentModel: 'ResourceManager',
          groups: [
            {
              groupType: 'Boot',
              replicationProtectedItems: vmNames.map((name) => ({
                id: items.get(name)?.id,
                virtualMachineId: name,
              })),
            },
          ],
        },
      },
      poll,
    );
    expect(plan.properties?.groups?.map((group) => group.groupType)).toEqual([
      'Shutdown',
      'Failover',
      'Boot',
    ]);
    expect(plan.properties?.allowedOperations).toEqual(
      expect.arrayContaining(['TestFailover', 'UnplannedFailover']),
    );

    await t.client.replicationRecoveryPlans.beginTestFailoverAndWait(
      scope.vaultName,
      scope.resourceGroup,
      planName,
      {
        properties: {
          failoverDirection: 'PrimaryToRecovery',
          networkType: 'VmNetworkAsInput',
          networkId: testNetworkId,
          providerSpecificDetails: [{ instanceType: 'InMageRcm', recoveryPointType: 'Latest' }],
        },
      },
      poll,
    );
    // As ReplicationRecoveryPlans_TestFailover's example: the plan waits for test failover cleanup, its
    // scenario still the test failover, whose job is Suspended.
    const tested = await t.client.replicationRecoveryPlans.get(
      scope.vaultName,
      scope.resourceGroup,
      planName,
    );
    expect(tested.properties).toMatchObject({
      currentScenario: { scenarioName: 'TestFailover' },
      currentScenarioStatus: 'Suspended',
      currentScenarioStatusDescription: 'WaitingForStopTestFailover',
      allowedOperations: ['TestFailoverCleanup'],
    });
    const testFailoverJob = tested.properties?.currentScenario?.jobId?.split('/').at(-1) ?? '';
    const suspended = await t.client.replicationJobs.get(
      scope.vaultName,
      scope.resourceGroup,
      testFailoverJob,
    );
    expect(suspended.properties).toMatchObject({ scenarioName: 'TestFailover', state: 'Suspended' });
    expect(suspended.properties?.endTime).toBeUndefined();
    const item = await t.client.replicationProtectedItems.get(...args(), 'payroll-db-01');
    expect(item.properties).toMatchObject({
      protectionState: 'Protected',
      testFailoverState: 'WaitingForCompletion',
      currentScenario: { scenarioName: 'TestFailover', jobId: tested.properties?.currentScenario?.jobId },
    });
    expect((await t.admin.state()).targetVms.test).toBe(vmNames.length);

    // Failover is refused while the test failover is not cleaned up.
    await expectAzureError(
      t.client.replicationRecoveryPlans.beginUnplannedFailoverAndWait(
        scope.vaultName,
        scope.resourceGroup,
        planName,
        { properties: { failoverDirection: 'PrimaryToRecovery', sourceSiteOperations: 'Required' } },
        poll,
      ),
      { status: 409, code: 'TestFailoverCleanupRequired' },
    );

    await t.client.replicationRecoveryPlans.beginTestFailoverCleanupAndWait(
      scope.vaultName,
      scope.resourceGroup,
      planName,
      { properties: { comments: 'validated' } },
      poll,
    );
    expect((await t.admin.state()).targetVms.test).toBe(0);
    // Cleanup resumed and ended the suspended test failover job.
    const ended = await t.client.replicationJobs.get(scope.vaultName, scope.resourceGroup, testFailoverJob);
    expect(ended.properties?.state).toBe('Succeeded');
    const cleaned = await t.client.replicationRecoveryPlans.get(
      scope.vaultName,
      scope.resourceGroup,
      planName,
    );
    // A plan's scenario is its last job (ReplicationRecoveryPlans_TestFailoverCleanup's example).
    expect(cleaned.properties).toMatchObject({
      currentScenario: { scenarioName: 'TestFailoverCleanup' },
      currentScenarioStatus: 'Succeeded',
    });
    expect(cleaned.properties?.lastTestFailoverTime).toBeInstanceOf(Date);
    const itemAfter = await t.client.replicationProtectedItems.get(...args(), 'payroll-db-01');
    expect(itemAfter.properties?.testFailoverState).toBe('None');
  });

  it('fails over with source shutdown, commits and completes the migration', async () => {
    await t.client.replicationRecoveryPlans.beginUnplannedFailoverAndWait(
      scope.vaultName,
      scope.resourceGroup,
      planName,
      {
        properties: {
          failoverDirection: 'PrimaryToRecovery',
          sourceSiteOperations: 'Required',
          providerSpecificDetails: [{ instanceType: 'InMageRcm', recoveryPointType: 'Latest' }],
        },
      },
      poll,
    );
    const readPlan = () =>
      t.client.replicationRecoveryPlans.get(scope.vaultName, scope.resourceGroup, planName);
    expect((await readPlan()).properties?.allowedOperations).toEqual(expect.arrayContaining(['Commit']));
    await t.client.replicationRecoveryPlans.beginFailoverCommitAndWait(
      scope.vaultName,
      scope.resourceGroup,
      planName,
      poll,
    );
    expect((await readPlan()).properties).toMatchObject({
      currentScenarioStatus: 'Succeeded',
      currentScenarioStatusDescription: 'Completed',
    });
    const item = await t.client.replicationProtectedItems.get(...args(), 'payroll-db-01');
    expect(item.properties?.protectionState).toBe('CommitFailoverCompleted');
    expect(item.properties?.allowedOperations).toContain('CompleteMigration');

    for (const name of vmNames) {
      await t.client.replicationProtectedItems.beginDeleteAndWait(
        ...args(),
        name,
        { properties: { disableProtectionReason: 'MigrationComplete' } },
        poll,
      );
    }
    const remaining = [];
    for await (const rest of t.client.replicationProtectedItems.list(scope.vaultName, scope.resourceGroup))
      remaining.push(rest);
    expect(remaining).toHaveLength(0);

    const summary = await t.admin.state();
    expect(summary.targetVms).toEqual({ failover: vmNames.length, test: 0 });
    expect(summary.completedMigrations).toBe(vmNames.length);
    expect(await t.admin.invariants()).toEqual({ violations: [] });
  });

  it('leaves the source VMs powered off on the vCenter API and the target VMs in ARM', async () => {
    const login = await vsphere(t, 'POST', '/api/session');
    expect(login.status).toBe(201);
    const session = login.body as string;
    const list = (await vsphere(t, 'GET', '/api/vcenter/vm', session)).body as {
      name: string;
      vm: string;
      power_state: string;
    }[];
    for (const name of vmNames) {
      expect(list.find((vm) => vm.name === name)?.power_state).toBe('POWERED_OFF');
    }
    expect(list.filter((vm) => vm.power_state === 'POWERED_ON')).toHaveLength(
      t.site.vms.length - vmNames.length,
    );

    const group = targetResourceGroupId.split('/').at(-1);
    const vm = await new Promise<number>((resolve, reject) => {
      const req = request(
        new URL(
          `/subscriptions/${scope.subscriptionId}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/payroll-db-01?api-version=2024-07-01`,
          t.sim.endpoint,
        ),
        { ca: t.sim.caCertPem, headers: { authorization: `Bearer ${'e30.eyJvaWQiOiJ4In0.'}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(vm).toBe(200);
  });
});
