/** Shared set-up for integration tests: a simulator per file, workers in-process or as killable processes. */
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';
import { createSiteRecoveryActivities } from '../../activities/site-recovery.ts';
import { seedSimulatorFromWorkspace } from '../../cli/stack/seed-workspace.ts';
import { databaseSeed } from '../../cli/stack/seed-databases.ts';
import { seedDemoSecrets } from '../../simulators/demo-secrets.ts';
import { profileTimings } from '../../contracts/wave-settings.ts';
import { TASK_QUEUES } from '../../contracts/task-queues.ts';
import { waveIdKey } from '../../contracts/search-attributes.ts';
import { batchProgressQuery, type BatchProgress, type OperatorAction } from '../../contracts/messages.ts';
import {
  fromBase64Url,
  generateStampKeyPair,
  signStamp,
  type OperatorStamp,
  type TrustedStampKeys,
  type VerifiedIdentity,
} from '../../contracts/operator-stamp.ts';
import { waveWorkflowId } from '../../contracts/ids.ts';
import {
  demoBatchSpecs,
  demoDatabaseServices,
  demoDatabases,
  demoScope,
  demoSite,
  demoTarget,
  demoWave,
} from '../../domain/demo.ts';
import { migrationWave } from '../../workflows/wave.ts';
import { siteRecoveryDeps } from '../../workers/azure.ts';
import { migrationBatch } from '../../workflows/batch.ts';
import { migrationDatabase } from '../../workflows/database.ts';
import {
  protectedItemName,
  type DatabaseMigrationServices,
  type DatabaseSpec,
  type TargetSettings,
} from '../../domain/migration.ts';
import { discoveredMachineId, type SourceSite } from '../../domain/estate.ts';
import { SimulatorAdmin } from '../../simulators/admin-client.ts';
import { startSimulator, type RunningSimulator } from '../../simulators/index.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import { resolveTemporalConnection } from '../../workers/temporal-connection.ts';
import { startWorkers, type RunningWorkers } from '../../workers/run.ts';
import { ensureCodecKeyFile } from '../../workers/codec-keys.ts';
import { AesGcmPayloadCodec, factoryDataConverter } from '../../workers/payload-codec.ts';
import { batchWorkflowId, databaseWorkflowId } from '../../contracts/ids.ts';
import {
  type BatchSettings,
  type BatchWorkflowInput,
  type DatabaseSettings,
  type DatabaseWorkflowInput,
  type WaveWorkflowInput,
} from '../../contracts/workflow-inputs.ts';

export interface Harness {
  simulator: RunningSimulator;
  admin: SimulatorAdmin;
  /** The secrets seeded in the simulator's Key Vault (the workers get references to them). */
  secretValues: string[];
  client: Client;
  /** The data converter of the harness's client and workers: its codec encrypts with the file's own key. */
  dataConverter: DataConverter;
  workerEnv: Record<string, string>;
  taskQueue: string;
  azureTaskQueue: string;
  close(): Promise<void>;
}

/** The demo estate with small disks so initial replication takes seconds at test speeds. */
export function smallDemoSite(): SourceSite {
  const site = demoSite();
  return {
    ...site,
    vms: site.vms.map((vm) => ({
      ...vm,
      disks: vm.disks.map((disk) => ({ ...disk, usedGiB: Math.min(disk.usedGiB, 8) })),
    })),
  };
}

