/**
 * Replication polls of one worker share a container listing. The chaos smoke run once failed four polls
 * with "list protected items: cancelled": the listing ran as part of the poll that started it, so when
 * that poll was cancelled (its workflow asked, or Temporal timed it out) and the listing then failed, the
 * failure reached every poll waiting for it as a cancellation nobody had asked for. These tests cancel the
 * poll that started the listing deterministically, through the activity's own cancellation, with the real
 * SDK client against the simulator.
 */
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReplicationSite } from '../../domain/migration.ts';
import { createSiteRecoveryActivities, type ReplicationPollResult } from '../../activities/site-recovery.ts';
import { siteRecoveryDeps } from '../../workers/azure.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import { machineIdOf, scope, startTestSimulator, type TestSimulator } from './helpers.ts';

let t: TestSimulator;
let activities: ReturnType<typeof createSiteRecoveryActivities>;
let site: ReplicationSite;

beforeEach(async () => {
  t = await startTestSimulator();
  const config = loadWorkerConfig({
    FACTORY_PROFILE: 'simulator',
    AZURE_RESOURCE_MANAGER_ENDPOINT: t.sim.endpoint,
    AZURE_CA_CERT: t.sim.caCertPath,
    AZURE_CREDENTIAL: 'local',
    AZURE_SUBSCRIPTION_ID: scope.subscriptionId,
    AZURE_RESOURCE_GROUP: scope.resourceGroup,
    AZURE_VAULT_NAME: scope.vaultName,
    AZURE_LRO_POLL_MS: '200',
  });
  activities = createSiteRecoveryActivities(siteRecoveryDeps(config));
  site = await activities.discoverReplicationSite();
});

afterEach(async () => {
  await t.dispose();
});

/** Starts a poll in its own activity attempt; the VMs were never enabled, so one listing answers it. */
function startPoll() {
  const attempt = new MockActivityEnvironment();
  const vms = t.site.vms
    .slice(0, 2)
    .map((vm) => ({ name: vm.name, machineId: machineIdOf(t.site, vm.name) }));
  const result: Promise<ReplicationPollResult> = attempt.run((input) => activities.pollReplication(input), {
    site,
    vms,
    maxWaitMs: 60_000,
    readAfter: Date.now() - 60_000,
  });
  result.catch(() => undefined);
  return { attempt, result };
}

describe('a container listing shared by replication polls', () => {
  it("fails the other polls with the listing's own error, not the cancelled poll's cancellation", async () => {
    await t.admin.configureFaults({ transient: { probability: 1, statuses: [503] } });
    const first = startPoll();
    const second = startPoll();
    // Cancelled while the listing is on the wire, before any answer: the listing's failure comes after.
    first.attempt.cancel();
    await expect(first.result).rejects.toBeInstanceOf(CancelledFailure);
    const error: unknown = await second.result.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(CancelledFailure);
    expect(error).toMatchObject({ statusCode: 503 });
  }, 60_000);

  it('answers the other polls when the poll that started it is cancelled', async () => {
    const first = startPoll();
    const second = startPoll();
    first.attempt.cancel();
    await expect(first.result).rejects.toBeInstanceOf(CancelledFailure);
    const poll = await second.result;
    expect(poll.vms.map((vm) => vm.state)).toEqual(['absent', 'absent']);
  });

  it('is abandoned when every poll waiting for it is cancelled, and the next poll lists afresh', async () => {
    const first = startPoll();
    const second = startPoll();
    first.attempt.cancel();
    second.attempt.cancel();
    await expect(first.result).rejects.toBeInstanceOf(CancelledFailure);
    await expect(second.result).rejects.toBeInstanceOf(CancelledFailure);
    const next = await startPoll().result;
    expect(next.vms.map((vm) => vm.state)).toEqual(['absent', 'absent']);
  });
});
