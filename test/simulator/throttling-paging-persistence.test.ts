import type { InMageRcmReplicationDetails } from '@azure/arm-recoveryservices-siterecovery';
import { describe, expect, it } from 'vitest';
import {
  armPath,
  bulkSite,
  enableInput,
  poll,
  rawRequest,
  scope,
  startTestSimulator,
  unsignedJwt,
} from './helpers.ts';

describe('throttling', () => {
  it('answers 429 with Retry-After when the write bucket is empty, and the SDK retries', async () => {
    const t = await startTestSimulator({
      throttling: { writes: { capacity: 2, refillPerSecond: 1 } },
    });
    try {
      const args = [scope.vaultName, scope.resourceGroup, t.seed.fabricName, t.seed.containerName] as const;
      const names = ['payroll-web-04', 'payroll-web-05', 'intranet-web-04'];
      for (const name of names) {
        await t.client.replicationProtectedItems.beginCreate(...args, name, enableInput(t, name), poll);
      }
      const { entries } = await t.admin.audit();
      const throttled = entries.filter((entry) => entry.outcome === 'throttled');
      expect(throttled.length).toBeGreaterThanOrEqual(1);
      expect(throttled[0]).toMatchObject({ status: 429, operation: 'ReplicationProtectedItems_Create' });
      expect(entries.filter((entry) => entry.outcome === 'created')).toHaveLength(3);
      expect((await t.admin.invariants()).violations).toEqual([]);

      const read = await rawRequest(t.sim, 'GET', armPath('/replicationFabrics?api-version=2023-06-01'), {
        token: unsignedJwt('reader'),
      });
      expect(Number(read.headers['x-ms-ratelimit-remaining-subscription-reads'])).toBe(249);
      expect(read.headers['x-ms-request-id']).toBeTruthy();
      const token = unsignedJwt('writer-2');
      await rawRequest(t.sim, 'POST', armPath('/replicationProtectedItems/x/remove?api-version=2023-06-01'), {
        token,
      });
      await rawRequest(t.sim, 'POST', armPath('/replicationProtectedItems/x/remove?api-version=2023-06-01'), {
        token,
      });
      const limited = await rawRequest(
        t.sim,
        'POST',
        armPath('/replicationProtectedItems/x/remove?api-version=2023-06-01'),
        {
          token,
        },
      );
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ error: { code: 'TooManyRequests' } });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);

      // Every ARM answer is counted by kind (reads too, which the audit leaves out), 429s apart.
      const { armRequests } = await t.admin.state();
      expect(armRequests.reads).toBeGreaterThanOrEqual(1);
      expect(armRequests.writes).toBeGreaterThanOrEqual(names.length + 3);
      expect(armRequests.throttled).toBe(
        (await t.admin.audit()).entries.filter((e) => e.status === 429).length,
      );
      expect(armRequests.faulted).toBe(0);
      expect(armRequests.siteRecovery.writes).toBe(armRequests.writes);
    } finally {
      await t.dispose();
    }
  });
});

describe('paging', () => {
  it('returns absolute nextLinks that the SDK follows', async () => {
    const site = bulkSite(130);
    const t = await startTestSimulator({ site });
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
      const first = await rawRequest(
        t.sim,
        'GET',
        armPath('/replicationProtectedItems?api-version=2023-06-01'),
        {
          token: unsignedJwt('pager'),
        },
      );
      const body = first.body as { value: unknown[]; nextLink?: string };
      expect(body.value).toHaveLength(100);
      expect(body.nextLink).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\$skipToken=/);

      // Items removed between two page reads (other batches completing) never shift a survivor out.
      const firstPage = body.value as { name: string }[];
      const removed = firstPage.slice(0, 10).map((item) => item.name);
      for (const name of removed) {
        await t.client.replicationProtectedItems.beginDeleteAndWait(
          scope.vaultName,
          scope.resourceGroup,
          fabric,
          container,
          name,
          { properties: { disableProtectionReason: 'NotSpecified' } },
          poll,
        );
      }
      const second = await rawRequest(
        t.sim,
        'GET',
        new URL(body.nextLink!).pathname + new URL(body.nextLink!).search,
        {
          token: unsignedJwt('pager'),
        },
      );
      const seen = [...firstPage, ...(second.body as { value: { name: string }[] }).value].map((i) => i.name);
      expect(new Set(seen).size).toBe(130);

      const names = [];
      for await (const item of t.client.replicationProtectedItems.list(
        scope.vaultName,
        scope.resourceGroup,
      )) {
        names.push(item.name);
      }
      expect(names).toHaveLength(120);
      expect(new Set(names).size).toBe(120);
      const byContainer = [];
      for await (const item of t.client.replicationProtectedItems.listByReplicationProtectionContainers(
        scope.vaultName,
        scope.resourceGroup,
        fabric,
        container,
      )) {
        byContainer.push(item.name);
      }
      expect(byContainer).toHaveLength(120);
      let jobs = 0;
      for await (const job of t.client.replicationJobs.list(scope.vaultName, scope.resourceGroup, {
        filter: "jobName eq 'EnableDr'",
      })) {
        expect(job.properties?.scenarioName).toBe('EnableDr');
        jobs += 1;
      }
      expect(jobs).toBe(130);
    } finally {
      await t.dispose();
    }
  });
});

describe('persistence', () => {
  it('keeps state across a restart in the middle of initial replication', async () => {
    const t = await startTestSimulator({ speed: 600 });
    try {
      const args = [scope.vaultName, scope.resourceGroup, t.seed.fabricName, t.seed.containerName] as const;
      await t.client.replicationProtectedItems.beginCreateAndWait(
        ...args,
        'reporting-db-01',
        enableInput(t, 'reporting-db-01'),
        {
          updateIntervalInMs: 50,
        },
      );
      const before = await t.client.replicationProtectedItems.get(...args, 'reporting-db-01');
      expect(before.properties?.protectionState).toBe('InitialReplicationInProgress');
      const beforeBytes =
        (before.properties?.providerSpecificDetails as InMageRcmReplicationDetails)
          .initialReplicationTransferredBytes ?? 0;
      const auditBefore = (await t.admin.audit()).entries.length;

      await t.restart();
      const after = await t.client.replicationProtectedItems.get(...args, 'reporting-db-01');
      expect(after.properties?.protectionState).toBe('InitialReplicationInProgress');
      const afterBytes =
        (after.properties?.providerSpecificDetails as InMageRcmReplicationDetails)
          .initialReplicationTransferredBytes ?? 0;
      expect(afterBytes).toBeGreaterThanOrEqual(beforeBytes);
      expect((await t.admin.audit()).entries).toHaveLength(auditBefore);

      await t.admin.setSpeed(1_000_000);
      let state = '';
      for (let attempt = 0; attempt < 100 && state !== 'Protected'; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        state =
          (await t.client.replicationProtectedItems.get(...args, 'reporting-db-01')).properties
            ?.protectionState ?? '';
      }
      expect(state).toBe('Protected');
      // A PUT after the restart is still recognised as the same item.
      await t.client.replicationProtectedItems.beginCreateAndWait(
        ...args,
        'reporting-db-01',
        enableInput(t, 'reporting-db-01'),
        poll,
      );
      expect((await t.admin.audit()).entries.at(-1)?.outcome).toBe('noop');
    } finally {
      await t.dispose();
    }
  });
});