export async function startHarness(
  name: string,
  options: {
    speed: number;
    site?: SourceSite;
    temporalAddress?: string;
    /** TEMPORAL_* client variables of a server of the test's own (a cluster with mutual TLS). */
    temporalEnv?: Record<string, string>;
  },
): Promise<Harness> {
  const temporalEnv =
    options.temporalEnv ??
    (options.temporalAddress ? { TEMPORAL_ADDRESS: options.temporalAddress } : inject('temporalClientEnv'));
  // Connected as the workers and the CLI connect: the same variables, through envconfig.
  const temporalSettings = resolveTemporalConnection(temporalEnv);
  const stateDir = mkdtempSync(join(tmpdir(), `mf-${name}-`));
  // One payload key for the whole run, as one deployment has one: a server in one test file reads the
  // workflows another file started on the shared Temporal.
  const codecKeyFile = inject('codecKeyFile');
  const dataConverter = factoryDataConverter(new AesGcmPayloadCodec(ensureCodecKeyFile(codecKeyFile)));
  const simulator = await startSimulator({
    port: 0,
    stateDir,
    speed: options.speed,
    persist: false,
  });
  const admin = new SimulatorAdmin(simulator.endpoint, simulator.caCertPem);
  await admin.seed(demoScope, options.site ?? smallDemoSite());
  if (!options.site) await admin.seedDatabases(databaseSeed(demoScope, demoDatabases(demoScope)));
  const secrets = await seedDemoSecrets(admin);
  const connection = await Connection.connect({
    address: temporalSettings.address,
    ...(temporalSettings.tls === undefined ? {} : { tls: temporalSettings.tls }),
  });
  const suffix = `${name}-${Date.now()}`;
  const taskQueue = `mf-${suffix}`;
  const azureTaskQueue = `mf-azure-${suffix}`;
  const workerEnv = {
    FACTORY_PROFILE: 'simulator',
    FACTORY_ARTIFACTS_CONNECTION_STRING: inject('artifactsConnectionString'),
    // One container per test file: a file that tampers with an artifact affects no other.
    FACTORY_ARTIFACTS_CONTAINER: `artifacts-${suffix}`
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 63),
    ...temporalEnv,
    FACTORY_TASK_QUEUE: taskQueue,
    FACTORY_AZURE_TASK_QUEUE: azureTaskQueue,
    AZURE_RESOURCE_MANAGER_ENDPOINT: simulator.endpoint,
    AZURE_CA_CERT: simulator.caCertPath,
    AZURE_CREDENTIAL: 'local',
    AZURE_SUBSCRIPTION_ID: demoScope.subscriptionId,
    AZURE_RESOURCE_GROUP: demoScope.resourceGroup,
    AZURE_VAULT_NAME: demoScope.vaultName,
    AZURE_LRO_POLL_MS: '200',
    AZURE_ACTIVITIES_PER_SECOND: '50',
    VCENTER_URL: simulator.endpoint,
    VCENTER_CA_CERT: simulator.caCertPath,
    ...secrets.workerEnv,
    FACTORY_CODEC_KEY_FILE: codecKeyFile,
  };
  return {
    simulator,
    admin,
    secretValues: secrets.values,
    client: new Client({ connection, dataConverter }),
    dataConverter,
    workerEnv,
    taskQueue,
    azureTaskQueue,
    async close() {
      await connection.close();
      await simulator.close();
    },
  };
}

/** The protected item name of a demo VM: Site Recovery items are named after the discovered machine. */
export function protectedItemOf(vmName: string, site: SourceSite = smallDemoSite()): string {
  const vm = site.vms.find((candidate) => candidate.name === vmName);
  if (!vm) throw new Error(`no VM ${vmName} in the demo site`);
  return protectedItemName(discoveredMachineId(demoScope.subscriptionId, demoScope.resourceGroup, site, vm));
}

/** Starts one batch workflow on a subset of the demo VMs, with settings overridden per test. */
export async function startBatch(
  harness: Harness,
  batchId: string,
  vmNames: string[],
  settings: Partial<BatchSettings> = {},
  target: TargetSettings = demoTarget(demoScope),
  extra: Pick<BatchWorkflowInput, 'trustedStampKeys' | 'databases' | 'notifications'> = {},
) {
  const config = loadWorkerConfig(harness.workerEnv);
  const site = await createSiteRecoveryActivities(siteRecoveryDeps(config)).discoverReplicationSite();
  const demo = smallDemoSite();
  const [spec] = demoBatchSpecs(demoScope, demo, { waveId: 'tests', batches: [{ batchId, vmNames }] });
  return harness.client.workflow.start(migrationBatch, {
    taskQueue: harness.taskQueue,
    workflowId: batchWorkflowId(batchId),
    args: [
      {
        spec: spec!,
        site,
        target,
        settings: {
          ...demoBatchSettings,
          azureTaskQueue: harness.azureTaskQueue,
          replicationReportEveryMs: 500,
          ...settings,
        },
        ...extra,
      },
    ],
  });
}

