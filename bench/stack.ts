/**
 * The benchmark's own stack: Temporal (engine `dev`: a headless dev server on a SQLite file; engine
 * `cluster`: cli/stack/cluster.ts, PostgreSQL and separate services with mutual TLS), the simulator in this
 * process (persisted snapshot, so it can be restarted), and worker PROCESSES (killable; their peak RSS is
 * read from /proc/<pid>/status VmHWM while they run). Every process connects with the engine's TEMPORAL_*
 * client variables, as a factory process does.
 */
import { seedDemoSecrets } from '../simulators/demo-secrets.ts';
import { Client, type Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../cli/stack/azurite.ts';
import { connectAsClient, startCluster, type RunningCluster } from '../cli/stack/cluster.ts';
import { startDevServer, type RunningDevServer } from '../cli/stack/dev-server.ts';
import type { TemporalEngine } from '../cli/stack/embedded.ts';
import { freePort } from '../cli/stack/ports.ts';
import { projectRoot } from '../cli/stack/temporal-cli.ts';
import type { AzureScope } from '../domain/demo.ts';
import { SimulatorAdmin } from '../simulators/admin-client.ts';
import type { StateSummary } from '../simulators/admin.ts';
import { startSimulator, type FaultConfigInput, type RunningSimulator } from '../simulators/index.ts';
import type { ThrottleLimits } from '../simulators/throttling.ts';
import { bundleWorkflows } from '../workers/bundle.ts';
import { ensureCodecKeyFile } from '../workers/codec-keys.ts';
import { AesGcmPayloadCodec, factoryDataConverter } from '../workers/payload-codec.ts';

export interface StackOptions {
  dir: string;
  /** `dev` (default): the Temporal dev server; `cluster`: PostgreSQL, separate services, mutual TLS. */
  engine?: TemporalEngine;
  scope: AzureScope;
  speed: number;
  seed: number;
  throttling: Partial<ThrottleLimits> | false;
  faults?: FaultConfigInput;
  workers: number;
  /** Worker settings (workers/config.ts) on top of the stack's addresses. */
  workerSettings: Record<string, string>;
  log: (line: string) => void;
}

export interface WorkerProcess {
  index: number;
  child: ChildProcess;
  peakRssKiB: number;
}

type ArmRequests = StateSummary['armRequests'];

/** The engine's running Temporal, as the bench uses it. */
interface BenchTemporal {
  address: string;
  /** TEMPORAL_* variables every process of the bench connects with. */
  clientEnv: Record<string, string>;
  /** The cluster's processes (engine `cluster`). */
  cluster?: RunningCluster;
  stop(): Promise<void>;
}

export class BenchStack {
  temporal!: BenchTemporal;
  simulator!: RunningSimulator;
  admin!: SimulatorAdmin;
  /** The artifact store the waves' plans are published to (in memory; it is not part of the chaos). */
  azurite!: RunningAzurite;
  connection!: Connection;
  client!: Client;
  readonly workers: WorkerProcess[] = [];
  /** Peak RSS of every worker process that ever ran (killed ones included), KiB. */
  readonly workerPeaks: number[] = [];
  /** ARM request counters of simulator runs that ended (the counters are not persisted). */
  private armBefore: ArmRequests = emptyArm();
  private bundlePath = '';
  private secretsEnv: Record<string, string> = {};
  private simPort = 0;
  private rssTimer?: NodeJS.Timeout;
  readonly taskQueue = 'bench-workflows';
  readonly azureTaskQueue = 'bench-azure';

  constructor(readonly options: StackOptions) {}

  get dbFile() {
    return join(this.options.dir, 'temporal.sqlite');
  }

  get engine(): TemporalEngine {
    return this.options.engine ?? 'dev';
  }

  get codecKeyFile() {
    return join(this.options.dir, 'codec-keys.json');
  }

  async start(): Promise<void> {
    const [port, azurite, bundle] = await Promise.all([
      freePort(),
      freePort().then((azuritePort) => startAzurite({ port: azuritePort })),
      bundleWorkflows(),
    ]);
    this.azurite = azurite;
    this.bundlePath = join(this.options.dir, 'workflow-bundle.js');
    writeFileSync(this.bundlePath, bundle.code);
    this.temporal = await this.startTemporal(port);
    await this.startSimulator(true);
    // Persisted in the simulator's snapshot: the references stay valid across simulator restarts.
    this.secretsEnv = (await seedDemoSecrets(this.admin)).workerEnv;
    // Connected from the client variables, as the workers and the CLI connect (mutual TLS on the cluster).
    this.connection = await connectAsClient(this.temporal.clientEnv);
    // Encrypted payloads, as in production: the bench measures the codec's cost too.
    const codec = new AesGcmPayloadCodec(ensureCodecKeyFile(this.codecKeyFile));
    this.client = new Client({ connection: this.connection, dataConverter: factoryDataConverter(codec) });
    this.rssTimer = setInterval(() => this.sampleRss(), 500);
  }

  private async startTemporal(port: number): Promise<BenchTemporal> {
    if (this.engine === 'cluster') {
      // PostgreSQL runs as an unprivileged user, which must traverse (not list) the bench's folder.
      chmodSync(this.options.dir, 0o711);
      const cluster = await startCluster({
        dir: join(this.options.dir, 'cluster'),
        frontendPort: port,
        log: this.options.log,
      });
      return { address: cluster.address, clientEnv: cluster.clientEnv, cluster, stop: () => cluster.stop() };
    }
    return devServerTemporal(await startDevServer({ port, dbFile: this.dbFile, log: this.options.log }));
  }

  private async startSimulator(first: boolean) {
    this.simulator = await startSimulator({
      port: this.simPort,
      stateDir: join(this.options.dir, 'simulator'),
      speed: this.options.speed,
      seed: this.options.seed,
      persist: true,
      throttling: this.options.throttling,
      ...(first && this.options.faults ? { faults: this.options.faults } : {}),
    });
    this.simPort = this.simulator.port;
    this.admin = new SimulatorAdmin(this.simulator.endpoint, this.simulator.caCertPem);
  }

  /** Stops the simulator (its snapshot is flushed) and starts it again on the same port and state. */
  async restartSimulator(): Promise<void> {
    const state = await this.admin.state();
    this.armBefore = addArm(this.armBefore, state.armRequests);
    await this.simulator.close();
    await this.startSimulator(false);
  }

  /**
   * Dev server: stops it and starts it again on the same SQLite file and port. Cluster: SIGKILLs the
   * history service and restarts it, then the frontend (PostgreSQL keeps the state), as a crash would.
   */
  async restartTemporal(): Promise<void> {
    const { cluster } = this.temporal;
    if (cluster) {
      for (const service of [cluster.services.history, cluster.services.frontend]) {
        await service.kill('SIGKILL');
        await service.start();
      }
      return;
    }
    const port = Number(this.temporal.address.split(':')[1]);
    await this.temporal.stop();
    this.temporal = devServerTemporal(
      await startDevServer({ port, dbFile: this.dbFile, log: this.options.log }),
    );
  }

  /** ARM request counters over every simulator run. */
  async armRequests(): Promise<ArmRequests> {
    return addArm(this.armBefore, (await this.admin.state()).armRequests);
  }

  /** What any factory process (a worker, the server) needs to reach this stack's Temporal. */
  temporalEnv(): Record<string, string> {
    return { ...this.temporal.clientEnv, FACTORY_CODEC_KEY_FILE: this.codecKeyFile };
  }

  /** What `factory wave start` would be given against this stack: its task queues and artifact store. */
  clientEnv(): Record<string, string> {
    return {
      FACTORY_TASK_QUEUE: this.taskQueue,
      FACTORY_AZURE_TASK_QUEUE: this.azureTaskQueue,
      FACTORY_ARTIFACTS_CONNECTION_STRING: this.azurite.connectionString,
    };
  }

  workerEnv(): Record<string, string> {
    const { scope } = this.options;
    return {
      FACTORY_PROFILE: 'simulator',
      FACTORY_ARTIFACTS_CONNECTION_STRING: this.azurite.connectionString,
      ...this.temporalEnv(),
      FACTORY_TASK_QUEUE: this.taskQueue,
      FACTORY_AZURE_TASK_QUEUE: this.azureTaskQueue,
      AZURE_RESOURCE_MANAGER_ENDPOINT: this.simulator.endpoint,
      AZURE_CA_CERT: this.simulator.caCertPath,
      AZURE_CREDENTIAL: 'local',
      AZURE_SUBSCRIPTION_ID: scope.subscriptionId,
      AZURE_RESOURCE_GROUP: scope.resourceGroup,
      AZURE_VAULT_NAME: scope.vaultName,
      VCENTER_URL: this.simulator.endpoint,
      VCENTER_CA_CERT: this.simulator.caCertPath,
      ...this.secretsEnv,
      MIGRATION_FACTORY_WORKFLOW_BUNDLE: this.bundlePath,
      ...this.options.workerSettings,
    };
  }

  async spawnWorker(index: number): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'workers/main.ts')], {
      cwd: projectRoot,
      env: { ...process.env, ...this.workerEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker: WorkerProcess = { index, child, peakRssKiB: 0 };
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
        if (output.includes('worker ready')) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) =>
        reject(new Error(`worker exited (${code ?? signal}) before ready:\n${output}`)),
      );
    });
    // Keep draining its output so the pipe never blocks the worker.
    child.stdout?.removeAllListeners('data');
    child.stderr?.removeAllListeners('data');
    child.stdout?.resume();
    child.stderr?.resume();
    child.once('exit', () => this.recordPeak(worker));
    this.workers[index] = worker;
    return worker;
  }

  async startWorkers(): Promise<void> {
    await Promise.all(Array.from({ length: this.options.workers }, (_, i) => this.spawnWorker(i)));
  }

  /** SIGKILLs worker `index` (its pid, nothing else) and starts a replacement. */
  async killWorker(index: number): Promise<void> {
    const worker = this.workers[index];
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
      const exited = new Promise((resolve) => worker.child.once('exit', resolve));
      this.sampleRss();
      worker.child.kill('SIGKILL');
      await exited;
    }
    await this.spawnWorker(index);
  }

  private sampleRss() {
    for (const worker of this.workers) {
      if (!worker?.child.pid || worker.child.exitCode !== null) continue;
      try {
        const status = readFileSync(`/proc/${worker.child.pid}/status`, 'utf8');
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        worker.peakRssKiB = Math.max(worker.peakRssKiB, hwm);
      } catch {
        // The process just exited.
      }
    }
  }

  private recordPeak(worker: WorkerProcess) {
    if (worker.peakRssKiB > 0) this.workerPeaks.push(worker.peakRssKiB);
  }

  /** Peak RSS per worker process (MiB): the highest of every process that ran, and per live slot. */
  peakWorkerRssMiB(): { max: number; perProcess: number[] } {
    this.sampleRss();
    const all = [
      ...this.workerPeaks,
      ...this.workers.filter((w) => w.child.exitCode === null).map((w) => w.peakRssKiB),
    ];
    return { max: Math.round(Math.max(0, ...all) / 1024), perProcess: all.map((k) => Math.round(k / 1024)) };
  }

  async stop(): Promise<void> {
    if (this.rssTimer) clearInterval(this.rssTimer);
    this.sampleRss();
    for (const worker of this.workers) {
      if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
        const exited = new Promise((resolve) => worker.child.once('exit', resolve));
        worker.child.kill('SIGTERM');
        const timer = setTimeout(() => worker.child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    }
    await this.connection?.close().catch(() => undefined);
    await this.simulator?.close().catch(() => undefined);
    await this.temporal?.stop().catch(() => undefined);
    await this.azurite?.stop().catch(() => undefined);
  }
}

