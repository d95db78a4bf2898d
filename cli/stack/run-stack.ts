/** `factory stack`: the embedded stack in the foreground until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { TASK_QUEUES } from '../../contracts/task-queues.ts';
import { startEmbeddedStack, type TemporalEngine } from './embedded.ts';
import { localGroups, type SeededUser } from './oidc-issuer.ts';
import { seedSimulatorFromWorkspace } from './seed-workspace.ts';

export interface RunStackOptions {
  engine: TemporalEngine;
  speed: number;
  temporalPort: number;
  uiPort: number;
  simulatorPort: number;
  azuritePort: number;
  serverPort: number;
  issuerPort: number;
  dataDir: string;
  /** Seed the simulator with this workspace's planned VMs, and let the server start its waves. */
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
    serverPort: options.serverPort,
    issuerPort: options.issuerPort,
    ...(options.workspace ? { workspace: resolve(options.workspace) } : {}),
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
  const { controlPlane } = stack;
  print(`Factory server     ${controlPlane.url}  (API /api, OpenAPI /api/openapi.json)`);
  print(`Dashboard          ${controlPlane.url}/dashboard  (sign in as a local user below)`);
  print(`OIDC issuer        ${controlPlane.issuer.issuer}  (client ${controlPlane.issuer.clientId})`);
  print(`Local users        password '${controlPlane.password}' (this machine only):`);
  for (const line of localUserLines(controlPlane.issuer.users)) print(`  ${line}`);
  print(
    controlPlane.config.workspace
      ? `Start a wave       npx factory login ${controlPlane.url}  (as oscar), then npx factory wave start <waveId> --reason "…"`
      : 'Start a wave       the server starts waves of a workspace: run the stack with --workspace <dir>',
  );
  print('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  print('Stopping ...');
  await stack.stop();
}

/** One line per local user: name, full name and role, as the server maps their groups. */
export function localUserLines(users: SeededUser[]): string[] {
  const roleOf = (group: string) => Object.entries(localGroups).find(([, id]) => id === group)?.[0] ?? group;
  return users.map(
    (user) => `${user.username.padEnd(6)} ${user.name.padEnd(16)} ${user.groups.map(roleOf).join(', ')}`,
  );
}
