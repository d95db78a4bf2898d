/**
 * How big a 100-VM batch workflow's history gets: runs one batch of the demo estate scaled to 100 VMs
 * through the whole lifecycle against a private Temporal dev server and simulator, then prints the
 * history's event count, its size and what the events are, against Temporal's limit of 51,200 events or
 * 50 MB per history (https://docs.temporal.io/workflow-execution/limits).
 *   npm run bench:batch-history [-- --vms 100]
 */
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { profileTimings } from '../contracts/wave-settings.ts';
import { startDevServer } from '../cli/stack/dev-server.ts';
import { freePort } from '../cli/stack/ports.ts';
import { demoBatchSpecs, demoScope, demoSite, demoTarget } from '../domain/demo.ts';
import { createSiteRecoveryActivities } from '../activities/site-recovery.ts';
import { SimulatorAdmin } from '../simulators/admin-client.ts';
import { startSimulator } from '../simulators/index.ts';
import { siteRecoveryDeps } from '../workers/azure.ts';
import { loadWorkerConfig } from '../workers/config.ts';
import { startWorkers } from '../workers/run.ts';
import { loadPayloadCodec } from '../workers/codec-keys.ts';
import { factoryDataConverter } from '../workers/payload-codec.ts';
import { migrationBatch } from '../workflows/batch.ts';
import { batchWorkflowId } from '../contracts/ids.ts';

const { temporal } = proto;
const { values } = parseArgs({ options: { vms: { type: 'string', default: '100' } } });
const vmCount = Number(values.vms);
if (!Number.isInteger(vmCount) || vmCount < 5 || vmCount > 100 || vmCount % 5 !== 0) {
  console.error('--vms must be a multiple of 5 between 5 and 100 (one batch, one recovery plan)');
  process.exit(2);
}

const started = Date.now();
const temporalServer = await startDevServer({ port: await freePort() });
const simulator = await startSimulator({
  stateDir: mkdtempSync(join(tmpdir(), 'mf-batch-history-')),
  speed: 6000,
  persist: false,
});
try {
  const site = demoSite(42, vmCount / 5);
  await new SimulatorAdmin(simulator.endpoint, simulator.caCertPem).seed(demoScope, site);
  const env = {
    FACTORY_PROFILE: 'simulator',
    TEMPORAL_ADDRESS: temporalServer.address,
    AZURE_RESOURCE_MANAGER_ENDPOINT: simulator.endpoint,
    AZURE_CA_CERT: simulator.caCertPath,
    AZURE_CREDENTIAL: 'local',
    AZURE_LRO_POLL_MS: '500',
  };
  const config = loadWorkerConfig(env);
  const workers = await startWorkers(config, { quiet: true });
  const connection = await Connection.connect({ address: temporalServer.address });
  const client = new Client({
    connection,
    dataConverter: factoryDataConverter(await loadPayloadCodec(config.codec)),
  });
  const siteRecovery = await createSiteRecoveryActivities(siteRecoveryDeps(config)).discoverReplicationSite();
  const [spec] = demoBatchSpecs(demoScope, site, {
    waveId: 'bench',
    batches: [{ batchId: 'bench-batch', vmNames: site.vms.map((vm) => vm.name) }],
  });
  const handle = await client.workflow.start(migrationBatch, {
    taskQueue: config.FACTORY_TASK_QUEUE,
    workflowId: batchWorkflowId(`bench-${Date.now()}`),
    args: [
      {
        spec: spec!,
        site: siteRecovery,
        target: demoTarget(demoScope),
        settings: {
          ...profileTimings.simulator.batch,
          azureTaskQueue: config.FACTORY_AZURE_TASK_QUEUE,
          requireValidationSignOff: false,
        },
      },
    ],
  });
  const result = await handle.result();
  const history = await handle.fetchHistory();
  const bytes = temporal.api.history.v1.History.encode(history).finish().length;
  const byType = new Map<string, number>();
  for (const event of history.events ?? []) {
    const name = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType);
    byType.set(name, (byType.get(name) ?? 0) + 1);
  }
  const migrated = result.vms.filter((vm) => vm.outcome === 'migrated').length;
  console.log(
    `${vmCount}-VM batch: ${migrated} migrated, ${((Date.now() - started) / 1000).toFixed(1)} s wall time`,
  );
  console.log(
    `history: ${history.events?.length ?? 0} events, ${(bytes / 1024).toFixed(1)} KiB (limits: 51,200 events, 50 MiB)`,
  );
  for (const [type, count] of [...byType].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${String(count).padStart(5)}  ${type.replace('EVENT_TYPE_', '')}`);
  }
  await connection.close();
  await workers.shutdown();
} finally {
  await simulator.close();
  await temporalServer.stop();
}
