/** `factory stack`: the embedded stack in the foreground until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { TASK_QUEUES } from '../../contracts/task-queues.ts';
import { startEmbeddedStack, type TemporalEngine } from './embedded.ts';
import { seedSimulatorFromWorkspace } from './seed-workspace.ts';

export interface RunStackOptions {
  engine: TemporalEngine;
  speed: number;
  temporalPort: number;
  uiPort: number;
  simulatorPort: number;
  azuritePort: number;
  dataDir: string;
  /** Also seed the simulator with this workspace's planned VMs, so its waves can start. */
  workspace?: string;
  print: (line: string) => void;
}

export async function runStack(options: RunStackOptions) {
  const { print } = options;
  const stack = await startEmbeddedStack({
    engine: options.engine,
    temporalPort: options.temporalPort,
    uiPort: options.uiPort,
    simulatorPort: options.simulatorPort,
    azuritePort: options.azuritePort,
    dataDir: resolve(options.dataDir),
    persist: true,
    speed: options.speed,
    log: print,
  });
  if (options.workspace) {
    try {
      const seeded = await seedSimulatorFromWorkspace(stack.admin, resolve(options.workspace));
      print(
        `Seeded the simulator with ${seeded.vms} VMs of ${seeded.vcenters.join(', ')} and ${seeded.databases} databases from ${options.workspace}`,
      );
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }
  const { cluster } = stack.temporal;
  if (cluster) {
    print(
      `Temporal cluster   ${cluster.address} (${cluster.binaries.version}: frontend, history, matching, worker on PostgreSQL ${cluster.postgres.host}:${cluster.postgres.port}; mutual TLS)`,
    );
    print(`  connect with     TEMPORAL_CONFIG_FILE=${cluster.configFile} TEMPORAL_PROFILE=cluster`);
    print(`Temporal Web UI    ${stack.temporal.uiUrl} (read-only)`);
    print(`  service logs     ${resolve(cluster.services.frontend.logFile, '..')}`);
  } else {
    print(`Temporal frontend  ${stack.temporal.address}`);
    print(`Temporal Web UI    ${stack.temporal.uiUrl}`);
  }
  print(
    `Azure simulator    ${stack.simulator.endpoint}  (trust with NODE_EXTRA_CA_CERTS=${stack.simulator.caCertPath})`,
  );
  print(`Artifact store     ${stack.azurite.blobEndpoint} (Azurite)`);
  print(`Workers            task queues ${TASK_QUEUES.workflows}, ${TASK_QUEUES.azure} (profile simulator)`);
  print(
    `Start waves with   ${cluster ? `TEMPORAL_CONFIG_FILE=${cluster.configFile} TEMPORAL_PROFILE=cluster ` : ''}FACTORY_PROFILE=simulator npx factory wave start <waveId> --reason "…"`,
  );
  print('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  print('Stopping ...');
  await stack.stop();
}
