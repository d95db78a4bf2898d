/**
 * Deploying a changed workflow while a wave waits in replication (docs/upgrades.md): a wave starts on the
 * current workflow code, reaches replication, its worker stops, and workers running a "next release" (an
 * opening step guarded by `patched()`, test/upgrade-workflows/next-release.ts) take over. The old-started
 * wave and a wave started on the new code both finish; the same change without its guard cannot replay
 * the old wave, and the new wave cannot go back to the old code.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { batchProgressQuery, waveProgressQuery } from '../../contracts/messages.ts';
import { databaseSeed } from '../../cli/stack/seed-databases.ts';
import { demoDatabases, demoScope, demoSite } from '../../domain/demo.ts';
import type { WaveResult } from '../../domain/migration.ts';
import { bundleWorkflows } from '../../workers/bundle.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import { startWorkers, type RunningWorkers } from '../../workers/run.ts';
import { openingStepPatch } from '../upgrade-workflows/next-release.ts';
import {
  demoBatchSettings,
  startDemoWave,
  startHarness,
  startInProcessWorkers,
  waitFor,
  type Harness,
} from './harness.ts';

const variant = (name: string) => fileURLToPath(new URL(`../upgrade-workflows/${name}.ts`, import.meta.url));

type History = temporal.api.history.v1.IHistory;

/** The patch ids a run recorded (core's `core_patch` markers carry `{ id, deprecated }` as JSON). */
function recordedPatches(history: History): string[] {
  return (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    return Object.values(marker.details ?? {}).flatMap((payloads) =>
      (payloads.payloads ?? []).map(
        (p) => (JSON.parse(Buffer.from(p.data ?? []).toString()) as { id: string }).id,
      ),
    );
  });
}

describe('upgrade: a changed workflow deployed while a wave waits in replication', () => {
  let oldStack: Harness;
  let newStack: Harness;
  const running: RunningWorkers[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'mf-upgrade-'));
  const bundles = { next: join(dir, 'next-release.js'), unguarded: join(dir, 'next-release-unguarded.js') };

  beforeAll(async () => {
    // Two simulators: the waves migrate the same demo VMs, each in its own estate. The old wave's disks keep
    // their full size, so its batches replicate long enough to be seen replicating.
    [oldStack, newStack] = await Promise.all([
      startHarness('upgrade-old', { speed: 2000, site: demoSite() }).then(async (stack) => {
        await stack.admin.seedDatabases(databaseSeed(demoScope, demoDatabases(demoScope)));
        return stack;
      }),
      startHarness('upgrade-new', { speed: 2000 }),
      bundleWorkflows(variant('next-release')).then((b) => writeFileSync(bundles.next, b.code)),
      bundleWorkflows(variant('next-release-unguarded')).then((b) =>
        writeFileSync(bundles.unguarded, b.code),
      ),
    ]);
  });
  afterAll(async () => {
    await Promise.all(running.map((w) => w.shutdown()));
    await Promise.all([oldStack?.close(), newStack?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const settingsOf = (stack: Harness) => ({
    ...demoBatchSettings,
    azureTaskQueue: stack.azureTaskQueue,
    replicationReportEveryMs: 1000,
  });
  const workersOn = async (stack: Harness, codePath: string) => {
    const workers = await startWorkers(loadWorkerConfig(stack.workerEnv), {
      workflowBundle: { codePath },
      quiet: true,
    });
    running.push(workers);
    return workers;
  };
  const historyOf = (stack: Harness, workflowId: string) =>
    stack.client.workflow.getHandle(workflowId).fetchHistory();
  /** Replays with the payload codec of the stack that recorded the histories (each test stack has its own key). */
  const replayErrors = async (
    codePath: string,
    histories: { workflowId: string; history: History }[],
    stack: Harness,
  ) => {
    const errors: (Error | undefined)[] = [];
    for await (const { error } of Worker.runReplayHistories(
      { workflowBundle: { codePath }, dataConverter: stack.dataConverter },
      histories,
    ))
      errors.push(error);
    return errors;
  };

  it('the old-started and the new-started wave both finish; the patch guard is what allows it', async () => {
    // The release in production: the current code.
    const current = await startInProcessWorkers(oldStack);
    const oldWave: WorkflowHandle = await startDemoWave(
      oldStack.client,
      'upgrade-old',
      settingsOf(oldStack),
      oldStack.taskQueue,
    );
    const replicating = await waitFor(
      'a batch of the old wave replicating',
      async () => {
        const progress = await oldWave.query(waveProgressQuery);
        const batches = await Promise.all(
          progress.batches.map((b) =>
            oldStack.client.workflow.getHandle(b.workflowId).query(batchProgressQuery),
          ),
        );
        return batches.some((b) => b.phase === 'replicating') ? progress : undefined;
      },
      180_000,
    );
    // Deploy: the old workers stop, the next release's workers take over the same task queues.
    await current.shutdown();
    await workersOn(oldStack, bundles.next);
    await workersOn(newStack, bundles.next);
    const newWave = await startDemoWave(
      newStack.client,
      'upgrade-new',
      settingsOf(newStack),
      newStack.taskQueue,
    );

    const [oldResult, newResult] = (await Promise.all([oldWave.result(), newWave.result()])) as WaveResult[];
    for (const result of [oldResult!, newResult!]) {
      expect(result.counts).toEqual({
        migrated: 20,
        'rolled-back': 0,
        deferred: 0,
        'failed-needs-attention': 0,
      });
      expect(result.batches.map((b) => b.phase)).toEqual(['completed', 'completed']);
    }

    // Runs started before the deployment never took the new step; runs started after it did.
    const oldBatchIds = replicating.batches.map((b) => b.workflowId);
    const newBatchIds = (await newWave.query(waveProgressQuery)).batches.map((b) => b.workflowId);
    const oldHistories = await Promise.all(
      [oldWave.workflowId, ...oldBatchIds].map(async (id) => ({
        workflowId: id,
        history: await historyOf(oldStack, id),
      })),
    );
    const newHistories = await Promise.all(
      [newWave.workflowId, ...newBatchIds].map(async (id) => ({
        workflowId: id,
        history: await historyOf(newStack, id),
      })),
    );
    for (const { workflowId, history } of oldHistories)
      expect(recordedPatches(history), workflowId).not.toContain(openingStepPatch);
    for (const { workflowId, history } of newHistories)
      expect(recordedPatches(history), workflowId).toContain(openingStepPatch);

    // Both replay on the next release; the old wave does not replay on the same change without its guard,
    // and the new wave does not replay on the previous release (a deployment is not rolled back past a patch).
    expect(await replayErrors(bundles.next, oldHistories, oldStack)).toEqual(
      oldHistories.map(() => undefined),
    );
    expect(await replayErrors(bundles.next, newHistories, newStack)).toEqual(
      newHistories.map(() => undefined),
    );
    const [unguarded] = await replayErrors(bundles.unguarded, [oldHistories[0]!], oldStack);
    expect(unguarded).toBeInstanceOf(DeterminismViolationError);
    const [rolledBack] = await replayErrors(inject('workflowBundlePath'), [newHistories[0]!], newStack);
    expect(rolledBack).toBeInstanceOf(DeterminismViolationError);
  });
});
