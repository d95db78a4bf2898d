import type {
  InMageRcmFabricSpecificDetails,
  InMageRcmReplicationDetails,
  SiteRecoveryManagementClient,
} from '@azure/arm-recoveryservices-siterecovery';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceSite } from '../../domain/estate.ts';
import type { FaultConfigInput } from '../../simulators/index.ts';
import { armClient, databaseSeed, miId, migrationServiceId } from './data-migration-helpers.ts';
import {
  bulkSite,
  enableInput,
  localCredential,
  poll,
  scope,
  startTestSimulator,
  type TestSimulator,
} from './helpers.ts';
import { SiteRecoveryManagementClient as Client } from '@azure/arm-recoveryservices-siterecovery';

const started: TestSimulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.dispose()));
});

async function simulator(faults: FaultConfigInput, site?: SourceSite, seed = 7): Promise<TestSimulator> {
  const t = await startTestSimulator({ seed, faults, ...(site ? { site } : {}) });
  started.push(t);
  return t;
}

/** A Site Recovery client with fast retries (the default first retry waits a second). */
function fastClient(t: TestSimulator, maxRetries = 3): SiteRecoveryManagementClient {
  return new Client(localCredential(), scope.subscriptionId, {
    endpoint: t.sim.endpoint,
    credentialScopes: 'https://management.azure.com/.default',
    tlsOptions: { ca: t.sim.caCertPem },
    retryOptions: { maxRetries, retryDelayInMs: 10, maxRetryDelayInMs: 100 },
  });
}

const itemArgs = (t: TestSimulator) =>
  [scope.vaultName, scope.resourceGroup, t.seed.fabricName, t.seed.containerName] as const;

async function enable(t: TestSimulator, client: SiteRecoveryManagementClient, vm: string, appliance = 0) {
  return client.replicationProtectedItems.beginCreateAndWait(
    ...itemArgs(t),
    vm,
    enableInput(t, vm, appliance),
    poll,
  );
}

async function statusSequence(seed: number): Promise<number[]> {
  const t = await simulator({ transient: { probability: 0.4 } }, undefined, seed);
  const arm = armClient(t.sim, { maxRetries: 0 });
  const statuses: number[] = [];
  for (let index = 0; index < 25; index += 1) {
    statuses.push(
      await arm
        .send(
          'GET',
          `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${scope.vaultName}/replicationFabrics`,
          undefined,
          '2023-06-01',
        )
        .then(
          (result) => result.status,
          (error: { statusCode: number }) => error.statusCode,
        ),
    );
  }
  return statuses;
}

