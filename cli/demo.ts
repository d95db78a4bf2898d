/**
 * `factory demo`: the main job on embedded defaults. It starts the embedded stack, then does what an
 * operator does — generate a small Contoso estate's exports, import, assess and plan them, and start the
 * plan's first wave with `prepareWave` (the road `factory wave start` takes, on the simulator profile) —
 * answers the wave's gate as the demo's operator, follows the wave and summarises it.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { approveWaveUpdate, batchProgressQuery, waveProgressQuery } from '../contracts/messages.ts';
import type { WaveResult } from '../domain/migration.ts';
import { runAssess } from './assess/assess-command.ts';
import { runGenerate } from './assess/generate-command.ts';
import { runImport } from './assess/import-command.ts';
import { prepareWave, startWaveWorkflow } from './operate/wave-start.ts';
import { runPlan } from './plan/plan-command.ts';
import { defaultDataDir, startEmbeddedStack } from './stack/embedded.ts';
import { seedSimulatorFromWorkspace } from './stack/seed-workspace.ts';
import { loadPayloadCodec } from '../workers/codec-keys.ts';
import { factoryDataConverter } from '../workers/payload-codec.ts';

export const demoOperator = { by: 'demo@contoso.com', reason: 'npm start: the demo wave', ticket: 'DEMO-1' };

/** The demo's estate: 30 VMs of a generated Contoso, whose first wave has 10 VMs in 5 batches and databases. */
const demoEstate = { vms: 30, seed: 7, asOf: '2026-01-15', planStart: '2026-02-02' };

/** Generates the demo estate's exports and imports, assesses and plans them, as `factory` would. */
export async function planDemoWorkspace(dir: string): Promise<string> {
  const inputs = join(dir, 'exports');
  const workspace = join(dir, 'workspace');
  await runGenerate({ vms: demoEstate.vms, seed: demoEstate.seed, out: inputs, print: () => undefined });
  const imported = await runImport({ paths: [inputs], workspace, print: () => undefined });
  if (!imported.ok) throw new Error(`demo import failed: ${imported.errors[0]?.rule ?? 'unknown error'}`);
  await runAssess({ workspace, asOf: demoEstate.asOf, print: () => undefined });
  await runPlan({ workspace, start: demoEstate.planStart, print: () => undefined });
  return workspace;
}

/**
 * One line per change of any batch's phase or replication decile, so it reads well in a log or a
 * terminal. A wave whose gate refuses is approved with waivers by `approveAs` when given (the demo's
 * operator accepts what the assessment flagged), as a person would with `factory wave approve --waive`.
 */