/** The simulator profile's batch timings: what the workflow tests start batches and demo waves with. */
export const demoBatchSettings: BatchSettings = {
  ...profileTimings.simulator.batch,
  azureTaskQueue: TASK_QUEUES.azure,
  requireValidationSignOff: false,
};

/**
 * The hand-made 20-VM demo wave (four applications, two batches, a SQL MI and a MySQL database) with its
 * batches and databases inline: workflow tests exercise the wave, batch and database workflows on it.
 * Clients never start waves this way; they go through `prepareWave` (cli/operate/wave-start.ts).
 */
export async function startDemoWave(
  client: Client,
  waveId: string,
  settings: BatchSettings = demoBatchSettings,
  taskQueue: string = TASK_QUEUES.workflows,
  /**
   * A wave that checks stamps: with `startedBy` its start is signed with the test key, as the factory
   * server signs it; without, it carries keys but no start stamp.
   */
  signed: {
    trustedStampKeys?: TrustedStampKeys;
    startedBy?: VerifiedIdentity;
    requireApproval?: boolean;
  } = {},
) {
  const site = demoSite();
  const wave = demoWave(site, waveId);
  const workflowId = waveWorkflowId(waveId);
  const input: WaveWorkflowInput = {
    waveId,
    source: { kind: 'inline', batches: demoBatchSpecs(demoScope, site, wave) },
    target: demoTarget(demoScope),
    batchSettings: settings,
    maxConcurrentBatches: 2,
    requireApproval: signed.requireApproval ?? false,
    databases: {
      services: demoDatabaseServices(demoScope),
      settings: {
        azureTaskQueue: settings.azureTaskQueue,
        reportEveryMs: settings.replicationReportEveryMs,
        heartbeatTimeoutMs: settings.heartbeatTimeoutMs,
        continueAsNewAfterPolls: settings.continueAsNewAfterPolls,
      },
      // Database workflow ids derive from the database id: unique per wave on the shared server.
      items: demoDatabases(demoScope).map((db) => ({
        spec: { ...db.spec, id: `${waveId}.${db.spec.id}` },
        batchId: wave.batches[db.batchIndex]?.batchId ?? '',
      })),
    },
    ...(signed.trustedStampKeys ? { trustedStampKeys: signed.trustedStampKeys } : {}),
    ...(signed.startedBy ? { startedBy: signed.startedBy } : {}),
  };
  const startStamp = signed.startedBy
    ? testStamp('startWave', workflowId, input, signed.startedBy)
    : undefined;
  return client.workflow.start(migrationWave, {
    taskQueue,
    workflowId,
    typedSearchAttributes: [{ key: waveIdKey, value: waveId }],
    args: [{ ...input, ...(startStamp ? { startStamp } : {}) }],
  });
}

/**
 * The test's stand-in for the factory server's stamp key: workflows started with `trustedTestStampKeys`
 * accept actions signed by `stamped` (a key id the server would rotate; one pair per test process).
 */
export const testStampKeyId = 'test-key-1';
const testStampKeyPair = generateStampKeyPair();
export const trustedTestStampKeys: TrustedStampKeys = { [testStampKeyId]: testStampKeyPair.publicKey };
/** For a factory server under test that signs with the same key the test's waves trust. */
export const testStampPrivateKey = testStampKeyPair.privateKey;

