import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchPhase } from '../../domain/migration.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import {
  batchProgressQuery,
  openCutoverUpdate,
  pauseUpdate,
  postponeCutoverUpdate,
  resumeUpdate,
  retryUpdate,
  rollbackUpdate,
  signOffUpdate,
} from '../../contracts/messages.ts';
import {
  operator,
  protectedItemOf,
  refusal,
  startBatch,
  startHarness,
  startInProcessWorkers,
  sourcePowerStates,
  waitFor,
  type Harness,
} from './harness.ts';

type BatchHandle = Awaited<ReturnType<typeof startBatch>>;
const phaseOf = async (handle: BatchHandle) => (await handle.query(batchProgressQuery)).phase;
async function reachPhase(handle: BatchHandle, phase: BatchPhase) {
  const probe = async () => ((await phaseOf(handle)) === phase ? true : undefined);
  try {
    await waitFor(`batch ${handle.workflowId} in ${phase}`, probe, 30_000);
  } catch (error) {
    const progress = await handle.query(batchProgressQuery).catch(() => undefined);
    throw new Error(`${String(error)}; the batch is ${progress?.phase}: ${progress?.detail ?? ''}`, {
      cause: error,
    });
  }
}

describe('batch operator actions (real Temporal, real SDK, simulator)', () => {
  let harness: Harness;
  let workers: RunningWorkers;
  beforeAll(async () => {
    harness = await startHarness('ops', { speed: 2000 });
    workers = await startInProcessWorkers(harness);
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  it('cuts over by itself when the window opens', async () => {
    const start = new Date(Date.now() + 6000).toISOString();
    const end = new Date(Date.now() + 3600_000).toISOString();
    const handle = await startBatch(harness, 'ops-window-timer', ['payroll-web-04'], {
      cutoverWindow: { start, end },
    });
    await reachPhase(handle, 'awaiting-cutover-window');
    const result = await handle.result();
    expect(result.vms[0]?.outcome).toBe('migrated');
    const { entries } = await harness.admin.audit();
    const failover = entries.find(
      (e) => e.method === 'POST' && e.path.split('?')[0]?.endsWith('rp-ops-window-timer/unplannedFailover'),
    );
    expect(failover).toBeDefined();
  });

  it('waits for the cutover window, refuses to open it early without force, and honours postpone and open-now', async () => {
    const start = new Date(Date.now() + 3600_000).toISOString();
    const end = new Date(Date.now() + 7200_000).toISOString();
    const handle = await startBatch(harness, 'ops-window', ['payroll-db-01', 'payroll-app-02'], {
      cutoverWindow: { start, end },
    });
    await reachPhase(handle, 'awaiting-cutover-window');
    expect((await handle.query(batchProgressQuery)).cutoverAt).toBe(start);

    expect(await refusal(handle.executeUpdate(openCutoverUpdate, { args: [operator] }))).toMatch(
      /outside the cutover window .* pass force/,
    );
    expect(
      await refusal(
        handle.executeUpdate(postponeCutoverUpdate, {
          args: [{ ...operator, until: '2001-01-01T00:00:00Z' }],
        }),
      ),
    ).toMatch(/not in the future/);
    const later = new Date(Date.now() + 5400_000).toISOString();
    await handle.executeUpdate(postponeCutoverUpdate, { args: [{ ...operator, until: later }] });
    expect((await handle.query(batchProgressQuery)).cutoverAt).toBe(later);
    expect(await phaseOf(handle)).toBe('awaiting-cutover-window');

    await handle.executeUpdate(openCutoverUpdate, {
      args: [{ ...operator, force: true, reason: 'business approved early cutover' }],
    });
    const result = await handle.result();
    expect(result.vms.map((vm) => vm.outcome)).toEqual(['migrated', 'migrated']);
  });

  it('pauses between steps and resumes; refuses a retry when nothing failed and a rollback after commit', async () => {
    const handle = await startBatch(harness, 'ops-pause', ['intranet-web-03'], {
      requireValidationSignOff: true,
    });
    await handle.executeUpdate(pauseUpdate, { args: [operator] });
    expect(await refusal(handle.executeUpdate(pauseUpdate, { args: [operator] }))).toMatch(/already paused/);
    expect(await refusal(handle.executeUpdate(retryUpdate, { args: [operator] }))).toMatch(
      /nothing to retry/,
    );
    expect(
      await refusal(
        handle.executeUpdate(retryUpdate, { args: [{ ...operator, vmNames: ['intranet-web-03'] }] }),
      ),
    ).toMatch(/has not failed \(it is active\)/);
    expect(await refusal(handle.executeUpdate(pauseUpdate, { args: [{ ...operator, by: ' ' }] }))).toMatch(
      /needs `by`/,
    );

    const progress = await handle.query(batchProgressQuery);
    expect(progress.paused).toBe(true);
    // A day later the VM would long be replicated: a batch that did not hold would go on to its recovery
    // plan and validation. It holds: it goes idle (no activity, no workflow task) before any of that.
    await harness.admin.advanceClock(86_400);
    await waitFor(
      'the paused batch to go idle',
      async () => {
        const { raw } = await handle.describe();
        return (raw.pendingActivities ?? []).length === 0 && !raw.pendingWorkflowTask ? true : undefined;
      },
      30_000,
    );
    const stillPhase = await phaseOf(handle);
    expect(['pending', 'enabling-replication', 'replicating']).toContain(stillPhase);
    await handle.executeUpdate(resumeUpdate, { args: [operator] });

    await reachPhase(handle, 'validating');
    await handle.executeUpdate(signOffUpdate, { args: [{ ...operator, approved: true }] });
    await reachPhase(handle, 'validating-cutover');
    // Slow the simulated clock so the commit takes seconds, and pause: the batch stops after the commit.
    await harness.admin.setSpeed(20);
    try {
      await handle.executeUpdate(signOffUpdate, { args: [{ ...operator, approved: true }] });
      await reachPhase(handle, 'committing');
      await handle.executeUpdate(pauseUpdate, { args: [operator] });
      const refused = await refusal(handle.executeUpdate(rollbackUpdate, { args: [operator] }));
      expect(refused).toMatch(/point of no return/);
    } finally {
      await harness.admin.setSpeed(2000);
    }
    await handle.executeUpdate(resumeUpdate, { args: [operator] });
    const result = await handle.result();
    expect(result.phase).toBe('completed');
  });

  it('runs validation probes: a failing HTTP check holds the batch (retry after the fix passes; after cutover, rollback)', async () => {
    let status = 503;
    const app = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const port = (app.address() as AddressInfo).port;
    try {
      const checks = [
        { name: 'web health', kind: 'http' as const, url: `http://127.0.0.1:${port}/health` },
        { name: 'web port', kind: 'tcp' as const, host: '127.0.0.1', port },
      ];
      const handle = await startBatch(harness, 'ops-validation', ['intranet-app-02'], {
        validation: { testFailover: checks, cutover: checks },
      });
      await reachPhase(handle, 'awaiting-operator');
      const held = await handle.query(batchProgressQuery);
      expect(held.detail).toContain(
        `Validation failed: web health: http://127.0.0.1:${port}/health answered 503, expected 200`,
      );
      expect(held.validation?.map((r) => [r.name, r.ok])).toEqual([
        ['web health', false],
        ['web port', true],
      ]);
      expect((await harness.admin.state()).targetVms.test).toBe(0);

      status = 200;
      await handle.executeUpdate(retryUpdate, { args: [operator] });
      const result = await handle.result();
      expect(result.vms[0]?.outcome).toBe('migrated');

      // A failing probe after the cutover holds the batch before commit; rollback cancels the failover.
      status = 500;
      const second = await startBatch(harness, 'ops-validation-rollback', ['intranet-web-04'], {
        validation: { testFailover: [], cutover: checks },
      });
      await reachPhase(second, 'awaiting-operator');
      expect((await second.query(batchProgressQuery)).detail).toContain('answered 500, expected 200');
      await second.executeUpdate(rollbackUpdate, { args: [operator] });
      const rolledBack = await second.result();
      expect(rolledBack.vms[0]?.outcome).toBe('rolled-back');
      expect(await sourcePowerStates(harness, ['intranet-web-04'])).toEqual({
        'intranet-web-04': 'POWERED_ON',
      });
      expect(await harness.admin.invariants()).toEqual({ violations: [] });
    } finally {
      app.close();
    }
  });

  const rollbackCases: { name: string; vms: string[]; phase: BatchPhase }[] = [
    { name: 'during replication', vms: ['crm-db-01'], phase: 'replicating' },
    { name: 'after test failover', vms: ['crm-app-03'], phase: 'validating' },
    { name: 'after failover, before commit', vms: ['crm-web-05', 'crm-app-04'], phase: 'validating-cutover' },
  ];
  for (const { name, vms, phase } of rollbackCases) {
    it(`rolls back ${name} and leaves the simulator clean`, async () => {
      const handle = await startBatch(harness, `ops-rollback-${phase}`, vms, {
        requireValidationSignOff: true,
      });
      if (phase === 'validating-cutover') {
        await reachPhase(handle, 'validating');
        await handle.executeUpdate(signOffUpdate, { args: [{ ...operator, approved: true }] });
      }
      await reachPhase(handle, phase);
      await handle.executeUpdate(rollbackUpdate, { args: [operator] });
      expect(await refusal(handle.executeUpdate(rollbackUpdate, { args: [operator] }))).toMatch(
        /already rolling back|rolled back/,
      );
      const result = await handle.result();
      expect(result.phase).toBe('rolled-back');
      expect(result.vms.map((vm) => vm.outcome)).toEqual(vms.map(() => 'rolled-back'));

      const state = await harness.admin.state();
      expect(JSON.stringify(state)).not.toContain(`rp-ops-rollback-${phase}`);
      expect(await harness.admin.invariants()).toEqual({ violations: [] });
      const { entries } = await harness.admin.audit();
      const removed = entries.filter(
        (e) =>
          e.method === 'POST' &&
          vms.some((vm) =>
            e.path.split('?')[0]?.endsWith(`/replicationProtectedItems/${protectedItemOf(vm)}/remove`),
          ),
      );
      expect(removed.length).toBe(vms.length);
      // Whatever the phase, the source VMs are running again (after a failover they were shut down).
      expect(Object.values(await sourcePowerStates(harness, vms))).toEqual(vms.map(() => 'POWERED_ON'));
    });
  }
});
