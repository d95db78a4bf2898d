/** `factory demo`: the main job on embedded defaults — start the stack, migrate the demo wave, summarise. */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import {
  demoBatchSpecs,
  demoDatabaseServices,
  demoDatabases,
  demoScope,
  demoSite,
  demoTarget,
  demoWave,
} from '../domain/demo.ts';
import type { WaveResult } from '../domain/migration.ts';
import { batchProgressQuery, waveProgressQuery } from '../contracts/messages.ts';
import { migrationWave } from '../workflows/wave.ts';
import { waveIdKey } from '../contracts/search-attributes.ts';
import { startEmbeddedStack } from './stack/embedded.ts';
import { TASK_QUEUES } from '../contracts/task-queues.ts';
import { type BatchSettings } from '../contracts/workflow-inputs.ts';
import { waveWorkflowId } from '../contracts/ids.ts';

export const demoBatchSettings: BatchSettings = {
  azureTaskQueue: TASK_QUEUES.azure,
  replicationReportEveryMs: 2000,
  heartbeatTimeoutMs: 30_000,
  initialReplicationTimeoutMs: 72 * 3600_000,
  stallAfterMs: 60_000,
  maxRepairs: 1,
  requireValidationSignOff: false,
  continueAsNewAfterPolls: 500,
};

/** Starts the demo wave on a running stack and returns its workflow id. */
export async function startDemoWave(
  client: Client,
  waveId: string,
  settings: BatchSettings = demoBatchSettings,
  taskQueue: string = TASK_QUEUES.workflows,
) {
  const site = demoSite();
  const wave = demoWave(site, waveId);
  return client.workflow.start(migrationWave, {
    taskQueue,
    workflowId: waveWorkflowId(waveId),
    typedSearchAttributes: [{ key: waveIdKey, value: waveId }],
    args: [
      {
        waveId,
        source: { kind: 'inline', batches: demoBatchSpecs(demoScope, site, wave) },
        target: demoTarget(demoScope),
        batchSettings: settings,
        maxConcurrentBatches: 2,
        requireApproval: false,
        databases: {
          services: demoDatabaseServices(demoScope),
          settings: {
            azureTaskQueue: settings.azureTaskQueue,
            reportEveryMs: settings.replicationReportEveryMs,
            heartbeatTimeoutMs: settings.heartbeatTimeoutMs,
            continueAsNewAfterPolls: settings.continueAsNewAfterPolls,
          },
          items: demoDatabases(demoScope).map((db) => ({
            spec: db.spec,
            batchId: wave.batches[db.batchIndex]?.batchId ?? '',
          })),
        },
      },
    ],
  });
}

/** One line per change of any batch's phase or replication decile, so it reads well in a log or a terminal. */
export async function followWave(client: Client, workflowId: string, print: (line: string) => void) {
  const handle = client.workflow.getHandle(workflowId);
  const started = Date.now();
  let last = '';
  const result = handle.result() as Promise<WaveResult>;
  let finished = false;
  void result.finally(() => (finished = true)).catch(() => {});
  while (!finished) {
    try {
      const wave = await handle.query(waveProgressQuery);
      const parts = await Promise.all(
        wave.batches.map(async (batch) => {
          if (batch.phase !== 'replicating') return `${batch.batchId}: ${batch.phase}`;
          const progress = await client.workflow.getHandle(batch.workflowId).query(batchProgressQuery);
          const percent =
            progress.vms.reduce((s, vm) => s + vm.initialReplicationPercent, 0) / progress.vms.length;
          return `${batch.batchId}: replicating ${Math.floor(percent / 10) * 10}%`;
        }),
      );
      const line = parts.join(' | ');
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
  print('Starting the embedded stack (Temporal dev server, Azure simulator, workers) ...');
  const stack = await startEmbeddedStack({
    temporalPort: 7233,
    uiPort: 8233,
    simulatorPort: 8443,
    persist: true,
    speed: options.speed,
    log: print,
  });
  try {
    print(`  Temporal    ${stack.temporal.address}  (Web UI ${stack.temporal.uiUrl})`);
    print(`  Simulator   ${stack.simulator.endpoint}  (CA ${stack.simulator.caCertPath})`);
    const connection = await Connection.connect({ address: stack.temporal.address });
    try {
      const client = new Client({ connection });
      const waveId = `demo-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15).replace('T', '-')}`;
      const handle = await startDemoWave(client, waveId);
      print(`Wave ${waveId}: 20 VMs in 2 batches (workflow ${handle.workflowId})`);
      const result = await followWave(client, handle.workflowId, (line) => print(`  ${line}`));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      print('');
      const { counts } = result;
      print(
        `Summary: ${counts.migrated} VMs migrated, ${counts['failed-needs-attention']} failed, ${counts['rolled-back']} rolled back, ${counts.deferred} deferred; ${seconds} s elapsed.`,
      );
      const dbs = result.databaseCounts;
      print(
        `         ${dbs.migrated} databases migrated, ${dbs['failed-needs-attention']} failed, ${dbs['rolled-back']} rolled back.`,
      );
      for (const batch of result.batches) {
        const failed = batch.vms.filter((vm) => vm.outcome !== 'migrated');
        print(`  ${batch.batchId}: ${batch.phase}${failed.length ? ` — ${failed[0]?.reason ?? ''}` : ''}`);
      }
      print(
        `Temporal Web UI: ${stack.temporal.uiUrl}/namespaces/default/workflows/${handle.workflowId} (history is kept in .data; \`npm run stack\` serves it again)`,
      );
      return result;
    } finally {
      await connection.close();
    }
  } finally {
    await stack.stop();
  }
}