function devServerTemporal(devServer: RunningDevServer): BenchTemporal {
  return {
    address: devServer.address,
    clientEnv: { TEMPORAL_ADDRESS: devServer.address },
    stop: () => devServer.stop(),
  };
}

function emptyArm(): ArmRequests {
  return {
    reads: 0,
    writes: 0,
    deletes: 0,
    throttled: 0,
    faulted: 0,
    siteRecovery: { reads: 0, writes: 0, deletes: 0 },
    byOperation: {},
  };
}

function addArm(a: ArmRequests, b: ArmRequests): ArmRequests {
  return {
    reads: a.reads + b.reads,
    writes: a.writes + b.writes,
    deletes: a.deletes + b.deletes,
    throttled: a.throttled + b.throttled,
    faulted: a.faulted + b.faulted,
    siteRecovery: {
      reads: a.siteRecovery.reads + b.siteRecovery.reads,
      writes: a.siteRecovery.writes + b.siteRecovery.writes,
      deletes: a.siteRecovery.deletes + b.siteRecovery.deletes,
    },
    byOperation: Object.fromEntries(
      [...new Set([...Object.keys(a.byOperation), ...Object.keys(b.byOperation)])].map((operation) => [
        operation,
        (a.byOperation[operation] ?? 0) + (b.byOperation[operation] ?? 0),
      ]),
    ),
  };
}