export async function followWave(
  client: Client,
  workflowId: string,
  print: (line: string) => void,
  approveAs?: { by: string; reason: string; ticket?: string },
) {
  const handle = client.workflow.getHandle(workflowId);
  const started = Date.now();
  let last = '';
  let approved = false;
  const result = handle.result() as Promise<WaveResult>;
  let finished = false;
  void result.finally(() => (finished = true)).catch(() => {});
  while (!finished) {
    try {
      const wave = await handle.query(waveProgressQuery);
      if (wave.phase === 'gate-refused' && wave.gate && approveAs && !approved) {
        approved = true;
        print(
          `Gate refused: ${wave.gate.notReady.length} VM(s) not Ready (${wave.gate.notReady.map((s) => s.server).join(', ')}); approving with waivers as ${approveAs.by}`,
        );
        await handle.executeUpdate(approveWaveUpdate, {
          args: [
            {
              ...approveAs,
              waivers: wave.gate.notReady.map((s) => ({
                server: s.server,
                reason: `demo: migrated although ${s.readiness} (${s.reasons[0] ?? 'no reason given'})`,
              })),
              acceptCapacityViolations: wave.gate.capacity.length > 0,
            },
          ],
        });
      }
      const parts = await Promise.all(
        wave.batches.map(async (batch) => {
          if (batch.phase !== 'replicating') return `${batch.batchId}: ${batch.phase}`;
          const progress = await client.workflow.getHandle(batch.workflowId).query(batchProgressQuery);
          const percent =
            progress.vms.reduce((s, vm) => s + vm.initialReplicationPercent, 0) / progress.vms.length;
          return `${batch.batchId}: replicating ${Math.floor(percent / 10) * 10}%`;
        }),
      );
      const line = parts.length > 0 ? parts.join(' | ') : wave.phase;
      if (line !== last) print(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
      last = line;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    await Promise.race([result.catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
  }
  return result;
}

export async function runDemo(options: { speed: number; print: (line: string) => void }) {
  const { print } = options;
  const started = Date.now();
  // Every demo starts from scratch in its own folder; `npm run stack` keeps using .data.
  const dataDir = join(defaultDataDir, 'demo');
  rmSync(dataDir, { recursive: true, force: true });
  print('Starting the embedded stack (Temporal dev server, Azurite, Azure simulator, workers) ...');
  const stack = await startEmbeddedStack({
    temporalPort: 7233,
    uiPort: 8233,
    simulatorPort: 8443,
    azuritePort: 10000,
    dataDir,
    persist: true,
    speed: options.speed,
    log: print,
  });
  try {
    print(`  Temporal    ${stack.temporal.address}  (Web UI ${stack.temporal.uiUrl})`);
    print(`  Simulator   ${stack.simulator.endpoint}  (CA ${stack.simulator.caCertPath})`);
    print(`  Artifacts   ${stack.azurite.blobEndpoint} (Azurite)`);
    print(`Planning a ${demoEstate.vms}-VM Contoso estate: generate exports, import, assess, plan ...`);
    const workspace = await planDemoWorkspace(dataDir);
    const seeded = await seedSimulatorFromWorkspace(stack.admin, workspace, { maxDiskUsedGiB: 64 });
    print(
      `  workspace ${workspace}; simulator seeded with ${seeded.vms} VMs and ${seeded.databases} databases`,
    );
    const connection = await Connection.connect({ address: stack.temporal.address });
    try {
      const client = new Client({
        connection,
        dataConverter: factoryDataConverter(await loadPayloadCodec(stack.workerConfig.codec)),
      });
      const prepared = await prepareWave({
        workspace,
        waveId: 'wave-01',
        profile: 'simulator',
        env: { FACTORY_ARTIFACTS_CONNECTION_STRING: stack.azurite.connectionString },
        // The plan's windows are weeks apart on the calendar: the demo cuts over once validated.
        run: {
          maxConcurrentBatches: 5,
          requireApproval: false,
          requireValidationSignOff: false,
          cutover: 'when-ready',
        },
      });
      const handle = await startWaveWorkflow(client, prepared.input, demoOperator, prepared.taskQueue);
      print(
        `Wave wave-01: ${prepared.vmCount} VMs in ${prepared.batchCount} batches, ${prepared.databaseCount} databases (workflow ${handle.workflowId})`,
      );
      const result = await followWave(client, handle.workflowId, (line) => print(`  ${line}`), demoOperator);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      print('');
      const { counts } = result;
      print(
        `Summary: ${counts.migrated} VMs migrated, ${counts['failed-needs-attention']} failed, ${counts['rolled-back']} rolled back, ${counts.deferred} deferred; ${seconds} s elapsed.`,
      );
      const dbs = result.databaseCounts;
      print(
        `         ${dbs.migrated} databases migrated, ${dbs['failed-needs-attention']} failed, ${dbs['rolled-back']} rolled back, ${dbs.deferred} deferred.`,
      );
      for (const batch of result.batches) {
        const failed = batch.vms.filter((vm) => vm.outcome !== 'migrated');
        print(`  ${batch.batchId}: ${batch.phase}${failed.length ? ` — ${failed[0]?.reason ?? ''}` : ''}`);
      }
      for (const db of result.databases.filter((d) => d.outcome !== 'migrated'))
        print(`  database ${db.databaseId}: ${db.outcome}${db.reason ? ` — ${db.reason}` : ''}`);
      print(
        `Temporal Web UI: ${stack.temporal.uiUrl}/namespaces/default/workflows/${handle.workflowId} (history is kept in ${dataDir}; \`npm run stack -- --data-dir ${dataDir}\` serves it again)`,
      );
      return result;
    } finally {
      await connection.close();
    }
  } finally {
    await stack.stop();
  }
}