/** Identities as the server would verify them, one per role. */
export const testIdentities = {
  viewer: { subject: 'sub-victor', name: 'victor@contoso.com', roles: ['viewer'] },
  operator: { subject: 'sub-olivia', name: 'olivia@contoso.com', roles: ['operator'] },
  approver: { subject: 'sub-april', name: 'april@contoso.com', roles: ['approver'] },
  lead: { subject: 'sub-leo', name: 'leo@contoso.com', roles: ['lead'] },
  admin: { subject: 'sub-ada', name: 'ada@contoso.com', roles: ['admin'] },
} satisfies Record<string, VerifiedIdentity>;

/** Signs `args` as the factory server would (options let a test forge, back-date or misdirect it). */
export function testStamp(
  update: string,
  workflowId: string,
  args: unknown,
  identity: VerifiedIdentity,
  options: { privateKey?: string; issuedAt?: string } = {},
): OperatorStamp {
  return signStamp({
    privateKey: fromBase64Url(options.privateKey ?? testStampKeyPair.privateKey),
    keyId: testStampKeyId,
    update,
    workflowId,
    args,
    identity,
    issuedAt: options.issuedAt ?? new Date().toISOString(),
  });
}

/** An operator action by `identity` (its name as `by`), with the test key's stamp over it. */
export function stamped<A extends Omit<OperatorAction, 'by' | 'stamp'>>(
  update: string,
  workflowId: string,
  action: A,
  identity: VerifiedIdentity,
  options: { privateKey?: string; issuedAt?: string } = {},
): A & { by: string; stamp: OperatorStamp } {
  const args = { ...action, by: identity.name };
  return { ...args, stamp: testStamp(update, workflowId, args, identity, options) };
}

export const operator = { by: 'alice@contoso.com', reason: 'integration test', ticket: 'CHG-1234' };

export function startInProcessWorkers(harness: Harness): Promise<RunningWorkers> {
  return startWorkers(loadWorkerConfig(harness.workerEnv), {
    workflowBundle: { codePath: inject('workflowBundlePath') },
    quiet: true,
  });
}

/** A worker in its own OS process (node + tsx loader, no wrapper), so a test can SIGKILL it. */
export function spawnWorkerProcess(harness: Harness): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'workers/main.ts')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...harness.workerEnv,
      MIGRATION_FACTORY_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker ready')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before ready:\n${output}`)));
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until a batch's progress passes `test`, and returns that progress. */
export const waitForBatchProgress = (
  handle: Awaited<ReturnType<typeof startBatch>>,
  what: string,
  test: (progress: BatchProgress) => boolean,
): Promise<BatchProgress> =>
  waitFor(what, async () => {
    const progress = await handle.query(batchProgressQuery);
    return test(progress) ? progress : undefined;
  });

/** A simulator audit entry's path without its query string (api-version and the like). */
export const pathOf = (path: string): string => path.split('?')[0] ?? '';

/** Power state of source VMs as the simulated vCenter (vSphere Automation API) reports it. */
export async function sourcePowerStates(harness: Harness, names: string[]): Promise<Record<string, string>> {
  const call = (method: string, path: string, headers: Record<string, string>) =>
    new Promise<unknown>((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, harness.simulator.endpoint),
        { method, headers, ca: harness.simulator.caCertPem },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body ? JSON.parse(body) : undefined));
        },
      );
      req.on('error', reject);
      req.end();
    });
  const token = (await call('POST', '/api/session', {
    authorization: `Basic ${Buffer.from('tester:secret').toString('base64')}`,
  })) as string;
  const query = names.map((n) => `names=${encodeURIComponent(n)}`).join('&');
  const vms = (await call('GET', `/api/vcenter/vm?${query}`, { 'vmware-api-session-id': token })) as {
    name: string;
    power_state: string;
  }[];
  await call('DELETE', '/api/session', { 'vmware-api-session-id': token });
  return Object.fromEntries(vms.map((vm) => [vm.name, vm.power_state]));
}

