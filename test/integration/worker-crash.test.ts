import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type RunningDevServer } from '../../cli/stack/dev-server.ts';
import { freePort } from '../../cli/stack/ports.ts';
import { seededRandom } from '../../domain/random.ts';
import { batchProgressQuery, waveProgressQuery } from '../../contracts/messages.ts';
import {
  pathOf,
  spawnWorkerProcess,
  startHarness,
  waitFor,
  type Harness,
  demoBatchSettings,
  startDemoWave,
} from './harness.ts';

describe('durability: workers SIGKILLed at random points and a Temporal server restart', () => {
  let temporal: RunningDevServer;
  let harness: Harness;
  let worker: ChildProcess | undefined;
  const dbFile = join(mkdtempSync(join(tmpdir(), 'mf-durability-')), 'temporal.sqlite');

  beforeAll(async () => {
    // A server of its own, on a SQLite file, so it can be restarted without losing the wave.
    temporal = await startDevServer({ port: await freePort(), dbFile });
    // Slow enough that replication and failovers span seconds, so the kills land inside activities.
    harness = await startHarness('durability', { speed: 200, temporalAddress: temporal.address });
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await harness?.close();
    await temporal?.stop();
  });

  const killWorker = async () => {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker?.kill('SIGKILL');
    await exited;
  };

  it('completes the wave with exactly one enable per VM and one of each failover step per plan', async () => {
    worker = await spawnWorkerProcess(harness);
    const handle = await startDemoWave(
      harness.client,
      'it-durability',
      {
        ...demoBatchSettings,
        azureTaskQueue: harness.azureTaskQueue,
        replicationReportEveryMs: 1000,
        heartbeatTimeoutMs: 3000,
      },
      harness.taskQueue,
    );
    const phases = async () => {
      const wave = await handle.query(waveProgressQuery);
      return Promise.all(
        wave.batches.map(
          async (b) =>
            (await harness.client.workflow.getHandle(b.workflowId).query(batchProgressQuery)).phase,
        ),
      );
    };

    // Two kills at chosen moments: inside the replication monitor and inside a failover LRO.
    await waitFor('a batch replicating', async () =>
      (await phases()).includes('replicating') ? true : undefined,
    );
    await killWorker();
    worker = await spawnWorkerProcess(harness);

    // The Temporal server restarts on its SQLite file in the middle of the batches.
    await temporal.stop();
    temporal = await startDevServer({ port: Number(temporal.address.split(':')[1]), dbFile });

    await waitFor(
      'a batch in cutover',
      async () => ((await phases()).includes('cutover') ? true : undefined),
      120_000,
    );
    await killWorker();
    worker = await spawnWorkerProcess(harness);

    // Then ten more at seeded random moments until the wave ends.
    const random = seededRandom(2026);
    let finished = false;
    const result = handle.result().finally(() => (finished = true));
    for (let kill = 0; kill < 10 && !finished; kill += 1) {
      await new Promise((r) => setTimeout(r, 500 + random() * 2500));
      if (finished) break;
      await killWorker();
      worker = await spawnWorkerProcess(harness);
    }

    const outcome = await result;
    expect(outcome.counts).toEqual({
      migrated: 20,
      'rolled-back': 0,
      deferred: 0,
      'failed-needs-attention': 0,
    });
    const { entries } = await harness.admin.audit();
    const accepted = entries.filter((e) => e.status < 300);
    const puts = accepted.filter(
      (e) => e.method === 'PUT' && /\/replicationProtectedItems\/[^/]+$/i.test(pathOf(e.path)),
    );
    // A retried enable PUTs again: the simulator answers an existing item with 200 and starts nothing.
    const enables = puts.filter((e) => e.outcome !== 'noop');
    expect(enables).toHaveLength(20);
    expect(new Set(enables.map((e) => pathOf(e.path))).size).toBe(20);
    expect(puts.filter((e) => e.outcome === 'noop' && e.status !== 200)).toEqual([]);
    for (const action of ['testFailover', 'testFailoverCleanup', 'unplannedFailover', 'failoverCommit']) {
      const calls = accepted.filter((e) => e.method === 'POST' && pathOf(e.path).endsWith(`/${action}`));
      expect(calls, action).toHaveLength(2);
    }
    const completions = accepted.filter((e) => e.method === 'POST' && pathOf(e.path).endsWith('/remove'));
    expect(completions).toHaveLength(20);
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  }, 600_000);
});
