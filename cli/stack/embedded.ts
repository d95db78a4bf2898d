/**
 * The embedded stack: Temporal dev server + Azurite (the artifact store) + Azure simulator + the factory's
 * workers on the simulator profile, the local OpenID Connect issuer and the factory server, all on this
 * machine. Used by `npm start` (demo) and `npm run stack`.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoScope } from '../../domain/demo.ts';
import { SimulatorAdmin } from '../../simulators/admin-client.ts';
import { startSimulator, type RunningSimulator } from '../../simulators/index.ts';
import { loadWorkerConfig, notificationEnv, type WorkerConfig } from '../../workers/config.ts';
import { ensureCodecKeyFile } from '../../workers/codec-keys.ts';
import { startWorkers, type RunningWorkers } from '../../workers/run.ts';
import { connectTemporal } from '../operate/connection.ts';
import { startAzurite, type RunningAzurite } from './azurite.ts';
import { startControlPlane, type RunningControlPlane } from './control-plane.ts';
import { startCluster, type RunningCluster } from './cluster.ts';
import { startDevServer } from './dev-server.ts';
import { seedDemoSecrets } from '../../simulators/demo-secrets.ts';
import { assertPortsFree } from './ports.ts';
import { projectRoot } from './temporal-cli.ts';

/** `dev`: `temporal server start-dev` (one process, SQLite); `cluster`: cli/stack/cluster.ts (PostgreSQL, mTLS). */
export const temporalEngines = ['dev', 'cluster'] as const;
export type TemporalEngine = (typeof temporalEngines)[number];

export interface EmbeddedStackOptions {
  engine?: TemporalEngine;
  temporalPort: number;
  uiPort?: number;
  simulatorPort: number;
  azuritePort: number;
  /** The factory server (API and dashboard). */
  serverPort: number;
  /** The local OpenID Connect issuer the server trusts. */
  issuerPort: number;
  /** The workspace the server starts waves from (its plan). */
  workspace?: string;
  dataDir?: string;
  /** Keep Temporal (SQLite) and simulator state across restarts. */
  persist: boolean;
  /** Simulated seconds per real second. */
  speed: number;
  log?: (line: string) => void;
}

export interface StackTemporal {
  address: string;
  uiUrl?: string;
  /** The cluster engine's processes, certificates and client settings. */
  cluster?: RunningCluster;
  /** TEMPORAL_* variables a client connects with (TLS ones for the cluster). */
  clientEnv: Record<string, string>;
  stop(): Promise<void>;
}

export interface EmbeddedStack {
  temporal: StackTemporal;
  simulator: RunningSimulator;
  admin: SimulatorAdmin;
  azurite: RunningAzurite;
  workers: RunningWorkers;
  /** The issuer and the factory server; people act through the server. */
  controlPlane: RunningControlPlane;
  workerConfig: WorkerConfig;
  /** Environment that points a separate worker process (or the CLI) at this stack. */
  workerEnv: Record<string, string>;
  stop(): Promise<void>;
}

export const defaultDataDir = join(projectRoot, '.data');

