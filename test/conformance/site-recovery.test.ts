/**
 * Site Recovery conformance: for each operation the factory uses, the simulator's response is compared
 * with the spec example of api-version 2023-06-01 (or the nearest version the example is stored for; each
 * vendored file names its source): status, LRO headers present and absent, the fields and values the
 * factory reads; and every response body goes through the SDK's own model mappers.
 */
import * as Mappers from '@azure/arm-recoveryservices-siterecovery/dist-esm/src/models/mappers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armPath,
  enableInput,
  rawRequest,
  scope,
  startTestSimulator,
  testNetworkId,
  unsignedJwt,
  type RawResponse,
  type TestSimulator,
} from '../simulator/helpers.ts';
import { expectLikeExample, mapperProblems, specExample } from './spec-example.ts';

const example = (name: string) => specExample(`site-recovery/2023-06-01/${name}.json`);
const mappers = Mappers as unknown as Record<string, unknown>;
const vm = 'payroll-db-01';
const planName = 'conformance-plan';
/** Every 202 of Site Recovery: the operation status URL and when to poll it, never a Location. */
const lroHeaders = { headers: ['Azure-AsyncOperation', 'Retry-After'], absentHeaders: ['Location'] };

describe('Site Recovery conformance with the 2023-06-01 spec examples', () => {
  let t: TestSimulator;
  const token = unsignedJwt('conformance');
  const call = async (method: string, suffix: string, body?: unknown) => {
    const separator = suffix.includes('?') ? '&' : '?';
    const response = await rawRequest(t.sim, method, armPath(`${suffix}${separator}api-version=2023-06-01`), {
      token,
      ...(body === undefined ? {} : { body }),
    });
    const headers = Object.fromEntries(
      Object.entries(response.headers).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]),
    );
    return { ...response, headers };
  };
  const fabric = () => `/replicationFabrics/${t.seed.fabricName}`;
  const container = () => `${fabric()}/replicationProtectionContainers/${t.seed.containerName}`;
  const item = () => `${container()}/replicationProtectedItems/${vm}`;
  const plan = `/replicationRecoveryPlans/${planName}`;
  const expectModel = (model: string, response: Pick<RawResponse, 'body'>) =>
    expect(mapperProblems(mappers, model, response.body)).toEqual([]);
  /** Polls the 202's Azure-AsyncOperation URL until the operation ends, and returns its last status. */
  const operationEnd = async (accepted: { headers: Record<string, string | undefined> }) => {
    const url = new URL(accepted.headers['azure-asyncoperation'] ?? '');
    for (let attempt = 0; attempt < 2000; attempt += 1) {
      const status = await rawRequest(t.sim, 'GET', `${url.pathname}${url.search}`, { token });
      const value = (status.body as { status?: string }).status;
      if (value !== 'InProgress') return status;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`operation ${url.pathname} never ended`);
  };

  beforeAll(async () => {
    t = await startTestSimulator();
    await t.admin.setSpeed(2_000_000);
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('ReplicationFabrics_List', async () => {
    const response = await call('GET', '/replicationFabrics');
    expectLikeExample(response, example('ReplicationFabrics_List'), {
      shape: ['value[0].id', 'value[0].name', 'value[0].properties.customDetails.instanceType'],
    });
    expectModel('FabricCollection', response);
  });

  it('ReplicationFabrics_Get', async () => {
    const response = await call('GET', fabric());
    expectLikeExample(response, example('ReplicationFabrics_Get'), {
      shape: ['id', 'name', 'type', 'properties.friendlyName', 'properties.customDetails.instanceType'],
      same: ['type'],
    });
    expect(response.body).toMatchObject({ properties: { customDetails: { instanceType: 'InMageRcm' } } });
    expectModel('Fabric', response);
  });

  it('ReplicationProtectionContainers_ListByReplicationFabrics', async () => {
    const response = await call('GET', `${fabric()}/replicationProtectionContainers`);
    expectLikeExample(response, example('ReplicationProtectionContainers_ListByReplicationFabrics'), {
      shape: ['value[0].id', 'value[0].name', 'value[0].properties.fabricFriendlyName'],
      same: ['value[0].type'],
    });
    expectModel('ProtectionContainerCollection', response);
  });

  it('ReplicationProtectionContainerMappings_ListByReplicationProtectionContainers', async () => {
    const response = await call('GET', `${container()}/replicationProtectionContainerMappings`);
    expectLikeExample(
      response,
      example('ReplicationProtectionContainerMappings_ListByReplicationProtectionContainers'),
      {
        shape: ['value[0].id', 'value[0].name', 'value[0].properties.policyId', 'value[0].properties.state'],
        same: ['value[0].type', 'value[0].properties.targetProtectionContainerId'],
      },
    );
    expectModel('ProtectionContainerMappingCollection', response);
  });

  it('ReplicationProtectedItems_Create', async () => {
    const response = await call('PUT', item(), enableInput(t, vm));
    expectLikeExample(response, example('ReplicationProtectedItems_Create'), { status: 202, ...lroHeaders });
    expect((await operationEnd(response)).body).toMatchObject({ status: 'Succeeded' });
    // The SDK's final GET for a PUT is the request URL: the created item.
    const created = await call('GET', item());
    expectLikeExample(created, example('ReplicationProtectedItems_Create'), {
      status: 200,
      shape: ['id', 'name', 'properties.protectionState', 'properties.currentScenario.jobId'],
      same: ['type', 'properties.activeLocation'],
    });
    expectModel('ReplicationProtectedItem', created);
  });

  it('ReplicationProtectedItems_Get', async () => {
    let response = await call('GET', item());
    for (let attempt = 0; attempt < 2000; attempt += 1) {
      if (
        (response.body as { properties: { protectionState: string } }).properties.protectionState ===
        'Protected'
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 5));
      response = await call('GET', item());
    }
    expectLikeExample(response, example('ReplicationProtectedItems_Get'), {
      shape: [
        'properties.allowedOperations',
        'properties.replicationHealth',
        'properties.providerSpecificDetails.instanceType',
      ],
      same: [
        'type',
        'properties.protectionState',
        'properties.activeLocation',
        'properties.testFailoverState',
        'properties.testFailoverStateDescription',
        'properties.currentScenario.scenarioName',
        'properties.currentScenario.startTime',
      ],
    });
    expect(
      (response.body as { properties: { currentScenario: { jobId: string } } }).properties.currentScenario
        .jobId,
    ).toMatch(/\/replicationJobs\/None$/);
    expectModel('ReplicationProtectedItem', response);
  });

  it('ReplicationProtectedItems_ListByReplicationProtectionContainers', async () => {
    const response = await call('GET', `${container()}/replicationProtectedItems`);
    expectLikeExample(response, example('ReplicationProtectedItems_ListByReplicationProtectionContainers'), {
      shape: ['value[0].id', 'value[0].name', 'value[0].properties.protectionState'],
      same: ['value[0].type', 'value[0].properties.testFailoverState'],
    });
    expectModel('ReplicationProtectedItemCollection', response);
  });

  it('ReplicationProtectedItems_RepairReplication', async () => {
    const response = await call('POST', `${item()}/repairReplication`);
    expectLikeExample(response, example('ReplicationProtectedItems_RepairReplication'), {
      status: 202,
      ...lroHeaders,
    });
    expect((await operationEnd(response)).body).toMatchObject({ status: 'Succeeded' });
    expectModel('ReplicationProtectedItem', await call('GET', item()));
  });

  it('ReplicationRecoveryPlans_Create', async () => {
    const itemId = (await call('GET', item())).body as { id: string };
    const response = await call('PUT', plan, {
      properties: {
        primaryFabricId: t.seed.fabricId,
        recoveryFabricId: 'Microsoft Azure',
        failoverDeploymentModel: 'ResourceManager',
        groups: [{ groupType: 'Boot', replicationProtectedItems: [{ id: itemId.id, virtualMachineId: vm }] }],
      },
    });
    expectLikeExample(response, example('ReplicationRecoveryPlans_Create'), { status: 202, ...lroHeaders });
    expect((await operationEnd(response)).body).toMatchObject({ status: 'Succeeded' });
    const created = await call('GET', plan);
    expectLikeExample(created, example('ReplicationRecoveryPlans_Create'), {
      status: 200,
      shape: ['id', 'properties.allowedOperations', 'properties.groups[2].replicationProtectedItems[0].id'],
      same: [
        'type',
        'properties.recoveryFabricId',
        'properties.failoverDeploymentModel',
        'properties.groups[0].groupType',
        'properties.groups[1].groupType',
        'properties.groups[2].groupType',
      ],
    });
    expectModel('RecoveryPlan', created);
  });

  it('ReplicationRecoveryPlans_Get', async () => {
    const response = await call('GET', plan);
    expectLikeExample(response, example('ReplicationRecoveryPlans_Get'), {
      shape: ['id', 'name', 'properties.primaryFabricId', 'properties.groups'],
      same: ['type', 'properties.recoveryFabricId', 'properties.recoveryFabricFriendlyName'],
    });
    expect(
      (response.body as { properties: { allowedOperations: string[] } }).properties.allowedOperations,
    ).toEqual(expect.arrayContaining(['TestFailover', 'UnplannedFailover']));
    expectModel('RecoveryPlan', response);
  });

  it('ReplicationRecoveryPlans_TestFailover', async () => {
    const response = await call('POST', `${plan}/testFailover`, {
      properties: {
        failoverDirection: 'PrimaryToRecovery',
        networkType: 'VmNetworkAsInput',
        networkId: testNetworkId,
        providerSpecificDetails: [{ instanceType: 'InMageRcm', recoveryPointType: 'Latest' }],
      },
    });
    expectLikeExample(response, example('ReplicationRecoveryPlans_TestFailover'), {
      status: 202,
      ...lroHeaders,
    });
    // The operation has succeeded once the test machines run; the job waits for cleanup.
    expect((await operationEnd(response)).body).toMatchObject({ status: 'Succeeded' });
    const waiting = await call('GET', plan);
    expectLikeExample(waiting, example('ReplicationRecoveryPlans_TestFailover'), {
      status: 200,
      shape: ['properties.currentScenario.jobId', 'properties.currentScenario.startTime'],
      same: [
        'properties.allowedOperations',
        'properties.currentScenario.scenarioName',
        'properties.currentScenarioStatus',
        'properties.currentScenarioStatusDescription',
      ],
    });
    expectModel('RecoveryPlan', waiting);
    const protectedItem = await call('GET', item());
    expectLikeExample(protectedItem, example('ReplicationProtectedItems_TestFailover'), {
      status: 200,
      same: [
        'properties.protectionState',
        'properties.protectionStateDescription',
        'properties.testFailoverState',
        'properties.testFailoverStateDescription',
        'properties.allowedOperations',
        'properties.currentScenario.scenarioName',
      ],
    });
    expectModel('ReplicationProtectedItem', protectedItem);
  });

  it('ReplicationJobs_Get', async () => {
    const jobId = (await call('GET', plan)).body as { properties: { currentScenario: { jobId: string } } };
    const name = jobId.properties.currentScenario.jobId.split('/').at(-1) ?? '';
    const suspended = await call('GET', `/replicationJobs/${name}`);
    expectLikeExample(suspended, example('ReplicationJobs_Get'), {
      shape: [
        'id',
        'name',
        'properties.tasks',
        'properties.startTime',
        'properties.customDetails.instanceType',
      ],
      same: ['properties.targetInstanceType'],
    });
    // A suspended test failover, as ReplicationRecoveryPlans_TestFailover's plan shows its job.
    expect(suspended.body).toMatchObject({
      properties: {
        scenarioName: 'TestFailover',
        state: 'Suspended',
        stateDescription: 'WaitingForStopTestFailover',
      },
    });
    expectModel('Job', suspended);
  });

  it('ReplicationRecoveryPlans_TestFailoverCleanup', async () => {
    const waiting = (await call('GET', plan)).body as { properties: { currentScenario: { jobId: string } } };
    const testFailoverJob = waiting.properties.currentScenario.jobId.split('/').at(-1) ?? '';
    const response = await call('POST', `${plan}/testFailoverCleanup`, { properties: { comments: 'ok' } });
    expectLikeExample(response, example('ReplicationRecoveryPlans_TestFailoverCleanup'), {
      status: 202,
      ...lroHeaders,
    });
    expect((await operationEnd(response)).body).toMatchObject({ status: 'Succeeded' });
    const cleaned = await call('GET', plan);
    expectLikeExample(cleaned, example('ReplicationRecoveryPlans_TestFailoverCleanup'), {
      status: 200,
      shape: ['properties.lastTestFailoverTime'],
      same: [
        'properties.currentScenario.scenarioName',
        'properties.currentScenarioStatus',
        'properties.currentScenarioStatusDescription',
      ],
    });
    expectModel('RecoveryPlan', cleaned);
    const ended = await call('GET', `/replicationJobs/${testFailoverJob}`);
    expectLikeExample(ended, example('ReplicationJobs_Get'), {
      same: ['properties.state', 'properties.stateDescription'],
      shape: ['properties.endTime'],
    });
    expectModel('Job', ended);
  });

  const failover = () =>
    call('POST', `${plan}/unplannedFailover`, {
      properties: {
        failoverDirection: 'PrimaryToRecovery',
        sourceSiteOperations: 'Required',
        providerSpecificDetails: [{ instanceType: 'InMageRcm', recoveryPointType: 'Latest' }],
      },
    });

  it('ReplicationRecoveryPlans_UnplannedFailover', async () => {
    const response = await failover();
    expectLikeExample(response, example('ReplicationRecoveryPlans_UnplannedFailover'), {
      status: 202,
      ...lroHeaders,
    });
    expect((await operationEnd(response)).body).toMatchObject({ status: 'Succeeded' });
    const failedOver = await call('GET', plan);
    expectLikeExample(failedOver, example('ReplicationRecoveryPlans_UnplannedFailover'), {
      status: 200,
      same: [
        'properties.currentScenario.scenarioName',
        'properties.currentScenarioStatus',
        'properties.currentScenarioStatusDescription',
      ],
    });
    expect(
      (failedOver.body as { properties: { allowedOperations: string[] } }).properties.allowedOperations,
    ).toContain('Commit');
    expectModel('RecoveryPlan', failedOver);
  });

  it('ReplicationRecoveryPlans_FailoverCancel', async () => {
    const response = await call('POST', `${plan}/failoverCancel`);
    expectLikeExample(response, example('ReplicationRecoveryPlans_FailoverCancel'), {
      status: 202,
      ...lroHeaders,
    });
    expect((await operationEnd(response)).body).toMatchObject({ status: 'Succeeded' });
    const cancelled = await call('GET', plan);
    expectLikeExample(cancelled, example('ReplicationRecoveryPlans_FailoverCancel'), {
      status: 200,
      same: [
        'properties.currentScenario.scenarioName',
        'properties.currentScenarioStatus',
        'properties.currentScenarioStatusDescription',
      ],
    });
    expectModel('RecoveryPlan', cancelled);
  });

  it('ReplicationRecoveryPlans_FailoverCommit', async () => {
    expect((await operationEnd(await failover())).body).toMatchObject({ status: 'Succeeded' });
    const response = await call('POST', `${plan}/failoverCommit`);
    expectLikeExample(response, example('ReplicationRecoveryPlans_FailoverCommit'), {
      status: 202,
      ...lroHeaders,
    });
    expect((await operationEnd(response)).body).toMatchObject({ status: 'Succeeded' });
    const committed = await call('GET', plan);
    expectLikeExample(committed, example('ReplicationRecoveryPlans_FailoverCommit'), {
      status: 200,
      same: [
        'properties.currentScenario.scenarioName',
        'properties.currentScenarioStatus',
        'properties.currentScenarioStatusDescription',
      ],
    });
    expectModel('RecoveryPlan', committed);
  });

  it('ReplicationProtectedItems_Delete', async () => {
    const response = await call('POST', `${item()}/remove`, {
      properties: { disableProtectionReason: 'MigrationComplete' },
    });
    expectLikeExample(response, example('ReplicationProtectedItems_Delete'), { status: 202, ...lroHeaders });
    expect((await operationEnd(response)).body).toMatchObject({ status: 'Succeeded' });
    const gone = await call('GET', item());
    expect(gone.status).toBe(404);
  });

  it('ReplicationRecoveryPlans_Delete', async () => {
    const response = await call('DELETE', plan);
    expectLikeExample(response, example('ReplicationRecoveryPlans_Delete'), { status: 202, ...lroHeaders });
    expect((await operationEnd(response)).body).toMatchObject({ status: 'Succeeded' });
    expect((await call('GET', plan)).status).toBe(404);
  });

  it('errors: a generic code with the specific one, its causes and action in details (no SDK error model)', async () => {
    // The SR SDK declares no error response model (no `default` response), so the envelope is checked
    // against the recorded shape (azure-rest-api-specs#12759) instead of a mapper.
    const busy = await call('POST', `${plan}/testFailover`, { properties: {} });
    expect(busy.status).toBe(404);
    expect(busy.body).toMatchObject({
      error: {
        code: 'NotFound',
        message: expect.any(String) as string,
        details: [
          {
            code: 'RecoveryPlanNotFound',
            message: expect.any(String) as string,
            possibleCauses: expect.any(String) as string,
            recommendedAction: expect.any(String) as string,
          },
        ],
      },
    });
    const missingParent = await call(
      'GET',
      `/replicationFabrics/no-such-fabric/replicationProtectionContainers`,
    );
    expect(missingParent.status).toBe(400);
    expect(missingParent.body).toMatchObject({
      error: { code: 'BadRequest', details: [{ code: 'FabricArmEntityMissing' }] },
    });
  });

  it('operation status (replicationOperationStatus, not in the swagger): what core-lro reads', async () => {
    expect(scope.vaultName).toBeTruthy();
    const response = await call('POST', `${container()}/replicationProtectedItems/none/repairReplication`);
    expect(response.status).toBe(404);
    const enabled = await call(
      'PUT',
      `${container()}/replicationProtectedItems/payroll-app-02`,
      enableInput(t, 'payroll-app-02'),
    );
    const ended = await operationEnd(enabled);
    // core-lro reads `status` (Succeeded/Failed/InProgress…) and, on failure, `error.code`/`error.message`.
    expect(ended.body).toMatchObject({
      id: expect.stringContaining('/replicationOperationStatus/') as string,
      name: expect.any(String) as string,
      status: 'Succeeded',
      startTime: expect.any(String) as string,
      endTime: expect.any(String) as string,
    });
  });
});
