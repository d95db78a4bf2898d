/**
 * A real Temporal cluster on this machine: PostgreSQL (cli/stack/postgres.ts), the schemas applied by the
 * server's own `temporal-sql-tool`, and the frontend, history, matching and internal-worker services of the
 * pinned server (cli/stack/cluster-build.ts) as separate processes, with mutual TLS between clients and the
 * frontend and between the services (cli/stack/cluster-tls.ts). The `default` namespace keeps closed
 * workflows for a year (audit) and has the factory's search attributes.
 *
 * Clients connect with the variables every Temporal client reads (TEMPORAL_ADDRESS, TEMPORAL_TLS_*), the same
 * ones used for Temporal Cloud: `clientEnv`, or the profile `cluster` of `configFile` (TOML).
 */
import { Connection } from '@temporalio/client';
import { msNumberToTs, tsToMs } from '@temporalio/common';
import protos from '@temporalio/proto';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { searchAttributeKeys } from '../../contracts/search-attributes.ts';
import {
  resolveTemporalConnection,
  type TemporalConnectionSettings,
} from '../../workers/temporal-connection.ts';
import {
  ensureTemporalServer,
  ensureTemporalUiServer,
  type TemporalServerBinaries,
} from './cluster-build.ts';
import {
  clusterServices,
  POSTGRES_PASSWORD_VARIABLE,
  writeClusterConfig,
  type ClusterService,
  type ServicePorts,
} from './cluster-config.ts';
import { ensureClusterTls, FRONTEND_SERVER_NAME, type ClusterTls } from './cluster-tls.ts';
import { assertPortsFree, freePort, isPortFree } from './ports.ts';
import { startPostgres, type RunningPostgres } from './postgres.ts';

/** A year: `factory audit` reads a wave's history long after it closes. */
export const CLUSTER_RETENTION_DAYS = 365;
export const CLUSTER_NAMESPACE = 'default';
export const CLUSTER_PROFILE = 'cluster';

export interface ClusterOptions {
  /** Holds postgres/, tls/, config/ and logs/; kept across starts (the stack's .data/cluster). */
  dir: string;
  /** The frontend's gRPC port (7233 for `npm run stack`; a free one in tests). */
  frontendPort: number;
  /** Read-only Web UI (ui-server, over mutual TLS to the frontend) on this port; none when undefined. */
  uiPort?: number;
  numHistoryShards?: number;
  log?: (line: string) => void;
}

export interface ClusterServiceProcess {
  name: ClusterService;
  ports: ServicePorts;
  /** Log file of the service (JSON lines at level warn and above). */
  logFile: string;
  pid(): number | undefined;
  /** SIGKILL (a crash) by default; resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports and waits until its gRPC port listens. */
  start(): Promise<void>;
}

export interface RunningCluster {
  address: string;
  /** The read-only Web UI, when started with `uiPort`. */
  uiUrl?: string;
  namespace: string;
  binaries: TemporalServerBinaries;
  tls: ClusterTls;
  postgres: RunningPostgres;
  services: Record<ClusterService, ClusterServiceProcess>;
  /** TEMPORAL_* variables a factory process (worker, CLI, server) connects with. */
  clientEnv: Record<string, string>;
  /** TOML profile file with the same settings (profile `cluster`): TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE. */
  configFile: string;
  /** Seconds from the call to a ready namespace. */
  startSeconds: number;
  stop(): Promise<void>;
}

export class ClusterStartError extends Error {
  override name = 'ClusterStartError';
}

function runTool(bin: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new ClusterStartError(
              `temporal-sql-tool ${args.join(' ')} exited with ${code}:\n${output.trim()}`,
            ),
          ),
    );
  });
}

/**
 * Creates the two databases and their schemas on first start; later starts only apply newer versioned
 * schema files (a newer pinned server), which update-schema skips when already applied.
 */
