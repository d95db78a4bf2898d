import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBatchSettings, startDemoWave } from '../../cli/demo.ts';
import type { BatchPhase } from '../../domain/migration.ts';
import { batchProgressQuery, waveProgressQuery } from '../../workflows/messages.ts';
import { spawnWorkerProcess, startHarness, waitFor, type Harness } from './harness.ts';

const pathOf = (path: string) => path.split('?')[0] ?? '';

describe('a worker killed mid-batch', () => {
  let harness: Harness;
  let worker: ChildProcess | undefined;
  beforeAll(async () => {
    // Slow enough that replication and failover each span seconds of real time, so the kills land inside them.
    harness = await startHarness('crash', { speed: 150 });
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await harness?.close();
  });

  const killWorker = async () => {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker?.kill('SIGKILL');
    await exited;
  };

  it('is replaced and the wave completes with no duplicated enable or failover call', async () => {
    worker = await spawnWorkerProcess(harness);
    const handle = await startDemoWave(
      harness.client,
      'it-crash',
      {
        ...demoBatchSettings,
        azureTaskQueue: harness.azureTaskQueue,
        replicationReportEveryMs: 1000,
        heartbeatTimeoutMs: 3000,
      },
      harness.taskQueue,
    );
    const batchPhase = async (index: number): Promise<BatchPhase | undefined> => {
      const wave = await handle.query(waveProgressQuery);
      const batch = wave.batches[index];
      return batch
        ? (await harness.client.workflow.getHandle(batch.workflowId).query(batchProgressQuery)).phase
        : undefined;
    };

    // Kill 1: while the first batch is replicating (enable done, monitor activity running).
    await waitFor('batch 1 replicating', async () =>
      (await batchPhase(0)) === 'replicating' ? true : undefined,
    );
    await killWorker();
    worker = await spawnWorkerProcess(harness);

    // Kill 2: while a batch's failover (a long-running Azure operation) is in flight.
    await waitFor(
      'a batch in cutover',
      async () =>
        (await batchPhase(0)) === 'cutover' || (await batchPhase(1)) === 'cutover' ? true : undefined,
      120_000,
    );
    await killWorker();
    worker = await spawnWorkerProcess(harness);

    const result = await handle.result();
    expect(result.counts).toEqual({
      migrated: 20,
      'rolled-back': 0,
      deferred: 0,
      'failed-needs-attention': 0,
    });

    const { entries } = await harness.admin.audit();
    const enables = entries.filter(
      (e) => e.method === 'PUT' && /\/replicationProtectedItems\/[^/]+$/i.test(pathOf(e.path)),
    );
    expect(enables.map((e) => pathOf(e.path)).sort()).toEqual(
      [...new Set(enables.map((e) => pathOf(e.path)))].sort(),
    );
    expect(enables).toHaveLength(20);
    for (const action of ['testFailover', 'unplannedFailover', 'failoverCommit']) {
      const calls = entries.filter((e) => e.method === 'POST' && pathOf(e.path).endsWith(`/${action}`));
      expect(calls, action).toHaveLength(2);
    }
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });
});
