import { SiteRecoveryManagementClient } from '@azure/arm-recoveryservices-siterecovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armPath,
  enableInput,
  expectAzureError,
  localCredential,
  poll,
  rawRequest,
  scope,
  startTestSimulator,
  unsignedJwt,
  type TestSimulator,
} from './helpers.ts';

describe('ARM errors and single-item operations', () => {
  let t: TestSimulator;
  const args = () => [scope.vaultName, scope.resourceGroup, t.seed.fabricName, t.seed.containerName] as const;
  const waitProtected = async (name: string) => {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const item = await t.client.replicationProtectedItems.get(...args(), name);
      if (item.properties?.protectionState === 'Protected') return item;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${name} never became Protected`);
  };

  beforeAll(async () => {
    t = await startTestSimulator();
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('rejects missing or undecodable tokens with 401 AuthenticationFailed', async () => {
    const missing = await rawRequest(t.sim, 'GET', armPath('/replicationFabrics?api-version=2023-06-01'));
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: { code: 'AuthenticationFailed' } });
    const garbage = await rawRequest(t.sim, 'GET', armPath('/replicationFabrics?api-version=2023-06-01'), {
      token: 'not-a-jwt',
    });
    expect(garbage.status).toBe(401);
  });

  it('requires api-version 2023-06-01', async () => {
    const token = unsignedJwt('raw');
    const missing = await rawRequest(t.sim, 'GET', armPath('/replicationFabrics'), { token });
    expect(missing.body).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    const client = new SiteRecoveryManagementClient(localCredential(), scope.subscriptionId, {
      endpoint: t.sim.endpoint,
      credentialScopes: 'https://management.azure.com/.default',
      tlsOptions: { ca: t.sim.caCertPem },
      apiVersion: '2021-01-01',
    });
    await expect(
      client.replicationFabrics.get(scope.vaultName, scope.resourceGroup, t.seed.fabricName),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidApiVersionParameter',
    });
  });

  it('answers 404 for unknown resources, 400 for unknown parents, and 405 for unsupported methods', async () => {
    const missingItem = await expectAzureError(t.client.replicationProtectedItems.get(...args(), 'nope'), {
      status: 404,
      code: 'ReplicationProtectedItemNotFound',
    });
    // Site Recovery's envelope: a generic top-level code, the specific one in details with its guidance.
    expect(missingItem.code).toBe('NotFound');
    expect(JSON.parse(missingItem.response?.bodyAsText ?? '{}')).toMatchObject({
      error: {
        code: 'NotFound',
        details: [
          {
            code: 'ReplicationProtectedItemNotFound',
            message: expect.stringContaining("'nope'") as string,
            possibleCauses: expect.any(String) as string,
            recommendedAction: expect.any(String) as string,
          },
        ],
      },
    });
    // A missing fabric is refused as a bad request when it is a parent, as Site Recovery does.
    const missingParent = await expectAzureError(
      t.client.replicationProtectedItems.get(
        scope.vaultName,
        scope.resourceGroup,
        'no-fabric',
        t.seed.containerName,
        'x',
      ),
      { status: 400, code: 'FabricArmEntityMissing' },
    );
    expect(missingParent.code).toBe('BadRequest');
    await expectAzureError(
      t.client.replicationFabrics.get(scope.vaultName, scope.resourceGroup, 'no-fabric'),
      { status: 404, code: 'FabricArmEntityMissing' },
    );
    await expectAzureError(
      t.client.replicationProtectedItems.get(
        scope.vaultName,
        scope.resourceGroup,
        t.seed.fabricName,
        'no-container',
        'x',
      ),
      { status: 400, code: 'ProtectionContainerNotFound' },
    );
    // A missing vault is ARM's own answer: its flat envelope, no details.
    await expect(
      t.client.replicationFabrics.get(scope.vaultName, 'rg-other', t.seed.fabricName),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    const patch = await rawRequest(
      t.sim,
      'PATCH',
      armPath(`/replicationFabrics/${t.seed.fabricName}?api-version=2023-06-01`),
      {
        token: unsignedJwt('raw'),
        body: {},
      },
    );
    expect(patch.status).toBe(405);
    const { entries } = await t.admin.audit();
    expect(entries.at(-1)).toMatchObject({
      method: 'PATCH',
      status: 405,
      outcome: 'rejected',
      principal: 'raw',
    });
  });

  it('validates the InMageRcm enable input', async () => {
    const input = enableInput(t, 'crm-db-01');
    // The SDK refuses undefined required fields client-side; an empty string reaches the service.
    const withoutProcessServer = structuredClone(input);
    withoutProcessServer.properties.providerSpecificDetails.processServerId = '';
    await expectAzureError(
      t.client.replicationProtectedItems.beginCreateAndWait(
        ...args(),
        'crm-db-01',
        withoutProcessServer,
        poll,
      ),
      { status: 400, code: 'InvalidRequestContent', message: /processServerId/ },
    );
    const unknownMachine = structuredClone(input);
    unknownMachine.properties.providerSpecificDetails.fabricDiscoveryMachineId += '-missing';
    await expectAzureError(
      t.client.replicationProtectedItems.beginCreateAndWait(...args(), 'crm-db-01', unknownMachine, poll),
      { status: 400, code: 'DiscoveredMachineNotFound' },
    );
    const badDisk = structuredClone(input);
    badDisk.properties.providerSpecificDetails.disksDefault.diskType = 'Ultra_LRS';
    await expectAzureError(
      t.client.replicationProtectedItems.beginCreateAndWait(...args(), 'crm-db-01', badDisk, poll),
      { status: 400, code: 'InvalidRequestContent' },
    );
    // The same machine under another name is refused.
    await t.client.replicationProtectedItems.beginCreateAndWait(...args(), 'crm-db-01', input, poll);
    await expectAzureError(
      t.client.replicationProtectedItems.beginCreateAndWait(...args(), 'crm-db-01-again', input, poll),
      { status: 409, code: 'MachineAlreadyProtected' },
    );
  });

  it('runs item-level test failover, cleanup, failover without shutdown, cancel and conflicts', async () => {
    await waitProtected('crm-db-01');
    await expectAzureError(
      t.client.replicationProtectedItems.beginFailoverCommitAndWait(...args(), 'crm-db-01', poll),
      { status: 409, code: 'FailoverNotCompleted', message: /protectionState 'Protected'/ },
    );
    await t.client.replicationProtectedItems.beginTestFailoverAndWait(
      ...args(),
      'crm-db-01',
      {
        properties: {
          failoverDirection: 'PrimaryToRecovery',
          networkType: 'VmNetworkAsInput',
          providerSpecificDetails: { instanceType: 'InMageRcm' },
        },
      },
      poll,
    );
    // The LRO ends when the test machine runs; the item waits for cleanup (ReplicationProtectedItems_TestFailover).
    const tested = await t.client.replicationProtectedItems.get(...args(), 'crm-db-01');
    expect(tested.properties).toMatchObject({
      testFailoverState: 'WaitingForCompletion',
      allowedOperations: ['TestFailoverCleanup'],
      currentScenario: { scenarioName: 'TestFailover' },
    });
    await expectAzureError(
      t.client.replicationProtectedItems.beginTestFailoverAndWait(
        ...args(),
        'crm-db-01',
        { properties: {} },
        poll,
      ),
      { status: 409, code: 'TestFailoverAlreadyActive' },
    );
    await t.client.replicationProtectedItems.beginTestFailoverCleanupAndWait(
      ...args(),
      'crm-db-01',
      { properties: { comments: 'ok' } },
      poll,
    );
    const cleaned = await t.client.replicationProtectedItems.get(...args(), 'crm-db-01');
    expect(cleaned.properties?.testFailoverState).toBe('None');
    expect(cleaned.properties?.currentScenario?.scenarioName).toBe('None');

    await expectAzureError(
      t.client.replicationProtectedItems.beginUnplannedFailoverAndWait(
        ...args(),
        'crm-db-01',
        { properties: { providerSpecificDetails: { instanceType: 'InMageRcm', performShutdown: 'maybe' } } },
        poll,
      ),
      { status: 400, code: 'InvalidRequestContent' },
    );
    await t.client.replicationProtectedItems.beginUnplannedFailoverAndWait(
      ...args(),
      'crm-db-01',
      {
        properties: {
          failoverDirection: 'PrimaryToRecovery',
          providerSpecificDetails: { instanceType: 'InMageRcm', performShutdown: 'false' },
        },
      },
      poll,
    );
    const failedOver = await t.client.replicationProtectedItems.get(...args(), 'crm-db-01');
    expect(failedOver.properties).toMatchObject({
      protectionState: 'UnplannedFailoverCompleted',
      activeLocation: 'Recovery',
    });
    await expectAzureError(
      t.client.replicationProtectedItems.beginDeleteAndWait(
        ...args(),
        'crm-db-01',
        { properties: { disableProtectionReason: 'MigrationComplete' } },
        poll,
      ),
      { status: 409, code: 'CompleteMigrationNotAllowed' },
    );
    await t.client.replicationProtectedItems.beginFailoverCancelAndWait(...args(), 'crm-db-01', poll);
    const cancelled = await t.client.replicationProtectedItems.get(...args(), 'crm-db-01');
    expect(cancelled.properties).toMatchObject({ protectionState: 'Protected', activeLocation: 'Primary' });
    expect((await t.admin.state()).sourceVms.poweredOff).toBe(0);
    expect(await t.admin.invariants()).toEqual({ violations: [] });
  });

  it('enforces recovery plan membership and size', async () => {
    const item = await t.client.replicationProtectedItems.get(...args(), 'crm-db-01');
    const planInput = (ids: string[]) => ({
      properties: {
        primaryFabricId: t.seed.fabricId,
        recoveryFabricId: 'Microsoft Azure',
        groups: [{ groupType: 'Boot' as const, replicationProtectedItems: ids.map((id) => ({ id })) }],
      },
    });
    await t.client.replicationRecoveryPlans.beginCreateAndWait(
      scope.vaultName,
      scope.resourceGroup,
      'plan-a',
      planInput([item.id ?? '']),
      poll,
    );
    await expectAzureError(
      t.client.replicationRecoveryPlans.beginCreateAndWait(
        scope.vaultName,
        scope.resourceGroup,
        'plan-b',
        planInput([item.id ?? '']),
        poll,
      ),
      { status: 409, code: 'ProtectedItemAlreadyInRecoveryPlan' },
    );
    const tooMany = Array.from({ length: 101 }, (_, index) => `${item.id ?? ''}-${index}`);
    await expectAzureError(
      t.client.replicationRecoveryPlans.beginCreateAndWait(
        scope.vaultName,
        scope.resourceGroup,
        'plan-c',
        planInput(tooMany),
        poll,
      ),
      { status: 400, code: 'RecoveryPlanItemLimitExceeded' },
    );
    const filtered = [];
    for await (const found of t.client.replicationProtectedItems.list(scope.vaultName, scope.resourceGroup, {
      filter: "recoveryPlanName eq 'plan-a' and sourceFabricName eq '" + t.seed.fabricName + "'",
    })) {
      filtered.push(found.name);
    }
    expect(filtered).toEqual(['crm-db-01']);
    const bad = t.client.replicationProtectedItems.list(scope.vaultName, scope.resourceGroup, {
      filter: "color eq 'red'",
    });
    await expectAzureError(bad.next(), { status: 400, code: 'InvalidFilter' });
    await t.client.replicationRecoveryPlans.beginDeleteAndWait(
      scope.vaultName,
      scope.resourceGroup,
      'plan-a',
      poll,
    );
    await expectAzureError(
      t.client.replicationRecoveryPlans.get(scope.vaultName, scope.resourceGroup, 'plan-a'),
      { status: 404, code: 'RecoveryPlanNotFound' },
    );
  });

  it('surfaces injected job failures as failed LROs with the Azure error', async () => {
    await t.admin.setFaults([{ scenario: 'EnableDr', probability: 1 }]);
    await expect(
      t.client.replicationProtectedItems.beginCreateAndWait(
        ...args(),
        'crm-web-05',
        enableInput(t, 'crm-web-05'),
        poll,
      ),
    ).rejects.toThrow(/EnableProtectionFailed/);
    await t.admin.setFaults([]);
    const item = await t.client.replicationProtectedItems.get(...args(), 'crm-web-05');
    expect(item.properties?.protectionState).toBe('EnablingFailed');
    expect(item.properties?.healthErrors?.[0]?.errorCode).toBe('EnableProtectionFailed');
    const jobName = item.properties?.currentScenario?.jobId?.split('/').at(-1) ?? '';
    const jobs = [];
    for await (const job of t.client.replicationJobs.list(scope.vaultName, scope.resourceGroup, {
      filter: "jobStatus eq 'Failed'",
    })) {
      jobs.push(job);
    }
    expect(jobName).toBe('None');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.properties?.errors?.[0]?.serviceErrorDetails?.code).toBe('EnableProtectionFailed');
    expect(jobs[0]?.properties?.tasks?.map((task) => task.state)).toEqual([
      'Succeeded',
      'Succeeded',
      'Failed',
      'Skipped',
    ]);
    // Disable and re-enable is legitimate: not a duplicate enable.
    await t.client.replicationProtectedItems.beginDeleteAndWait(
      ...args(),
      'crm-web-05',
      { properties: {} },
      poll,
    );
    await t.client.replicationProtectedItems.beginCreateAndWait(
      ...args(),
      'crm-web-05',
      enableInput(t, 'crm-web-05'),
      poll,
    );
    expect(await t.admin.invariants()).toEqual({ violations: [] });
  });
});