async function applySchemas(binaries: TemporalServerBinaries, postgres: RunningPostgres, dir: string) {
  const env = {
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: postgres.host,
    SQL_PORT: String(postgres.port),
    SQL_USER: postgres.user,
    // The tool reads the password from its environment: it never appears in a process list.
    SQL_PASSWORD: postgres.password,
  };
  for (const [database, schema] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    const marker = join(dir, `${database}.created`);
    const withDb = { ...env, SQL_DATABASE: database };
    if (!existsSync(marker)) {
      await runTool(binaries.sqlToolBin, ['create-database'], withDb);
      await runTool(binaries.sqlToolBin, ['setup-schema', '-v', '0.0'], withDb);
      writeFileSync(marker, `${binaries.version}\n`);
    }
    await runTool(
      binaries.sqlToolBin,
      ['update-schema', '-d', join(binaries.postgresSchemaDir, schema, 'versioned')],
      withDb,
    );
  }
}

const portListening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

function tail(file: string, chars = 3000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars).trim();
  } catch {
    return '';
  }
}

interface ManagedProcess {
  logFile: string;
  pid(): number | undefined;
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

/** A child process that can be killed and started again with the same arguments, logging to a file. */
function managedProcess(spec: {
  label: string;
  bin: string;
  args: string[];
  env: Record<string, string>;
  /** Ready once this loopback port accepts connections. */
  port: number;
  logFile: string;
}): ManagedProcess {
  const { label, port, logFile } = spec;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const killOnExit = () => child?.kill('SIGKILL');
  return {
    logFile,
    pid: () => (running() ? child?.pid : undefined),
    async kill(signal = 'SIGKILL') {
      if (!running()) return;
      child?.kill(signal);
      // A graceful stop hands shards and task queues over; a service that hangs in it is killed.
      const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child?.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
    async start() {
      if (running()) return;
      const fd = openSync(logFile, 'a');
      const started = spawn(spec.bin, spec.args, { env: spec.env, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      child = started;
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      process.once('exit', killOnExit);
      void exited.then(() => process.off('exit', killOnExit));
      const deadline = Date.now() + 60_000;
      while (!(await portListening(port))) {
        if (!running())
          throw new ClusterStartError(
            `${label} exited with ${started.exitCode ?? started.signalCode} before it listened on ${port}:\n${tail(logFile)}`,
          );
        if (Date.now() > deadline)
          throw new ClusterStartError(`${label} did not listen on ${port} within 60 s:\n${tail(logFile)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}

function serviceProcess(
  name: ClusterService,
  ports: ServicePorts,
  command: { bin: string; configFile: string; env: Record<string, string> },
  logDir: string,
): ClusterServiceProcess {
  return {
    name,
    ports,
    ...managedProcess({
      label: `Temporal ${name} service`,
      bin: command.bin,
      // Mutual TLS is the authentication: any holder of a certificate of the stack's CA is trusted.
      args: ['--config-file', command.configFile, '--allow-no-auth', 'start', '--service', name],
      env: command.env,
      port: ports.grpc,
      logFile: join(logDir, `${name}.log`),
    }),
  };
}

/** The TOML profile (the `temporal` CLI's format, read by @temporalio/envconfig). */
function profileToml(address: string, tls: ClusterTls): string {
  const quote = (value: string) => JSON.stringify(value);
  return [
    '# Written by cli/stack/cluster.ts: connect with TEMPORAL_CONFIG_FILE=<this file> TEMPORAL_PROFILE=cluster',
    `[profile.${CLUSTER_PROFILE}]`,
    `address = ${quote(address)}`,
    `namespace = ${quote(CLUSTER_NAMESPACE)}`,
    '',
    `[profile.${CLUSTER_PROFILE}.tls]`,
    `server_ca_cert_path = ${quote(tls.caCert)}`,
    `client_cert_path = ${quote(tls.client.cert)}`,
    `client_key_path = ${quote(tls.client.key)}`,
    `server_name = ${quote(FRONTEND_SERVER_NAME)}`,
    '',
  ].join('\n');
}

export function clusterClientEnv(address: string, tls: ClusterTls): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: CLUSTER_NAMESPACE,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: tls.caCert,
    TEMPORAL_TLS_CLIENT_CERT_PATH: tls.client.cert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: tls.client.key,
    TEMPORAL_TLS_SERVER_NAME: FRONTEND_SERVER_NAME,
  };
}

/**
 * A free loopback port below 32768: the cluster_membership table stores membership ports as smallint, and
 * Linux hands out ephemeral ports from 32768 up, so these never collide with outgoing connections either.
 */
async function freeMembershipPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await isPortFree(port))) {
      taken.add(port);
      return port;
    }
  }
  throw new ClusterStartError("no free loopback port between 20000 and 32000 for the services' membership");
}

/** A connection made exactly as a factory process makes it, from the client variables. */
export function connectAsClient(clientEnv: Record<string, string>): Promise<Connection> {
  const settings: TemporalConnectionSettings = resolveTemporalConnection(clientEnv);
  return Connection.connect({
    address: settings.address,
    ...(settings.tls === undefined ? {} : { tls: settings.tls }),
    connectTimeout: '5s',
  });
}

/** Registers the namespace (a year's retention) and the search attributes, each only when missing. */
async function prepareNamespace(connection: Connection) {
  const namespace = CLUSTER_NAMESPACE;
  const retentionMs = CLUSTER_RETENTION_DAYS * 24 * 3600 * 1000;
  const retention = msNumberToTs(retentionMs);
  try {
    const described = await connection.workflowService.describeNamespace({ namespace });
    if (tsToMs(described.config?.workflowExecutionRetentionTtl) < retentionMs)
      await connection.workflowService.updateNamespace({
        namespace,
        config: { workflowExecutionRetentionTtl: retention },
      });
  } catch (error) {
    if ((error as { code?: number }).code !== 5 /* NOT_FOUND */) throw error;
    await connection.workflowService.registerNamespace({
      namespace,
      description: 'Migration Factory waves (kept a year for audit)',
      workflowExecutionRetentionPeriod: retention,
    });
  }
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = searchAttributeKeys.filter((key) => !(key.name in (existing.customAttributes ?? {})));
  if (missing.length > 0)
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [
          key.name,
          protos.temporal.api.enums.v1.IndexedValueType[
            `INDEXED_VALUE_TYPE_${key.type}` as keyof typeof protos.temporal.api.enums.v1.IndexedValueType
          ],
        ]),
      ),
    });
}

async function waitUntil<T>(
  what: string,
  probe: () => Promise<T>,
  timeoutMs: number,
  hint: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline)
        throw new ClusterStartError(
          `${what} within ${timeoutMs / 1000} s: ${error instanceof Error ? error.message : String(error)}\n${hint()}`,
        );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The Web UI server's configuration (ui-server's config.go; JSON is YAML): read-only (no terminate, signal,
 * reset or start from the UI: the factory's actions go through the factory), on 127.0.0.1, reaching the
 * frontend with a client certificate of its own and checking the frontend's name.
 */
function writeUiConfig(dir: string, uiPort: number, address: string, tls: ClusterTls) {
  mkdirSync(dir, { recursive: true });
  const config = {
    temporalGrpcAddress: address,
    host: '127.0.0.1',
    port: uiPort,
    enableUi: true,
    defaultNamespace: CLUSTER_NAMESPACE,
    disableWriteActions: true,
    disableNewsFetch: true,
    notifyOnNewVersion: false,
    cors: {
      allowOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
      cookieInsecure: true,
    },
    tls: {
      caFile: tls.caCert,
      certFile: tls.webUi.cert,
      keyFile: tls.webUi.key,
      serverName: FRONTEND_SERVER_NAME,
      enableHostVerification: true,
    },
  };
  writeFileSync(join(dir, 'cluster.yaml'), `${JSON.stringify(config, null, 2)}\n`);
}

async function waitForHttp(url: string, service: ManagedProcess, logFile: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline || service.pid() === undefined)
      throw new ClusterStartError(`the Web UI did not answer at ${url}:\n${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  await assertPortsFree([
    { port: options.frontendPort, service: 'Temporal frontend (cluster)' },
    ...(options.uiPort ? [{ port: options.uiPort, service: 'Temporal Web UI (cluster)' }] : []),
  ]);
  const binaries = await ensureTemporalServer(log);
  const uiBin = options.uiPort ? await ensureTemporalUiServer(log) : undefined;
  // Searchable (not readable) by others: PostgreSQL runs as another user and must reach postgres/ below.
  mkdirSync(options.dir, { recursive: true, mode: 0o711 });
  const configDir = join(options.dir, 'config');
  const logDir = join(options.dir, 'logs');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  mkdirSync(logDir, { recursive: true });

  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse())
      await stopOne().catch((error: unknown) => log(`stop: ${String(error)}`));
    stoppers.length = 0;
  };
  try {
    const postgres = await startPostgres({ dir: join(options.dir, 'postgres'), port: await freePort(), log });
    stoppers.push(() => postgres.stop());
    await applySchemas(binaries, postgres, join(options.dir, 'postgres'));
    const tls = ensureClusterTls(join(options.dir, 'tls'));

    const ports = {} as Record<ClusterService, ServicePorts>;
    const taken = new Set<number>();
    for (const service of clusterServices)
      ports[service] = {
        grpc: service === 'frontend' ? options.frontendPort : await freePort(),
        membership: await freeMembershipPort(taken),
      };
    const configFile = writeClusterConfig({
      dir: configDir,
      postgres,
      ports,
      tls,
      numHistoryShards: options.numHistoryShards ?? 4,
    });
    const env = { PATH: process.env.PATH ?? '', [POSTGRES_PASSWORD_VARIABLE]: postgres.password };
    const services = Object.fromEntries(
      clusterServices.map((name) => [
        name,
        serviceProcess(name, ports[name], { bin: binaries.serverBin, configFile, env }, logDir),
      ]),
    ) as Record<ClusterService, ClusterServiceProcess>;
    // Services stop before PostgreSQL (stoppers run in reverse).
    stoppers.push(async () => {
      await Promise.all(clusterServices.map((name) => services[name].kill('SIGTERM')));
    });
    // History owns the shards the others route to; the internal worker needs a frontend to call.
    for (const name of ['history', 'matching', 'frontend', 'worker'] as const) {
      log(`Starting Temporal ${name} service on 127.0.0.1:${ports[name].grpc} ...`);
      await services[name].start();
    }

    const address = `127.0.0.1:${options.frontendPort}`;
    const clientEnv = clusterClientEnv(address, tls);
    const profileFile = join(configDir, 'temporal.toml');
    writeFileSync(profileFile, profileToml(address, tls));
    const hint = () => `frontend log ${services.frontend.logFile}:\n${tail(services.frontend.logFile, 1500)}`;
    const connection = await waitUntil(
      'the frontend did not answer over mutual TLS',
      () => connectAsClient(clientEnv),
      60_000,
      hint,
    );
    try {
      await waitUntil(
        'the namespace could not be registered',
        () => prepareNamespace(connection),
        90_000,
        hint,
      );
      // A new namespace reaches the frontend's registry on its next refresh: wait until it serves requests.
      await waitUntil(
        `namespace ${CLUSTER_NAMESPACE} did not serve requests`,
        () =>
          connection.workflowService.listWorkflowExecutions({ namespace: CLUSTER_NAMESPACE, pageSize: 1 }),
        60_000,
        hint,
      );
    } finally {
      await connection.close();
    }
    let uiUrl: string | undefined;
    if (options.uiPort && uiBin) {
      writeUiConfig(join(options.dir, 'ui'), options.uiPort, address, tls);
      const ui = managedProcess({
        label: 'Temporal Web UI server',
        bin: uiBin,
        // Reads <dir>/ui/cluster.yaml.
        args: ['--root', options.dir, '--config', 'ui', '--env', 'cluster', 'start'],
        env: { PATH: process.env.PATH ?? '' },
        port: options.uiPort,
        logFile: join(logDir, 'web-ui.log'),
      });
      stoppers.push(() => ui.kill('SIGTERM'));
      await ui.start();
      uiUrl = `http://127.0.0.1:${options.uiPort}`;
      await waitForHttp(`${uiUrl}/api/v1/settings`, ui, ui.logFile);
    }
    const startSeconds = (Date.now() - started) / 1000;
    log(`Temporal cluster ${binaries.version} ready at ${address} in ${startSeconds.toFixed(1)} s`);
    return {
      address,
      ...(uiUrl ? { uiUrl } : {}),
      namespace: CLUSTER_NAMESPACE,
      binaries,
      tls,
      postgres,
      services,
      clientEnv,
      configFile: profileFile,
      startSeconds,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
