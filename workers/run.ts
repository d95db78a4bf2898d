/** Runs the factory's workers: workflows on one task queue, rate-limited Azure activities on another. */
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { DestinationStream, Logger } from 'pino';
import { createDataMigrationActivities } from '../activities/data-migration.ts';
import { createSiteRecoveryActivities } from '../activities/site-recovery.ts';
import { createSourcePlatformActivities } from '../activities/source-platform.ts';
import { createValidationActivities } from '../activities/validation.ts';
import { ArtifactCache, createPlanActivities } from '../activities/plan.ts';
import { createPreflightActivities } from '../activities/preflight.ts';
import { artifactStoreLedger, createNotifyActivities } from '../activities/notify.ts';
import { readFileSync } from 'node:fs';
import {
  createArmServiceClient,
  createCredential,
  createDataMigrationClient,
  siteRecoveryDeps,
  preflightDeps,
  workerArmBudget,
} from './azure.ts';
import { bundleWorkflows } from './bundle.ts';
import { resolveWorkerSecrets } from './worker-secrets.ts';
import type { WorkerConfig } from './config.ts';
import {
  describeTemporalConnection,
  tlsFailureHint,
  type TemporalConnectionSettings,
} from './temporal-connection.ts';
import { ArtifactStore } from '../workspace/artifact-store.ts';
import { startWorkerTelemetry } from './telemetry.ts';
import { loadPayloadCodec } from './codec-keys.ts';
import { factoryDataConverter } from './payload-codec.ts';

const artifactStore = (config: WorkerConfig) =>
  ArtifactStore.fromSettings({
    ...(config.FACTORY_ARTIFACTS_CONNECTION_STRING
      ? { connectionString: config.FACTORY_ARTIFACTS_CONNECTION_STRING }
      : {}),
    ...(config.FACTORY_ARTIFACTS_URL ? { containerUrl: config.FACTORY_ARTIFACTS_URL } : {}),
    ...(config.FACTORY_ARTIFACTS_CONTAINER ? { container: config.FACTORY_ARTIFACTS_CONTAINER } : {}),
  });

export interface RunningWorkers {
  /** Resolves when both workers have stopped; rejects if either failed. */
  done: Promise<void>;
  /** The worker's Prometheus endpoint, when FACTORY_METRICS_PORT is set. */
  metricsUrl?: string;
  /** The process's JSON logger (the one the SDK Runtime logs through). */
  logger: Logger;
  shutdown(): Promise<void>;
}

export async function startWorkers(
  config: WorkerConfig,
  options: {
    workflowBundle?: WorkflowBundleOption;
    /** Errors only in the log (tests, the embedded stack). */
    quiet?: boolean;
    /** Where the JSON log lines go when this call installs the SDK Runtime (standard output by default). */
    logDestination?: DestinationStream;
    /** Start-up warnings (certificates accepted unverified); the JSON log by default. */
    log?: (line: string) => void;
  } = {},
): Promise<RunningWorkers> {
  // Before any connection: the SDK Runtime is installed once, with the factory's logger and exporter.
  const telemetry = await startWorkerTelemetry(config, options);
  const credential = createCredential(config);
  const started = async () => {
    // Keys first: a missing or short key stops the worker before it polls a single task.
    const dataConverter = factoryDataConverter(await loadPayloadCodec(config.codec, { credential }));
    // Before anything connects: a missing or empty secret stops the start, naming its reference.
    const secrets = await resolveWorkerSecrets(config, credential);
    const connection = await connectWorker(config.temporal);
    return { dataConverter, secrets, connection };
  };
  const { dataConverter, secrets, connection } = await started().catch(async (error: unknown) => {
    await telemetry.close();
    throw error;
  });
  const workflowBundle = options.workflowBundle ?? (await bundleWorkflows());
  const log = options.log ?? ((line: string) => telemetry.logger.warn(line));
  for (const server of secrets.trustedWithoutVerification)
    log(
      `database server ${server}: trustServerCertificate is on (${config.secrets.databaseServers?.configuredBy ?? 'FACTORY_DATABASE_SERVERS'}); its certificate is accepted without verification`,
    );
  const budget = workerArmBudget(config, telemetry.metrics);
  const activities = {
    ...createSiteRecoveryActivities(siteRecoveryDeps(config, credential, budget)),
    ...createSourcePlatformActivities({
      baseUrl: config.VCENTER_URL,
      username: config.VCENTER_USERNAME,
      password: secrets.vcenterPassword,
      ca: config.VCENTER_CA_CERT ? readFileSync(config.VCENTER_CA_CERT, 'utf8') : undefined,
    }),
    ...createDataMigrationActivities({
      armClient: createArmServiceClient(config, credential, budget),
      armEndpoint: config.AZURE_RESOURCE_MANAGER_ENDPOINT,
      dms: createDataMigrationClient(config, credential, budget),
      connections: secrets.connections,
      pollIntervalMs: config.AZURE_LRO_POLL_MS,
    }),
    ...createPreflightActivities({
      ...preflightDeps(config, credential, budget),
      artifacts: new ArtifactCache(artifactStore(config)),
    }),
  };

  // Non-ARM activities (validation probes, plan loading) share the workflow task queue: no ARM budget to protect.
  const workflowWorker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.FACTORY_TASK_QUEUE,
    workflowBundle,
    dataConverter,
    activities: {
      ...createValidationActivities({ timeoutMs: config.VALIDATION_TIMEOUT_MS }),
      ...createPlanActivities({ artifacts: artifactStore(config) }),
      ...createNotifyActivities({
        settings: secrets.notifications,
        ledger: artifactStoreLedger(artifactStore(config)),
      }),
    },
  });
  const azureWorker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.FACTORY_AZURE_TASK_QUEUE,
    dataConverter,
    activities,
    // The ARM write bucket refills at 10/s per principal: cap activity starts across all workers on the queue.
    maxTaskQueueActivitiesPerSecond: config.AZURE_ACTIVITIES_PER_SECOND,
    maxConcurrentActivityTaskExecutions: config.AZURE_MAX_CONCURRENT_ACTIVITIES,
  });

  const done = Promise.all([workflowWorker.run(), azureWorker.run()]).then(
    async () => {
      await connection.close();
      await telemetry.close();
    },
    async (error: unknown) => {
      await connection.close();
      await telemetry.close();
      throw error;
    },
  );
  return {
    done,
    ...(telemetry.metricsUrl ? { metricsUrl: telemetry.metricsUrl } : {}),
    logger: telemetry.logger,
    async shutdown() {
      for (const worker of [workflowWorker, azureWorker]) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
      await done;
    },
  };
}

/** Connects with everything the shared resolver found (TLS, API key, metadata), failing with where it tried. */
async function connectWorker(settings: TemporalConnectionSettings): Promise<NativeConnection> {
  const { address, tls, apiKey, metadata } = settings;
  try {
    return await NativeConnection.connect({
      address,
      ...(tls === undefined ? {} : { tls }),
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(metadata === undefined ? {} : { metadata }),
    });
  } catch (error) {
    throw new Error(
      `cannot reach Temporal at ${describeTemporalConnection(settings)}: ${error instanceof Error ? error.message : String(error)}.\n` +
        (tlsFailureHint(error, settings) ??
          'Check TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the TEMPORAL_TLS_* / TEMPORAL_API_KEY settings (or the Temporal config file profile).'),
      { cause: error },
    );
  }
}