/**
 * The migration services database tests use: the demo's SQL migration service (prepared with an online
 * integration runtime by the harness's seed) and a classic DMS service created on first use.
 */
export function databaseServices(): DatabaseMigrationServices {
  const group = `/subscriptions/${demoScope.subscriptionId}/resourceGroups/${demoScope.resourceGroup}`;
  return {
    location: demoScope.location,
    sqlMigrationServiceId: demoDatabaseServices(demoScope).sqlMigrationServiceId,
    classic: {
      serviceId: `${group}/providers/Microsoft.DataMigration/services/dms-factory`,
      virtualSubnetId: `${group}/providers/Microsoft.Network/virtualNetworks/vnet-migration/subnets/dms`,
      skuName: 'Premium_4vCores',
    },
  };
}

/** Starts one database workflow against the harness's simulator, with settings overridden per test. */
export function startDatabase(
  harness: Harness,
  spec: DatabaseSpec,
  options: {
    settings?: Partial<DatabaseSettings>;
    notifyWorkflowId?: string;
    services?: DatabaseMigrationServices;
    extra?: Pick<DatabaseWorkflowInput, 'trustedStampKeys' | 'cutoverWindow'>;
  } = {},
) {
  return harness.client.workflow.start(migrationDatabase, {
    taskQueue: harness.taskQueue,
    workflowId: databaseWorkflowId(spec.id),
    args: [
      {
        spec,
        services: options.services ?? databaseServices(),
        settings: {
          azureTaskQueue: harness.azureTaskQueue,
          reportEveryMs: 1000,
          readyCheckEveryMs: 3000,
          heartbeatTimeoutMs: 10_000,
          continueAsNewAfterPolls: 500,
          ...options.settings,
        },
        ...(options.notifyWorkflowId ? { notifyWorkflowId: options.notifyWorkflowId } : {}),
        ...options.extra,
      },
    ],
  });
}

/** The message of a refused update (the workflow validator's ApplicationFailure); fails if it was accepted. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return error instanceof WorkflowUpdateFailedError && error.cause instanceof Error
    ? error.cause.message
    : '';
}

/**
 * Seeds the harness's simulator with a workspace's planned VMs (disks capped so replication takes seconds),
 * so waves started from that plan find their discovered machines, appliances and source VMs.
 */
export function seedWorkspace(harness: Harness, workspace: string, maxDiskUsedGiB = 4) {
  return seedSimulatorFromWorkspace(harness.admin, workspace, { maxDiskUsedGiB });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `factory` command as a child process, as an operator would. */
export function runCli(args: string[], options: { cwd: string; env: Record<string, string> }) {
  return new Promise<CliRun>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(projectRoot, 'cli/factory.ts'), ...args],
      { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Environment for a `factory` CLI child process that drives this harness's Temporal and task queues. */
export function cliEnv(harness: Harness): Record<string, string> {
  return {
    ...Object.fromEntries(Object.entries(harness.workerEnv).filter(([name]) => name.startsWith('TEMPORAL_'))),
    TEMPORAL_ADDRESS: harness.workerEnv.TEMPORAL_ADDRESS ?? '',
    TEMPORAL_NAMESPACE: 'default',
    FACTORY_PROFILE: 'simulator',
    FACTORY_TASK_QUEUE: harness.taskQueue,
    FACTORY_AZURE_TASK_QUEUE: harness.azureTaskQueue,
    FACTORY_ARTIFACTS_CONNECTION_STRING: harness.workerEnv.FACTORY_ARTIFACTS_CONNECTION_STRING ?? '',
    FACTORY_ARTIFACTS_CONTAINER: harness.workerEnv.FACTORY_ARTIFACTS_CONTAINER ?? '',
    FACTORY_CODEC_KEY_FILE: harness.workerEnv.FACTORY_CODEC_KEY_FILE ?? '',
    // Straight to Temporal: no factory server, and no cached `factory login` of the person running the tests.
    FACTORY_SERVER_URL: '',
    XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'factory-cli-config-')),
  };
}