export async function startEmbeddedStack(options: EmbeddedStackOptions): Promise<EmbeddedStack> {
  const log = options.log ?? (() => {});
  const dataDir = options.dataDir ?? defaultDataDir;
  await assertPortsFree([
    { port: options.temporalPort, service: 'Temporal frontend' },
    ...(options.uiPort ? [{ port: options.uiPort, service: 'Temporal Web UI' }] : []),
    { port: options.simulatorPort, service: 'Azure simulator' },
    { port: options.azuritePort, service: 'Azurite (artifact store)' },
    { port: options.serverPort, service: 'factory server' },
    { port: options.issuerPort, service: 'OpenID Connect issuer' },
  ]);

  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse())
      await stopOne().catch((error: unknown) => log(`stop: ${String(error)}`));
    stoppers.length = 0;
  };
  try {
    const temporal = await startTemporal(options, dataDir, log);
    stoppers.push(() => temporal.stop());

    const simulator = await startSimulator({
      port: options.simulatorPort,
      stateDir: join(dataDir, 'simulator'),
      speed: options.speed,
      persist: options.persist,
    });
    stoppers.push(() => simulator.close());
    const admin = new SimulatorAdmin(simulator.endpoint, simulator.caCertPem);

    const azurite = await startAzurite({
      port: options.azuritePort,
      ...(options.persist ? { location: join(dataDir, 'azurite') } : {}),
      log,
    });
    stoppers.push(() => azurite.stop());

    mkdirSync(dataDir, { recursive: true });
    const codecKeyFile = join(dataDir, 'codec-keys.json');
    ensureCodecKeyFile(codecKeyFile);
    const workerEnv: Record<string, string> = {
      FACTORY_PROFILE: 'simulator',
      FACTORY_ARTIFACTS_CONNECTION_STRING: azurite.connectionString,
      ...temporal.clientEnv,
      // The stack's own payload key: every process it starts, and the CLI pointed at it, encrypts with it.
      FACTORY_CODEC_KEY_FILE: codecKeyFile,
      AZURE_RESOURCE_MANAGER_ENDPOINT: simulator.endpoint,
      AZURE_CA_CERT: simulator.caCertPath,
      AZURE_CREDENTIAL: 'local',
      AZURE_SUBSCRIPTION_ID: demoScope.subscriptionId,
      AZURE_RESOURCE_GROUP: demoScope.resourceGroup,
      AZURE_VAULT_NAME: demoScope.vaultName,
      AZURE_LRO_POLL_MS: '500',
      VCENTER_URL: simulator.endpoint,
      VCENTER_CA_CERT: simulator.caCertPath,
      // References to secrets seeded in the simulator's Key Vault, never the values.
      ...(await seedDemoSecrets(admin)).workerEnv,
      // Notifications link to this stack's server unless the operator names another dashboard.
      FACTORY_DASHBOARD_URL: `http://127.0.0.1:${options.serverPort}/dashboard`,
      // Notification channels the operator set (docs/notifications.md); none by default.
      ...notificationEnv(process.env),
    };
    const workerConfig = loadWorkerConfig(workerEnv);
    const workers = await startWorkers(workerConfig, { quiet: true });
    stoppers.push(() => workers.shutdown());

    // The server's own Temporal client, connected as the workers are: it holds the credentials, people never need them.
    const serverTemporal = await connectTemporal(
      {},
      { ...workerEnv, ...(temporal.uiUrl ? { TEMPORAL_UI_URL: temporal.uiUrl } : {}) },
    );
    stoppers.push(() => serverTemporal.close());
    const controlPlane = await startControlPlane({
      temporal: serverTemporal,
      serverPort: options.serverPort,
      issuerPort: options.issuerPort,
      env: workerEnv,
      ...(options.workspace ? { workspace: options.workspace } : {}),
      // Persisted with Temporal's state: waves started before a restart trust this key.
      ...(options.persist ? { keyDir: join(dataDir, 'server') } : {}),
    });
    stoppers.push(() => controlPlane.close());

    return { temporal, simulator, admin, azurite, workers, controlPlane, workerConfig, workerEnv, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startTemporal(
  options: EmbeddedStackOptions,
  dataDir: string,
  log: (line: string) => void,
): Promise<StackTemporal> {
  if (options.engine === 'cluster') {
    // The cluster always keeps its state (PostgreSQL); without `persist` it lives in a folder of its own.
    const cluster = await startCluster({
      dir: options.persist ? join(dataDir, 'cluster') : mkdtempSync(join(tmpdir(), 'mf-cluster-')),
      frontendPort: options.temporalPort,
      ...(options.uiPort ? { uiPort: options.uiPort } : {}),
      log,
    });
    return {
      address: cluster.address,
      ...(cluster.uiUrl ? { uiUrl: cluster.uiUrl } : {}),
      cluster,
      clientEnv: cluster.clientEnv,
      stop: () => cluster.stop(),
    };
  }
  const devServer = await startDevServer({
    port: options.temporalPort,
    uiPort: options.uiPort,
    dbFile: options.persist ? join(dataDir, 'temporal', 'dev.sqlite') : undefined,
    log,
  });
  return {
    address: devServer.address,
    ...(devServer.uiUrl ? { uiUrl: devServer.uiUrl } : {}),
    clientEnv: { TEMPORAL_ADDRESS: devServer.address },
    stop: () => devServer.stop(),
  };
}
