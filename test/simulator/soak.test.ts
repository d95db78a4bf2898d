/**
 * Soak: 500 VMs from enable replication through commit and complete migration through the real
 * SiteRecoveryManagementClient, with seeded faults (transient 500/503, a 429 storm, replication stalls
 * repaired with repairReplication, failed test failovers, failovers and commits retried). Afterwards
 * the invariant checker must report nothing and every VM must have ended migrated, exactly once.
 */
import {
  SiteRecoveryManagementClient,
  type InMageRcmReplicationDetails,
} from '@azure/arm-recoveryservices-siterecovery';
import { expect, it } from 'vitest';
import type { SourceSite } from '../../domain/estate.ts';
import {
  bulkSite,
  enableInput,
  localCredential,
  scope,
  startTestSimulator,
  testNetworkId,
} from './helpers.ts';

const vmCount = 500;
const concurrency = 100;
const lro = { updateIntervalInMs: 5 };

function soakSite(): SourceSite {
  const site = bulkSite(vmCount);
  site.appliances = Array.from({ length: 5 }, (_, index) => ({
    name: `soak-appliance-${index + 1}`,
    bandwidthMbps: 2000,
  }));
  site.uplinkMbps = 10_000;
  return site;
}

it('migrates 500 VMs under seeded faults with zero invariant violations', { timeout: 90_000 }, async () => {
  const t = await startTestSimulator({
    site: soakSite(),
    speed: 200_000,
    seed: 2024,
    faults: {
      transient: { probability: 0.01 },
      stalls: { probability: 0.03 },
      rules: [
        { scenario: 'TestFailover', probability: 0.05 },
        { scenario: 'UnplannedFailover', probability: 0.02 },
        { scenario: 'Commit', probability: 0.02 },
      ],
    },
  });
  try {
    const client = new SiteRecoveryManagementClient(localCredential('soak'), scope.subscriptionId, {
      endpoint: t.sim.endpoint,
      credentialScopes: 'https://management.azure.com/.default',
      tlsOptions: { ca: t.sim.caCertPem },
      retryOptions: { maxRetries: 8, retryDelayInMs: 10, maxRetryDelayInMs: 200 },
    });
    const items = client.replicationProtectedItems;
    const args = [scope.vaultName, scope.resourceGroup, t.seed.fabricName, t.seed.containerName] as const;
    const counts = { repairs: 0, testFailoverRetries: 0, failoverRetries: 0, commitRetries: 0 };
    const outcome = new Map<string, string>();
    const failover = {
      properties: {
        failoverDirection: 'PrimaryToRecovery',
        networkType: 'VmNetworkAsInput',
        networkId: testNetworkId,
        providerSpecificDetails: { instanceType: 'InMageRcm' as const },
      },
    };
    const retrying = async (
      run: () => Promise<unknown>,
      onFailure: () => Promise<void>,
      counter: keyof typeof counts,
    ) => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          await run();
          return;
        } catch (error) {
          if (attempt >= 5) throw error;
          counts[counter] += 1;
          await onFailure();
        }
      }
    };

    const migrate = async (vm: string, index: number) => {
      await items.beginCreateAndWait(...args, vm, enableInput(t, vm, index), lro);
      for (;;) {
        const item = await items.get(...args, vm);
        if (item.properties?.protectionState === 'Protected') break;
        const details = item.properties?.providerSpecificDetails as InMageRcmReplicationDetails;
        if (
          details.initialReplicationProgressHealth === 'NoProgress' &&
          item.properties?.allowedOperations?.includes('RepairReplication')
        ) {
          counts.repairs += 1;
          await items.beginRepairReplicationAndWait(...args, vm, lro);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await retrying(
        () => items.beginTestFailoverAndWait(...args, vm, failover, lro),
        () =>
          items.beginTestFailoverCleanupAndWait(...args, vm, { properties: {} }, lro).then(() => undefined),
        'testFailoverRetries',
      );
      await items.beginTestFailoverCleanupAndWait(...args, vm, { properties: { comments: 'soak' } }, lro);
      await retrying(
        () =>
          items.beginUnplannedFailoverAndWait(
            ...args,
            vm,
            {
              properties: {
                failoverDirection: 'PrimaryToRecovery',
                providerSpecificDetails: { instanceType: 'InMageRcm', performShutdown: 'true' },
              },
            },
            lro,
          ),
        () => Promise.resolve(),
        'failoverRetries',
      );
      await retrying(
        () => items.beginFailoverCommitAndWait(...args, vm, lro),
        () => Promise.resolve(),
        'commitRetries',
      );
      await items.beginDeleteAndWait(
        ...args,
        vm,
        { properties: { disableProtectionReason: 'MigrationComplete' } },
        lro,
      );
      if (outcome.has(vm)) throw new Error(`${vm} finished twice`);
      outcome.set(vm, 'migrated');
    };

    const queue = t.site.vms.map((vm, index) => ({ vm: vm.name, index }));
    let storm = false;
    const workers = Array.from({ length: concurrency }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (!storm && queue.length < vmCount / 2) {
          storm = true;
          await t.admin.startStorm(1, 1);
        }
        await migrate(next.vm, next.index);
      }
    });
    await Promise.all(workers);

    expect(outcome.size).toBe(vmCount);
    const state = await t.admin.state();
    expect(state.completedMigrations).toBe(vmCount);
    expect(state.protectedItems.total).toBe(0);
    expect(state.targetVms).toEqual({ failover: vmCount, test: 0 });
    expect(state.sourceVms.poweredOff).toBe(vmCount);
    expect((await t.admin.invariants()).violations).toEqual([]);
    const audit = await t.admin.audit();
    const outcomes = new Set(audit.entries.map((entry) => entry.outcome));
    expect(outcomes).toContain('throttled');
    expect(outcomes).toContain('faulted');
    expect(counts.repairs).toBeGreaterThan(0);
    expect(counts.testFailoverRetries).toBeGreaterThan(0);
  } finally {
    await t.dispose();
  }
});
