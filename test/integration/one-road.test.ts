/**
 * The operator's road, end to end: a planned workspace, `factory wave start` as a child process, workers
 * that reach plans only through the artifact store (Azurite), and the simulator seeded from the same
 * workspace. The wave migrates its VMs and its databases on the artifacts it was pinned to, while the
 * workspace is re-planned under it; refusals happen before anything starts; a changed or missing artifact
 * fails the wave at once with what to do.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlanActivities } from '../../activities/plan.ts';
import { planDemoWorkspace } from '../../cli/demo.ts';
import { ErrorType } from '../../contracts/errors.ts';
import { waveProgressQuery } from '../../contracts/messages.ts';
import type { WaveWorkflowInput } from '../../contracts/workflow-inputs.ts';
import type { WaveResult } from '../../domain/migration.ts';
import { ArtifactStore, loadWorkspaceArtifacts } from '../../workspace/artifact-store.ts';
import { contentSha256 } from '../../workspace/plan-files.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import { decodeHistoryPayloads } from '../../workers/payload-codec.ts';
import {
  cliEnv,
  runCli,
  seedWorkspace,
  startHarness,
  startInProcessWorkers,
  waitFor,
  type Harness,
} from './harness.ts';

// cli.test.ts runs wave-01 of the same generated estate on the same Temporal server: this file uses
// wave-02 and wave-03, so the two never share a workflow id whatever order the files run in.
describe('one road: factory wave start → artifacts → workers (real Temporal, Azurite, simulator)', () => {
  let harness: Harness;
  let workers: RunningWorkers;
  let workspace: string;
  let env: Record<string, string>;
  let container: ContainerClient;
  const act = ['--reason', 'one-road test', '--ticket', 'CHG-7'];
  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    runCli(args, { cwd: workspace, env: { ...env, ...extraEnv } });

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'mf-one-road-'));
    workspace = await planDemoWorkspace(root);
    harness = await startHarness('one-road', { speed: 5000 });
    env = { ...cliEnv(harness), FACTORY_OPERATOR: 'alice@contoso.com' };
    await seedWorkspace(harness, workspace);
    workers = await startInProcessWorkers(harness);
    container = BlobServiceClient.fromConnectionString(
      harness.workerEnv.FACTORY_ARTIFACTS_CONNECTION_STRING!,
    ).getContainerClient(harness.workerEnv.FACTORY_ARTIFACTS_CONTAINER!);
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  it('refuses the azure profile with settings missing (exit 2), naming each, and starts nothing', async () => {
    const run = await cli(['wave', 'start', 'wave-02', '--profile', 'azure', ...act], {
      AZURE_SUBSCRIPTION_ID: '0b7c1e2a-3d4f-4a5b-8c9d-112233445566',
    });
    expect(run.code, run.stderr).toBe(2);
    for (const missing of [
      'resourceGroup: required for the azure profile (set --resource-group or $AZURE_RESOURCE_GROUP)',
      'targetResourceGroupId: required',
      'targetNetworkId: required',
      'targetSubnet: required',
      'testNetworkId: required',
      'cacheStorageAccountId: required',
      'sqlMigrationServiceId: required',
      'nothing was started',
    ])
      expect(run.stderr).toContain(missing);
    expect(run.stderr).not.toContain('subscriptionId:');
    const started = await harness.client.workflow
      .getHandle('wave-wave-02')
      .describe()
      .then(
        () => true,
        () => false,
      );
    expect(started).toBe(false);
  });

  it('refuses a hand-edited plan with one VM in two batches (exit 4)', async () => {
    const edited = mkdtempSync(join(tmpdir(), 'mf-one-road-edited-'));
    cpSync(workspace, edited, { recursive: true });
    const plan = JSON.parse(readFileSync(join(edited, 'plan.json'), 'utf8')) as {
      waves: { batches: { bootGroups: { servers: string[] }[] }[] }[];
    };
    const [first, second] = plan.waves[0]!.batches;
    second!.bootGroups[0]!.servers.push(first!.bootGroups[0]!.servers[0]!);
    writeFileSync(join(edited, 'plan.json'), JSON.stringify(plan));
    const run = await cli(['wave', 'start', 'wave-02', '-w', edited, '--profile', 'simulator', ...act]);
    expect(run.code, run.stdout + run.stderr).toBe(4);
    expect(run.stderr).toContain('The plan is not valid; wave wave-02 was not started.');
    expect(run.stderr).toContain('[duplicate-server]');
  });

  it('migrates the wave’s VMs and databases on its pinned artifacts while the workspace is re-planned', async () => {
    const before = await loadWorkspaceArtifacts(workspace);
    const wave = before.plan.waves.find((w) => w.id === 'wave-02')!;
    const plannedVms = wave.batches.flatMap((b) => b.bootGroups.flatMap((g) => g.servers)).length;
    expect(wave.databases.length).toBeGreaterThan(0);

    const started = await cli([
      'wave',
      'start',
      'wave-02',
      '--profile',
      'simulator',
      '--no-require-approval',
      '--cutover-when-ready',
      '--max-concurrent-batches',
      '5',
      ...act,
    ]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain(
      `Started wave wave-02: ${plannedVms} VMs in ${wave.batches.length} batch(es), ${wave.databases.length} database(s); profile simulator.`,
    );
    expect(started.stdout).toContain(`pinned: plan ${before.pins.plan.slice(0, 12)}`);

    // Re-planning rewrites plan.json; the running wave keeps the plan it was pinned to.
    const replanned = await cli(['plan', '-w', workspace, '--start', '2026-03-02']);
    expect(replanned.code, replanned.stderr).toBe(0);
    const after = await loadWorkspaceArtifacts(workspace);
    expect(after.pins.plan).not.toBe(before.pins.plan);

    const handle = harness.client.workflow.getHandle('wave-wave-02');
    const gate = await waitFor('the gate', async () => {
      const progress = await handle.query(waveProgressQuery);
      return progress.phase === 'gate-refused' || progress.phase === 'running-batches' ? progress : undefined;
    });
    if (gate.phase === 'gate-refused') {
      const waivers = (gate.gate?.notReady ?? []).flatMap((s) => ['--waive', `${s.server}=pilot wave`]);
      const approved = await cli(['wave', 'approve', 'wave-02', ...waivers, ...act]);
      expect(approved.code, approved.stderr).toBe(0);
    }
    const result = (await handle.result()) as WaveResult;
    expect(result.counts).toEqual({
      migrated: plannedVms,
      'rolled-back': 0,
      deferred: 0,
      'failed-needs-attention': 0,
    });
    expect(result.databases).toHaveLength(wave.databases.length);
    expect(result.databaseCounts['failed-needs-attention']).toBe(0);
    expect(result.databaseCounts.migrated).toBeGreaterThan(0);
    expect(result.databaseCounts.migrated + result.databaseCounts.deferred).toBe(wave.databases.length);

    // The wave's input names artifacts by hash and nothing on the operator's machine.
    const history = await decodeHistoryPayloads(
      await handle.fetchHistory(),
      harness.client.options.loadedDataConverter,
    );
    const input = JSON.parse(
      Buffer.from(
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data ?? [],
      ).toString('utf8'),
    ) as WaveWorkflowInput;
    expect(input.source).toMatchObject({ kind: 'plan', plan: { artifacts: before.pins } });
    expect(JSON.stringify(input)).not.toContain(workspace);
    expect(input.databases?.targets).toBeDefined();
  });

  it('fails a wave whose pinned plan was changed in the store, at once and with what to do', async () => {
    const { pins } = await loadWorkspaceArtifacts(workspace);
    // Published and then overwritten: `wave start` finds the blob there and does not replace it.
    const published = await cli(['artifacts', 'publish', '-w', workspace, '--profile', 'simulator']);
    expect(published.code, published.stderr).toBe(0);
    await container.getBlockBlobClient(`plan/${pins.plan}.json`).uploadData(Buffer.from('{"waves":[]}'));

    const started = await cli([
      'wave',
      'start',
      'wave-03',
      '--profile',
      'simulator',
      '--cutover-when-ready',
      ...act,
    ]);
    expect(started.code, started.stderr).toBe(0);
    const failure = await harness.client.workflow
      .getHandle('wave-wave-03')
      .result()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const cause = (failure as { cause?: { cause?: unknown } } | undefined)?.cause?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(ErrorType.artifactTampered);
    expect((cause as ApplicationFailure).message).toContain(
      `The plan artifact ${pins.plan} in ${container.url} was changed after it was published`,
    );
    expect((cause as ApplicationFailure).message).toContain(
      'factory artifacts publish --workspace <dir> --repair',
    );

    // The operator's repair restores it from the workspace.
    const repaired = await cli([
      'artifacts',
      'publish',
      '-w',
      workspace,
      '--profile',
      'simulator',
      '--repair',
    ]);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toMatch(new RegExp(`plan +${pins.plan} +published`));
    const stored = await container.getBlockBlobClient(`plan/${pins.plan}.json`).downloadToBuffer();
    expect(contentSha256(JSON.parse(stored.toString('utf8')))).toBe(pins.plan);
  });

  it('refuses a missing artifact without retrying, naming the hash and how to publish it', async () => {
    const store = ArtifactStore.fromSettings({
      connectionString: harness.workerEnv.FACTORY_ARTIFACTS_CONNECTION_STRING!,
      container: harness.workerEnv.FACTORY_ARTIFACTS_CONTAINER!,
    });
    const { pins } = await loadWorkspaceArtifacts(workspace);
    const missing = 'a'.repeat(64);
    const activities = createPlanActivities({ artifacts: store });
    const error = await new MockActivityEnvironment()
      .run((input: Parameters<typeof activities.loadBatchSpec>[0]) => activities.loadBatchSpec(input), {
        plan: {
          artifacts: { ...pins, plan: missing },
          scope: { subscriptionId: 's', resourceGroup: 'r', vmwareSites: {} },
        },
        waveId: 'wave-02',
        batchId: 'wave-02-batch-01',
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe(ErrorType.artifactMissing);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as ApplicationFailure).message).toContain(
      `The plan artifact ${missing} is not in the artifact store`,
    );
    expect((error as ApplicationFailure).message).toContain('factory artifacts publish --workspace <dir>');
  });
});
