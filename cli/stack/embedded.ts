/**
 * The embedded stack: Temporal dev server + Azurite (the artifact store) + Azure simulator + the factory's
 * workers on the simulator profile, all on this machine. Used by `npm start` (demo) and `npm run stack`.
 */
import { join } from 'node:path';
import { demoScope } from '../../domain/demo.ts';
import { SimulatorAdmin } from '../../simulators/admin-client.ts';
import { startSimulator, type RunningSimulator } from '../../simulators/index.ts';
import { loadWorkerConfig, notificationEnv, type WorkerConfig } from '../../workers/config.ts';
import { startWorkers, type RunningWorkers } from '../../workers/run.ts';
import { startAzurite, type RunningAzurite } from './azurite.ts';
import { seedDemoSecrets } from '../../simulators/demo-secrets.ts';
import { startDevServer, type RunningDevServer } from './dev-server.ts';
import { assertPortsFree } from './ports.ts';
import { projectRoot } from './temporal-cli.ts';

export interface EmbeddedStackOptions {
  temporalPort: number;
  uiPort?: number;
  simulatorPort: number;
  azuritePort: number;
  dataDir?: string;
  /** Keep Temporal (SQLite) and simulator state across restarts. */
  persist: boolean;
  /** Simulated seconds per real second. */
  speed: number;
  log?: (line: string) => void;
}

export interface EmbeddedStack {
  temporal: RunningDevServer;
  simulator: RunningSimulator;
  admin: SimulatorAdmin;
  azurite: RunningAzurite;
  workers: RunningWorkers;
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
  ]);

  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse())
      await stopOne().catch((error: unknown) => log(`stop: ${String(error)}`));
    stoppers.length = 0;
  };
  try {
    const temporal = await startDevServer({
      port: options.temporalPort,
      uiPort: options.uiPort,
      dbFile: options.persist ? join(dataDir, 'temporal', 'dev.sqlite') : undefined,
      log,
    });
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

    const workerEnv: Record<string, string> = {
      FACTORY_PROFILE: 'simulator',
      FACTORY_ARTIFACTS_CONNECTION_STRING: azurite.connectionString,
      TEMPORAL_ADDRESS: temporal.address,
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
      // Notification channels the operator set (docs/notifications.md); none by default.
      ...notificationEnv(process.env),
    };
    const workerConfig = loadWorkerConfig(workerEnv);
    const workers = await startWorkers(workerConfig, { quiet: true });
    stoppers.push(() => workers.shutdown());

    return { temporal, simulator, admin, azurite, workers, workerConfig, workerEnv, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
