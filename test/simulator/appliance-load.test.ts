import type {
  InMageRcmFabricSpecificDetails,
  InMageRcmReplicationDetails,
} from '@azure/arm-recoveryservices-siterecovery';
import { expect, it } from 'vitest';
import { fairShare } from '../../simulators/site-recovery/replication.ts';
import { bulkSite, enableInput, poll, scope, startTestSimulator } from './helpers.ts';

it('slows initial replication and warns when an appliance is past 2 TB/day of churn', async () => {
  const site = bulkSite(3);
  site.vms = site.vms.map((vm) => ({
    ...vm,
    churnMiBPerDay: 1024 * 1024,
    disks: [{ id: '2000', sizeGiB: 4096, usedGiB: 2048 }],
  }));
  const t = await startTestSimulator({ site, speed: 60 });
  try {
    const fabric = `${site.vmwareSiteName}-fabric`;
    const container = `${fabric}-container`;
    for (const vm of site.vms) {
      await t.client.replicationProtectedItems.beginCreate(
        scope.vaultName,
        scope.resourceGroup,
        fabric,
        container,
        vm.name,
        enableInput(t, vm.name),
        poll,
      );
    }
    // Half an hour of replication, then a slow clock: the reads below see the load at that moment.
    await t.admin.setSpeed(1);
    await t.admin.advanceClock(2000);
    const item = await t.client.replicationProtectedItems.get(
      scope.vaultName,
      scope.resourceGroup,
      fabric,
      container,
      'bulk-001',
    );
    const details = item.properties?.providerSpecificDetails as InMageRcmReplicationDetails;
    expect(item.properties?.protectionState).toBe('InitialReplicationInProgress');
    expect(details.initialReplicationProgressHealth).toBe('SlowProgress');
    expect(item.properties?.replicationHealth).toBe('Warning');
    expect(item.properties?.healthErrors?.map((error) => error.errorCode)).toContain(
      'ProcessServerOverloaded',
    );
    const fabricResource = await t.client.replicationFabrics.get(
      scope.vaultName,
      scope.resourceGroup,
      fabric,
    );
    const server = (fabricResource.properties?.customDetails as InMageRcmFabricSpecificDetails)
      .processServers?.[0];
    expect(server).toMatchObject({ health: 'Warning', protectedItemCount: 3 });
  } finally {
    await t.dispose();
  }
});

it('shares the uplink max-min fairly: what appliance-capped transfers leave goes to the others', () => {
  // Uplink 100; appliance A (capacity 20, 4 transfers → 5 each) cannot use an equal share of 100/6.
  // The other 80 is split by B's 2 transfers (40 each), below B's own cap of 100/2.
  expect(
    fairShare(100, [
      { transfers: 4, capacity: 20 },
      { transfers: 2, capacity: 100 },
    ]),
  ).toBe(40);
  // Every transfer fits: the uplink caps all at an equal share.
  expect(fairShare(60, [{ transfers: 3, capacity: 300 }])).toBe(20);
  // Appliances cap everything: the uplink is not the limit.
  expect(fairShare(1000, [{ transfers: 2, capacity: 10 }])).toBe(Infinity);
});