describe('fault injection', () => {
  it('answers transient 500/503 reproducibly per seed, and the SDK retries them', async () => {
    const first = await statusSequence(7);
    expect(first).toEqual(expect.arrayContaining([200, 500, 503]));
    expect(await statusSequence(7)).toEqual(first);
    expect(await statusSequence(8)).not.toEqual(first);
    const t = await simulator({ transient: { probability: 0.3 } });
    const fabrics = [];
    for await (const fabric of fastClient(t, 10).replicationFabrics.list(
      scope.vaultName,
      scope.resourceGroup,
    )) {
      fabrics.push(fabric);
    }
    expect(fabrics).toHaveLength(1);
    expect((await t.admin.audit()).entries.every((entry) => entry.outcome !== 'faulted')).toBe(true);
  });

  it('throttles everything during a 429 storm and the SDK retries after Retry-After', async () => {
    const t = await simulator({});
    await t.admin.startStorm(1, 1);
    const began = Date.now();
    const fabric = await fastClient(t).replicationFabrics.get(
      scope.vaultName,
      scope.resourceGroup,
      t.seed.fabricName,
    );
    expect(fabric.name).toBe(t.seed.fabricName);
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
    const arm = armClient(t.sim, { maxRetries: 0 });
    await t.admin.startStorm(5, 2);
    const error = (await arm
      .send('DELETE', `${migrationServiceId}-x`)
      .catch((caught: unknown) => caught)) as {
      statusCode: number;
      code: string;
      response: { headers: { get(name: string): string | undefined } };
    };
    expect(error).toMatchObject({ statusCode: 429, code: 'TooManyRequests' });
    expect(error.response.headers.get('retry-after')).toBe('2');
    expect((await t.admin.audit()).entries.at(-1)?.outcome).toBe('throttled');
  });

  it('adds latency to ARM requests', async () => {
    const t = await simulator({ latency: { ms: 120, jitterMs: 20 } });
    const began = Date.now();
    await t.client.replicationFabrics.get(scope.vaultName, scope.resourceGroup, t.seed.fabricName);
    expect(Date.now() - began).toBeGreaterThanOrEqual(120);
  });

  it('fails targeted operations the given number of times, and commit by rate', async () => {
    const t = await simulator({
      rules: [{ scenario: 'Commit', probability: 1 }],
      targeted: [{ vm: 'payroll-web-04', fault: 'TestFailover', count: 1 }],
    });
    const client = fastClient(t);
    const vm = 'payroll-web-04';
    await enable(t, client, vm);
    await t.admin.setSpeed(2_000_000);
    const protectedItem = async () => {
      for (;;) {
        const item = await client.replicationProtectedItems.get(...itemArgs(t), vm);
        if (item.properties?.protectionState === 'Protected') return item;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await protectedItem();
    const failover = {
      properties: {
        failoverDirection: 'PrimaryToRecovery',
        networkType: 'VmNetworkAsInput',
        networkId: enableInput(t, vm).properties.providerSpecificDetails.testNetworkId,
        providerSpecificDetails: { instanceType: 'InMageRcm' as const },
      },
    };
    await expect(
      client.replicationProtectedItems.beginTestFailoverAndWait(...itemArgs(t), vm, failover, poll),
    ).rejects.toThrow(/TestFailoverFailed/);
    await client.replicationProtectedItems.beginTestFailoverCleanupAndWait(
      ...itemArgs(t),
      vm,
      { properties: {} },
      poll,
    );
    await client.replicationProtectedItems.beginTestFailoverAndWait(...itemArgs(t), vm, failover, poll);
    const retried = await client.replicationProtectedItems.get(...itemArgs(t), vm);
    expect(retried.properties?.testFailoverState).toBe('WaitingForCompletion');
    await client.replicationProtectedItems.beginTestFailoverCleanupAndWait(
      ...itemArgs(t),
      vm,
      { properties: {} },
      poll,
    );
    await client.replicationProtectedItems.beginUnplannedFailoverAndWait(
      ...itemArgs(t),
      vm,
      {
        properties: {
          failoverDirection: 'PrimaryToRecovery',
          providerSpecificDetails: { instanceType: 'InMageRcm', performShutdown: 'true' },
        },
      },
      poll,
    );
    await expect(
      client.replicationProtectedItems.beginFailoverCommitAndWait(...itemArgs(t), vm, poll),
    ).rejects.toThrow(/FailoverCommitFailed/);
    const item = await client.replicationProtectedItems.get(...itemArgs(t), vm);
    expect(item.properties?.protectionState).toBe('UnplannedFailoverCompleted');
    expect(item.properties?.allowedOperations).toContain('Commit');
  });

  it('fails a targeted database cutover with the Azure error', async () => {
    const t = await simulator({ targeted: [{ database: 'payroll', fault: 'DatabaseCutover' }] });
    await t.admin.seedDatabases(databaseSeed());
    const arm = armClient(t.sim);
    await arm.send('PUT', migrationServiceId, { location: scope.location });
    const path = `${miId}/providers/Microsoft.DataMigration/databaseMigrations/payroll`;
    await arm.lro('PUT', path, {
      properties: {
        kind: 'SqlMi',
        scope: miId,
        migrationService: migrationServiceId,
        sourceDatabaseName: 'payroll',
      },
    });
    let migration: { properties: { migrationStatus: string; migrationOperationId: string } };
    do {
      migration = (await arm.send('GET', path)).body as typeof migration;
    } while (migration.properties.migrationStatus !== 'ReadyForCutover');
    await expect(
      arm.lro('POST', `${path}/cutover`, { migrationOperationId: migration.properties.migrationOperationId }),
    ).rejects.toThrow(/CutoverFailed/);
    const failed = (await arm.send('GET', path)).body as { properties: Record<string, unknown> };
    expect(failed.properties).toMatchObject({
      migrationStatus: 'Failed',
      migrationFailureError: { code: 'CutoverFailed' },
    });
  });

  it('stalls replication with NoProgress health errors until repaired, reproducibly per seed', async () => {
    const stalledSet = async (seed: number) => {
      // Large disks: initial replication of the healthy items is still running when they are read.
      const site = bulkSite(8);
      site.vms = site.vms.map((vm) => ({ ...vm, disks: [{ id: '2000', sizeGiB: 2048, usedGiB: 1024 }] }));
      const t = await simulator({ stalls: { probability: 0.5 } }, site, seed);
      const client = fastClient(t);
      const stalled: string[] = [];
      await Promise.all(t.site.vms.map((vm) => enable(t, client, vm.name)));
      await t.admin.setSpeed(1);
      for (const vm of t.site.vms) {
        const item = await client.replicationProtectedItems.get(...itemArgs(t), vm.name);
        const details = item.properties?.providerSpecificDetails as InMageRcmReplicationDetails;
        if (details.initialReplicationProgressHealth === 'NoProgress') {
          stalled.push(vm.name);
          expect(item.properties?.replicationHealth).toBe('Critical');
          expect(item.properties?.healthErrors?.[0]).toMatchObject({
            errorCode: 'InitialReplicationNoProgress',
            recommendedAction: expect.stringContaining('repair replication') as unknown,
          });
        }
      }
      return { t, client, stalled };
    };
    const first = await stalledSet(11);
    expect(first.stalled.length).toBeGreaterThan(0);
    expect((await stalledSet(11)).stalled).toEqual(first.stalled);
    const { t, client, stalled } = first;
    const vm = stalled[0] ?? '';
    await t.admin.setSpeed(5_000_000);
    await client.replicationProtectedItems.beginRepairReplicationAndWait(...itemArgs(t), vm, poll);
    let repaired = await client.replicationProtectedItems.get(...itemArgs(t), vm);
    while (repaired.properties?.protectionState !== 'Protected') {
      await new Promise((resolve) => setTimeout(resolve, 10));
      repaired = await client.replicationProtectedItems.get(...itemArgs(t), vm);
    }
    expect(repaired.properties?.protectionState).toBe('Protected');
  });

  it('halts an appliance: Critical process server and NoProgress items', async () => {
    const t = await simulator({ applianceOutages: ['asr-appliance-02'] });
    const client = fastClient(t);
    await enable(t, client, 'crm-db-01', 1);
    await t.admin.setSpeed(100);
    const item = await client.replicationProtectedItems.get(...itemArgs(t), 'crm-db-01');
    const details = item.properties?.providerSpecificDetails as InMageRcmReplicationDetails;
    expect(details.initialReplicationProgressHealth).toBe('NoProgress');
    expect(item.properties?.healthErrors?.map((error) => error.errorCode)).toContain(
      'ProcessServerNotResponding',
    );
    const fabric = await client.replicationFabrics.get(
      scope.vaultName,
      scope.resourceGroup,
      t.seed.fabricName,
    );
    const servers = (fabric.properties?.customDetails as InMageRcmFabricSpecificDetails).processServers ?? [];
    expect(servers.map((server) => server.health)).toEqual(['Normal', 'Critical']);
    expect(fabric.properties?.health).toBe('Critical');
    await t.admin.configureFaults({});
    const recovered = await client.replicationProtectedItems.get(...itemArgs(t), 'crm-db-01');
    expect(
      (recovered.properties?.providerSpecificDetails as InMageRcmReplicationDetails)
        .initialReplicationProgressHealth,
    ).toBe('InProgress');
  });
});
