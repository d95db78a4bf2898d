/**
 * Mobility agents of the InMageRcm (agent-based) provider: the fabric lists one `agentDetails` entry per
 * machine with a registered agent and one push installer per appliance; enabling a machine without an
 * agent fails unless a run-as account lets the appliance push one.
 */
import type {
  InMageRcmFabricSpecificDetails,
  InMageRcmReplicationDetails,
} from '@azure/arm-recoveryservices-siterecovery';
import * as Mappers from '@azure/arm-recoveryservices-siterecovery/dist-esm/src/models/mappers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMapperAccepts } from '../conformance/spec-example.ts';
import {
  armPath,
  enableInput,
  machineIdOf,
  poll,
  rawRequest,
  scope,
  startTestSimulator,
  unsignedJwt,
  type TestSimulator,
} from './helpers.ts';

const withoutAgent = 'intranet-web-03';
const pushed = 'payroll-web-04';

describe('mobility agents', () => {
  let t: TestSimulator;
  beforeAll(async () => {
    t = await startTestSimulator();
  });
  afterAll(async () => {
    await t.dispose();
  });

  const itemArgs = () =>
    [scope.vaultName, scope.resourceGroup, t.seed.fabricName, t.seed.containerName] as const;
  const fabricDetails = async () => {
    const response = await rawRequest(
      t.sim,
      'GET',
      `${armPath(`/replicationFabrics/${t.seed.fabricName}`)}?api-version=2023-06-01`,
      { token: unsignedJwt('agents-test') },
    );
    expect(response.status).toBe(200);
    expectMapperAccepts(Mappers, 'Fabric', response.body);
    return (response.body as { properties: { customDetails: InMageRcmFabricSpecificDetails } }).properties
      .customDetails;
  };
  const agentMachines = async () => (await fabricDetails()).agentDetails?.map((agent) => agent.machineId);
  const lastSegment = (id: string) => id.slice(id.lastIndexOf('/') + 1);

  it('lists an agent for every seeded machine and a push installer per appliance', async () => {
    const details = await fabricDetails();
    expect(details.agentDetails?.map((agent) => agent.machineId).sort()).toEqual(
      t.site.vms.map((vm) => lastSegment(machineIdOf(t.site, vm.name))).sort(),
    );
    const agent = details.agentDetails?.find(
      (entry) => entry.machineId === lastSegment(machineIdOf(t.site, withoutAgent)),
    );
    expect(agent?.biosId).toBe(t.site.vms.find((vm) => vm.name === withoutAgent)?.uuid);
    expect(agent?.fqdn).toMatch(new RegExp(`^${withoutAgent}\\.`));
    expect(details.pushInstallers?.map((installer) => installer.name)).toEqual(
      t.site.appliances.map((appliance) => appliance.name),
    );
    expect(details.pushInstallers?.every((installer) => installer.health === 'Normal')).toBe(true);
  });

  it('refuses an unknown VM name in the admin API', async () => {
    await expect(t.admin.setMobilityAgent('no-such-vm', false)).rejects.toThrow(/404/);
  });

  it('fails the enable of a machine without an agent or run-as account, naming the fix', async () => {
    await t.admin.setMobilityAgent(withoutAgent, false);
    expect(await agentMachines()).not.toContain(lastSegment(machineIdOf(t.site, withoutAgent)));

    await expect(
      t.client.replicationProtectedItems.beginCreateAndWait(
        ...itemArgs(),
        withoutAgent,
        enableInput(t, withoutAgent),
        poll,
      ),
    ).rejects.toThrow();
    const item = await t.client.replicationProtectedItems.get(...itemArgs(), withoutAgent);
    expect(item.properties?.protectionState).toBe('EnablingFailed');
    const details = item.properties?.providerSpecificDetails as InMageRcmReplicationDetails;
    expect(details.mobilityAgentDetails).toBeUndefined();
    expect(item.properties?.healthErrors?.map((error) => error.errorCode)).toContain(
      'MobilityAgentNotInstalled',
    );

    const jobs = [];
    for await (const job of t.client.replicationJobs.list(scope.vaultName, scope.resourceGroup))
      jobs.push(job);
    const failed = jobs.find(
      (job) => job.properties?.targetObjectId === item.id && job.properties?.scenarioName === 'EnableDr',
    );
    expect(failed?.properties?.state).toBe('Failed');
    const failedTask = failed?.properties?.tasks?.find((task) => task.state === 'Failed');
    expect(failedTask?.name).toBe('InstallMobilityServiceTask');
    const error = failed?.properties?.errors?.[0];
    expect(error?.serviceErrorDetails?.code).toBe('MobilityAgentNotInstalled');
    expect(error?.serviceErrorDetails?.possibleCauses).toMatch(/run-as account|runAsAccountId/);
    expect(error?.serviceErrorDetails?.recommendedAction).toMatch(/Install the mobility agent/);
  });

  it('push-installs the agent when the enable carries a run-as account', async () => {
    await t.admin.setMobilityAgent(pushed, false);
    const runAsAccountId = `${t.seed.vmwareSiteId}/runAsAccounts/guest-admin`;
    const input = enableInput(t, pushed);
    const item = await t.client.replicationProtectedItems.beginCreateAndWait(
      ...itemArgs(),
      pushed,
      {
        properties: {
          ...input.properties,
          providerSpecificDetails: { ...input.properties.providerSpecificDetails, runAsAccountId },
        },
      },
      poll,
    );
    expect(['InitialReplicationInProgress', 'Protected']).toContain(item.properties?.protectionState);
    const details = item.properties?.providerSpecificDetails as InMageRcmReplicationDetails;
    expect(details.runAsAccountId).toBe(runAsAccountId);
    expect(details.mobilityAgentDetails?.version).toMatch(/^\d+\.\d+/);
    expect(await agentMachines()).toContain(lastSegment(machineIdOf(t.site, pushed)));

    const { entries } = await t.admin.audit();
    const enables = entries.filter((entry) => entry.operation === 'ReplicationProtectedItems_Create');
    expect(enables.map((entry) => entry.outcome)).toEqual(['created', 'created']);
  });

  it('refuses a run-as account that is not one of the fabric’s VMware site', async () => {
    const input = enableInput(t, 'payroll-db-01');
    const response = await rawRequest(
      t.sim,
      'PUT',
      `${armPath(`/replicationFabrics/${t.seed.fabricName}/replicationProtectionContainers/${t.seed.containerName}/replicationProtectedItems/payroll-db-01`)}?api-version=2023-06-01`,
      {
        token: unsignedJwt('agents-test'),
        body: {
          properties: {
            ...input.properties,
            providerSpecificDetails: {
              ...input.properties.providerSpecificDetails,
              runAsAccountId: `/subscriptions/${scope.subscriptionId}/resourceGroups/other/providers/Microsoft.OffAzure/VMwareSites/other-site/runAsAccounts/x`,
            },
          },
        },
      },
    );
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toMatch(/InvalidRunAsAccountId/);
  });
});
