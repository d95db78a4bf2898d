/**
 * The demo's road (`npm start`): the embedded stack with its issuer and factory server, and the demo's wave
 * run only through the server's HTTP API by the local users, signed in through the real device-code flow.
 * The wave runs to the end; its audit shows who did what as the server verified them (Oscar started it,
 * April approved it); the wave was started with the stack's stamp key, so its workflows checked every
 * action's signed stamp; and with no notification channel configured it started no notification workflow.
 * Its own stack (Temporal dev server, simulator, Azurite) on free ports: the demo plan's wave ids are used
 * by other files on the shared server.
 */
import { connectTemporal } from '../../cli/operate/connection.ts';
import { decodeHistoryPayloads } from '../../workers/payload-codec.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factoryApi, planDemoWorkspace, runDemoWave, type DemoWaveOutcome } from '../../cli/demo.ts';
import { startEmbeddedStack, type EmbeddedStack } from '../../cli/stack/embedded.ts';
import { deviceCodeToken } from '../../cli/stack/oidc-issuer.ts';
import { freePort } from '../../cli/stack/ports.ts';
import { seedSimulatorFromWorkspace } from '../../cli/stack/seed-workspace.ts';
import { waveWorkflowId } from '../../contracts/ids.ts';
import type { WaveWorkflowInput } from '../../contracts/workflow-inputs.ts';
import { loadWorkspaceArtifacts } from '../../workspace/artifact-store.ts';

const WAVE = 'wave-01';

describe('the demo road: people act through the stack’s factory server', () => {
  let stack: EmbeddedStack;
  let workspace: string;
  let outcome: DemoWaveOutcome;
  const lines: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-demo-road-'));
    workspace = await planDemoWorkspace(dir);
    stack = await startEmbeddedStack({
      temporalPort: await freePort(),
      simulatorPort: await freePort(),
      azuritePort: await freePort(),
      serverPort: await freePort(),
      issuerPort: await freePort(),
      workspace,
      dataDir: join(dir, 'data'),
      persist: false,
      speed: 5000,
    });
    await seedSimulatorFromWorkspace(stack.admin, workspace, { maxDiskUsedGiB: 64 });
    const { controlPlane } = stack;
    outcome = await runDemoWave({
      server: { url: controlPlane.url, issuer: controlPlane.issuer, password: controlPlane.password },
      waveId: WAVE,
      workspace,
      print: (line) => lines.push(line),
    });
  }, 600_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('migrates the wave, started by Oscar and approved by April as the server verified them', async () => {
    const { plan } = await loadWorkspaceArtifacts(workspace);
    const wave = plan.waves.find((w) => w.id === WAVE)!;
    const plannedVms = wave.batches.flatMap((b) => b.bootGroups.flatMap((g) => g.servers)).length;
    expect(outcome.snapshot.status).toBe('COMPLETED');
    expect(outcome.counts).toEqual({
      migrated: plannedVms,
      'rolled-back': 0,
      deferred: 0,
      'failed-needs-attention': 0,
    });
    // Every database of the wave read back through the API (ids with '/' included).
    expect(outcome.databases.map((d) => d.databaseId).sort()).toEqual([...wave.databases].sort());
    const started = outcome.databases.filter((d) => d.phase !== 'not-started');
    expect(started.length).toBeGreaterThan(0);
    expect(outcome.databaseCounts.migrated).toBeGreaterThan(0);
    expect(outcome.databaseCounts['failed-needs-attention']).toBe(0);
    expect(outcome.databaseCounts.migrated + outcome.databaseCounts.deferred).toBe(started.length);

    const accepted = outcome.audit.filter((e) => e.outcome !== 'refused');
    expect(accepted.find((e) => e.action === 'start')?.by).toBe('Oscar Operator');
    const approvals = accepted.filter((e) => e.action === 'approveWave');
    expect(approvals.map((e) => [e.by, e.outcome])).toEqual([['April Approver', 'completed']]);
    expect(outcome.audit.filter((e) => e.outcome === 'refused')).toEqual([]);
    expect(lines.some((l) => l.startsWith('april: approving wave wave-01'))).toBe(true);
  });

  it('started the wave with the stack’s stamp key and without notifications', async () => {
    // Connected as the stack's own processes are: its address and its payload key.
    const temporal = await connectTemporal({}, stack.workerEnv);
    try {
      const handle = temporal.client.workflow.getHandle(waveWorkflowId(WAVE));
      const history = await decodeHistoryPayloads(
        await handle.fetchHistory(),
        temporal.client.options.loadedDataConverter,
      );
      const events = history.events ?? [];
      const payload = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
      const input = JSON.parse(Buffer.from(payload ?? []).toString('utf8')) as WaveWorkflowInput;
      expect(input.trustedStampKeys).toEqual(stack.controlPlane.config.stamp.trustedKeys);
      expect(input.startedBy?.name).toBe('Oscar Operator');
      expect(input.startStamp?.keyId).toBe(stack.controlPlane.config.stamp.keyId);
      // No channel in this environment: the starter turned notifications off and the wave raised none.
      expect(input.notifications).toBe(false);
      const children = events
        .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name)
        .filter(Boolean);
      expect(children.length).toBeGreaterThan(0);
      expect(children).not.toContain('notifyEvent');
    } finally {
      await temporal.close();
    }
  });

  it('answers a token of its issuer and refuses a request without one', async () => {
    const { controlPlane } = stack;
    const token = await deviceCodeToken(controlPlane.issuer, 'viola', controlPlane.password);
    const waves = await factoryApi(controlPlane.url, token).get<{ waves: { waveId: string }[] }>(
      '/api/waves',
    );
    expect(waves.waves.map((w) => w.waveId)).toContain(WAVE);
    const anonymous = await fetch(`${controlPlane.url}/api/waves`);
    expect(anonymous.status).toBe(401);
  });
});
