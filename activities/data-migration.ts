/**
 * Database Migration activities: SQL Server databases through the SQL migration API (2025-06-30, called
 * with core-client + core-lro because the registry's SDK lacks it), MySQL and PostgreSQL through classic
 * DMS tasks (`@azure/arm-datamigration` 2.1.1), and target tier scaling.
 *
 * Each activity is idempotent: it reads the migration (or target) before it writes, reuses a migration
 * that is already running, skips a cutover that already started, and keeps long-running-operation poller
 * state in heartbeat details so a retried attempt resumes polling instead of re-issuing the call.
 */
import type { DataMigrationServiceClient } from '@azure/arm-datamigration';
import type {
  MigrateMySqlAzureDbForMySqlSyncTaskProperties,
  MigratePostgreSqlAzureDbForPostgreSqlSyncTaskProperties,
} from '@azure/arm-datamigration/esm/models/index.js';
import type { ServiceClient } from '@azure/core-client';
import { isRestError } from '@azure/core-rest-pipeline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isMigrationFinished, lastSegment, sizedResourceId, skuSatisfies } from '../domain/database-rules.ts';
import type {
  DatabaseMigrationServices,
  DatabaseMigrationStatus,
  DatabaseSku,
  DatabaseSpec,
  DatabaseTargetKind,
} from '../domain/migration.ts';
import { armPath } from './arm-path.ts';
import { ArmRest } from './arm-rest.ts';
import { asRestError, azureErrorCode, asAzureActivities, withAzureErrors } from './azure-errors.ts';
import { CertificateCheckError, checkServerCertificate } from './database-tls.ts';
import { classicTaskStatus, migrationFingerprint, sqlMigrationStatus } from './database-status.ts';
import { azureErrorType, ErrorType } from '../contracts/errors.ts';
import { pause } from './liveness.ts';
import { SharedWork } from './shared-work.ts';

export interface DatabaseLogin {
  userName: string;
  /** Resolved from Key Vault at worker start-up (workers/secrets.ts); sent in the migration's PUT only. */
  password: string;
}

/** How the migration service reaches one database server. */
export interface DatabaseServerConnection {
  login: DatabaseLogin;
  /**
   * Accept the server's certificate without verifying it: an explicit per-server opt-in (logged at worker
   * start-up). Off, the integration runtime / DMS verifies it against its host's trust store.
   */
  trustServerCertificate: boolean;
  /** The CA (PEM) the worker checks the server's certificate against before a migration starts. */
  ca?: { pem: string; file: string };
  /** Port of the certificate check (default: the engine's, 1433 / 3306 / 5432). */
  port?: number;
}

/** Per-server connections: by lower-cased source host or target server name; `*` for every other server. */
export interface DatabaseServers {
  sources: Record<string, DatabaseServerConnection>;
  targets: Record<string, DatabaseServerConnection>;
  /** Where the servers were configured, for the error when one is missing. */
  configuredBy: string;
}

export interface DatabaseConnectionSettings {
  servers: DatabaseServers;
  /**
   * The share the SQL Server backups are written to (SQL MI / SQL VM targets): its UNC path and the Windows
   * account the self-hosted integration runtime reads it with. Secrets from the worker's configuration:
   * sent in the migration's PUT only, never in workflow inputs, histories or logs.
   */
  backupFileShare?: { path: string; username: string; password: string };
  /** Storage account the backups are uploaded to (SQL MI / SQL VM targets). */
  backupStorageAccountId?: string;
}

/** The source (by host) or target (by server name) connection of a database; a missing one fails for good. */
export function serverConnection(
  servers: DatabaseServers,
  side: 'source' | 'target',
  server: string,
): DatabaseServerConnection {
  const table = side === 'source' ? servers.sources : servers.targets;
  const found = table[server.toLowerCase()] ?? table['*'];
  if (!found)
    throw ApplicationFailure.nonRetryable(
      `No ${side} login for database server ${server}: add it (or "*") to the ${side === 'source' ? 'sources' : 'targets'} of ${servers.configuredBy}`,
      ErrorType.databaseServerNotConfigured,
    );
  return found;
}

export interface DataMigrationDeps {
  /** core-client ServiceClient with the ARM credential and CA (workers/azure.ts). */
  armClient: ServiceClient;
  armEndpoint: string;
  dms: DataMigrationServiceClient;
  connections: DatabaseConnectionSettings;
  /** Poll interval of operation and state reads when Azure gives no Retry-After. */
  pollIntervalMs: number;
  /** How long the source certificate check may take (default 10 s). */
  certificateCheckTimeoutMs?: number;
}

const defaultPorts: Record<DatabaseSpec['engine'], number> = {
  'SQL Server': 1433,
  MySQL: 3306,
  PostgreSQL: 5432,
};

export interface DatabaseRef {
  spec: DatabaseSpec;
  services: DatabaseMigrationServices;
}

export interface DatabasePollInput extends DatabaseRef {
  previousFingerprint?: string;
  /** Longest time to wait for a change before reporting anyway. */
  maxWaitMs: number;
}

export interface DatabasePollResult {
  fingerprint: string;
  status: DatabaseMigrationStatus;
}

const sqlMigrationApi = '2025-06-30';
/** api-versions of the sized target resources (and of their scaling PATCH). */
const tierApiVersions: Record<DatabaseTargetKind, string> = {
  SqlMi: '2023-08-01',
  SqlDb: '2023-08-01',
  SqlVm: '2023-10-01',
  MySql: '2023-12-30',
  PostgreSql: '2024-08-01',
};

const classicEngines = {
  MySQL: {
    project: 'mysql-to-azure',
    sourcePlatform: 'MySQL',
    targetPlatform: 'AzureDbForMySql',
    taskType: 'Migrate.MySql.AzureDbForMySql.Sync',
    connectionType: 'MySqlConnectionInfo',
    port: 3306,
    hostSuffix: 'mysql.database.azure.com',
  },
  PostgreSQL: {
    project: 'postgresql-to-azure',
    sourcePlatform: 'PostgreSql',
    targetPlatform: 'AzureDbForPostgreSql',
    taskType: 'Migrate.PostgreSql.AzureDbForPostgreSql.Sync',
    connectionType: 'PostgreSqlConnectionInfo',
    port: 5432,
    hostSuffix: 'postgres.database.azure.com',
  },
} as const;

// serverId is an ARM id validated with the plan; the database name is one encoded segment.
const migrationPath = (spec: DatabaseSpec) =>
  `${spec.target.serverId}${armPath`/providers/Microsoft.DataMigration/databaseMigrations/${spec.target.databaseName}`}`;

/** Codes with which Azure refuses a cutover that may be accepted later: the workflow asks again. */
const cutoverNotYet = new Set(['MigrationNotReadyForCutoverError', 'MigrationStillValidating']);

function parseSqlMigrationServiceId(id: string): { resourceGroup: string; name: string } {
  const match =
    /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataMigration\/sqlMigrationServices\/([^/]+)$/i.exec(
      id,
    );
  return { resourceGroup: match?.[1] ?? '(resource group)', name: match?.[2] ?? id };
}

/** What an operator does so that a SQL migration service can run migrations (or why it cannot yet). */
export function integrationRuntimeSteps(serviceId: string, state: string): string {
  const { resourceGroup, name } = parseSqlMigrationServiceId(serviceId);
  return [
    `The SQL migration service ${name} (resource group ${resourceGroup}) has no online self-hosted integration runtime (integrationRuntimeState ${state}); Azure runs no migration on it until one is registered.`,
    `1. Get its authentication key: az datamigration sql-service list-auth-key --resource-group ${resourceGroup} --sql-migration-service-name ${name}`,
    '2. On a Windows machine that reaches the source SQL Servers and the backup share, install the Microsoft Integration Runtime and register it with authKey1: dmgcmd.exe -RegisterNewNode "<authKey1>" (or paste the key into the Integration Runtime Configuration Manager).',
    `3. Check that az datamigration sql-service show --resource-group ${resourceGroup} --name ${name} shows integrationRuntimeState Online (factory preflight checks it for the wave), then retry this database.`,
  ].join('\n');
}
export const classicTaskName = (spec: DatabaseSpec) => `migrate-${spec.id.replace(/[^A-Za-z0-9-]+/g, '-')}`;

function classicEngine(spec: DatabaseSpec) {
  if (spec.engine === 'SQL Server') {
    throw ApplicationFailure.nonRetryable(
      `${spec.id} is a SQL Server database; it migrates through the SQL migration API`,
      ErrorType.invalidDatabaseSpec,
    );
  }
  return classicEngines[spec.engine];
}

function parseServiceId(id: string): { resourceGroup: string; name: string } {
  const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataMigration\/services\/([^/]+)$/i.exec(
    id,
  );
  if (!match?.[1] || !match[2]) {
    throw ApplicationFailure.nonRetryable(
      `'${id}' is not the ARM id of a Microsoft.DataMigration/services resource`,
      ErrorType.invalidDatabaseSpec,
    );
  }
  return { resourceGroup: match[1], name: match[2] };
}

/** ms-rest-js (arm-datamigration 2.1.1) errors carry statusCode/code but are not core RestErrors. */
const isNotFound = (error: unknown) => {
  const normalized = asRestError(error);
  return isRestError(normalized) && normalized.statusCode === 404;
};

/** The resource, or undefined when Azure answers 404. */
async function unlessMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The `databaseMigrations` PUT body (the secrets come from the worker's configuration, never from inputs). */
export function sqlMigrationRequest(
  spec: DatabaseSpec,
  services: DatabaseMigrationServices,
  connections: DatabaseConnectionSettings,
) {
  const { kind, serverId } = spec.target;
  const sql = (dataSource: string, server: DatabaseServerConnection) => ({
    dataSource,
    authentication: 'SqlAuthentication',
    userName: server.login.userName,
    password: server.login.password,
    encryptConnection: true,
    trustServerCertificate: server.trustServerCertificate,
  });
  const targetName = lastSegment(serverId);
  return {
    properties: {
      kind,
      scope: serverId,
      migrationService: services.sqlMigrationServiceId,
      sourceDatabaseName: spec.name,
      sourceSqlConnection: sql(
        spec.sourceServer,
        serverConnection(connections.servers, 'source', spec.sourceServer),
      ),
      ...(kind === 'SqlDb'
        ? {
            targetSqlConnection: sql(
              `${targetName}.database.windows.net`,
              serverConnection(connections.servers, 'target', targetName),
            ),
          }
        : {
            backupConfiguration: {
              ...(connections.backupFileShare
                ? { sourceLocation: { fileShare: { ...connections.backupFileShare } } }
                : {}),
              ...(connections.backupStorageAccountId
                ? { targetLocation: { storageAccountResourceId: connections.backupStorageAccountId } }
                : {}),
            },
            offlineConfiguration: { offline: spec.mode === 'offline' },
          }),
    },
  };
}

const heartbeatDetails = <T>() => Context.current().info.heartbeatDetails as T | undefined;

export function createDataMigrationActivities(deps: DataMigrationDeps) {
  const arm = new ArmRest(deps.armClient, deps.armEndpoint, deps.pollIntervalMs);
  const { dms, connections } = deps;
  const pauseToPoll = () => pause(deps.pollIntervalMs);

  /**
   * With a CA configured for the source server, its certificate must chain to it before Azure is asked to
   * connect: a wrong CA (or a server with another certificate) fails here, naming the server and the file.
   */
  async function checkSourceCertificate(spec: DatabaseSpec): Promise<void> {
    const source = serverConnection(connections.servers, 'source', spec.sourceServer);
    if (!source.ca) return;
    try {
      await checkServerCertificate({
        engine: spec.engine,
        host: spec.sourceServer,
        port: source.port ?? defaultPorts[spec.engine],
        ca: source.ca.pem,
        caFile: source.ca.file,
        timeoutMs: deps.certificateCheckTimeoutMs ?? 10_000,
      });
    } catch (error) {
      if (!(error instanceof CertificateCheckError)) throw error;
      // Not retried: a certificate does not start chaining to another CA by itself.
      throw ApplicationFailure.nonRetryable(
        `${spec.id}: ${error.message}`,
        ErrorType.databaseCertificateUntrusted,
      );
    }
  }

  /** LRO options that resume the poller an earlier attempt saved for the same operation. */
  function resumable(operation: string) {
    const saved = heartbeatDetails<{ operation?: string; poller?: string }>();
    return {
      ...(saved?.operation === operation && saved.poller ? { resumeFrom: saved.poller } : {}),
      onPollerState: (poller: string) => Context.current().heartbeat({ operation, poller }),
      abortSignal: Context.current().cancellationSignal,
    };
  }

  async function readSql(spec: DatabaseSpec): Promise<DatabaseMigrationStatus> {
    const resource = await arm.get(`${migrationPath(spec)}?$expand=MigrationStatusDetails`, sqlMigrationApi);
    return resource === undefined
      ? { state: 'not-started', migrationStatus: 'NotFound' }
      : sqlMigrationStatus(resource);
  }

  async function readClassic(ref: DatabaseRef): Promise<DatabaseMigrationStatus> {
    const { resourceGroup, name } = parseServiceId(ref.services.classic.serviceId);
    const taskName = classicTaskName(ref.spec);
    const task = await unlessMissing(
      dms.tasks.get(resourceGroup, name, classicEngine(ref.spec).project, taskName, { expand: 'output' }),
    );
    return task === undefined
      ? { state: 'not-started', migrationStatus: 'NotFound' }
      : classicTaskStatus(taskName, task, ref.spec.name);
  }

  const read = (ref: DatabaseRef) =>
    ref.spec.engine === 'SQL Server' ? readSql(ref.spec) : readClassic(ref);

  /** Re-reads until the migration leaves `while` (heartbeating); returns the new status. */
  async function waitWhile(ref: DatabaseRef, states: DatabaseMigrationStatus['state'][]) {
    for (;;) {
      const status = await read(ref);
      if (!states.includes(status.state)) return status;
      Context.current().heartbeat({ state: status.state, migrationStatus: status.migrationStatus });
      await pauseToPoll();
    }
  }

  function classicTaskProperties(
    spec: DatabaseSpec,
  ): MigrateMySqlAzureDbForMySqlSyncTaskProperties | MigratePostgreSqlAzureDbForPostgreSqlSyncTaskProperties {
    const engine = classicEngine(spec);
    const connection = (serverName: string, server: DatabaseServerConnection) => ({
      serverName,
      port: engine.port,
      userName: server.login.userName,
      password: server.login.password,
      // The classic API this SDK speaks (2018-07-15-preview) has no TLS fields for MySQL / PostgreSQL:
      // DMS decides; the worker's own certificate check (caFile) still runs before the task is created.
    });
    const targetName = lastSegment(spec.target.serverId);
    const source = connection(
      spec.sourceServer,
      serverConnection(connections.servers, 'source', spec.sourceServer),
    );
    const target = connection(
      `${targetName}.${engine.hostSuffix}`,
      serverConnection(connections.servers, 'target', targetName),
    );
    const selectedDatabases = [{ name: spec.name, targetDatabaseName: spec.target.databaseName }];
    return engine.taskType === 'Migrate.MySql.AzureDbForMySql.Sync'
      ? {
          taskType: engine.taskType,
          input: {
            sourceConnectionInfo: { type: 'MySqlConnectionInfo', ...source },
            targetConnectionInfo: { type: 'MySqlConnectionInfo', ...target },
            selectedDatabases,
          },
        }
      : {
          taskType: engine.taskType,
          input: {
            sourceConnectionInfo: { type: 'PostgreSqlConnectionInfo', ...source },
            targetConnectionInfo: { type: 'PostgreSqlConnectionInfo', ...target },
            selectedDatabases,
          },
        };
  }

  /** Shared work (no activity context): waits with plain timers that the work's `signal` stops. */
  async function ensureClassicService(ref: DatabaseRef, signal: AbortSignal): Promise<void> {
    const { classic, location } = ref.services;
    const { resourceGroup, name } = parseServiceId(classic.serviceId);
    const engine = classicEngine(ref.spec);
    const getService = () => unlessMissing(dms.services.get(resourceGroup, name));
    let service = await getService();
    if (!service) {
      // The SDK's own LRO wait cannot be resumed; the service's provisioningState is read below instead.
      await dms.services.beginCreateOrUpdate(
        {
          location,
          virtualSubnetId: classic.virtualSubnetId,
          sku: { name: classic.skuName, tier: classic.skuName.split('_')[0] },
        },
        resourceGroup,
        name,
      );
      service = await getService();
    }
    for (;;) {
      const state = service?.provisioningState ?? 'Unknown';
      if (state === 'Succeeded') break;
      if (['Failed', 'FailedToStart', 'FailedToStop', 'Stopped', 'Deleting'].includes(state)) {
        throw ApplicationFailure.nonRetryable(
          `Data Migration service ${name} is ${state}; an operator must repair or start it`,
          `Azure.Service${state}`,
        );
      }
      await sleep(deps.pollIntervalMs, undefined, { signal });
      service = await getService();
    }
    const project = await unlessMissing(dms.projects.get(resourceGroup, name, engine.project));
    if (!project) {
      await dms.projects.createOrUpdate(
        { location, sourcePlatform: engine.sourcePlatform, targetPlatform: engine.targetPlatform },
        resourceGroup,
        name,
        engine.project,
      );
    }
  }

  /**
   * A SQL migration service is prepared infrastructure, like the replication appliance: it only runs
   * migrations once someone has installed a self-hosted integration runtime and registered it with the
   * service's key, so the factory never creates one (a new one could run nothing). It must exist,
   * be provisioned and have its runtime online; otherwise the database holds with what to do.
   */
  async function requireSqlMigrationService(serviceId: string): Promise<void> {
    const service = await arm.get<{
      properties?: { provisioningState?: string; integrationRuntimeState?: string };
    }>(serviceId, sqlMigrationApi);
    const { resourceGroup, name } = parseSqlMigrationServiceId(serviceId);
    if (!service) {
      throw ApplicationFailure.nonRetryable(
        `The SQL migration service ${serviceId} does not exist. It is prepared before a wave, with its integration runtime: create it (az datamigration sql-service create --resource-group ${resourceGroup} --name ${name} --location <region>), register a self-hosted integration runtime with its key, then retry this database.`,
        ErrorType.sqlMigrationServiceNotReady,
      );
    }
    const provisioning = service.properties?.provisioningState ?? 'Unknown';
    if (provisioning !== 'Succeeded') {
      throw ApplicationFailure.nonRetryable(
        `The SQL migration service ${name} is ${provisioning}, not provisioned: wait for it (az datamigration sql-service show --resource-group ${resourceGroup} --name ${name}), register its integration runtime, then retry this database.`,
        ErrorType.sqlMigrationServiceNotReady,
      );
    }
    const runtime = service.properties?.integrationRuntimeState ?? 'Unknown';
    if (runtime !== 'Online') {
      throw ApplicationFailure.nonRetryable(
        integrationRuntimeSteps(serviceId, runtime),
        ErrorType.integrationRuntimeNotOnline,
      );
    }
  }

  /**
   * Each migration service (and classic project) this worker made sure of in the last minute, or is making
   * sure of now: hundreds of databases start within minutes and share one service, so they share one read
   * (and one create) instead of racing each other. The preparation is shared work (`shared-work.ts`): one
   * database's cancelled start neither aborts it nor fails the other databases' starts with "cancelled".
   */
  const servicesReady = new Map<string, { at: number; work: SharedWork<void> }>();
  const serviceRecheckMs = 60_000;

  /** Makes sure the migration service (and, for classic DMS, the engine's project) exists and is ready. */
  function ensureMigrationService(ref: DatabaseRef): Promise<void> {
    const key =
      ref.spec.engine === 'SQL Server'
        ? ref.services.sqlMigrationServiceId
        : `${ref.services.classic.serviceId}/${classicEngine(ref.spec).project}`;
    let entry = servicesReady.get(key);
    if (!entry || Date.now() - entry.at >= serviceRecheckMs || entry.work.abandoned) {
      const work = new SharedWork(async (signal) => {
        if (ref.spec.engine !== 'SQL Server') return ensureClassicService(ref, signal);
        await requireSqlMigrationService(ref.services.sqlMigrationServiceId);
      });
      const created = { at: Date.now(), work };
      servicesReady.set(key, created);
      work.result.then(
        () => (created.at = Date.now()),
        () => servicesReady.get(key) === created && servicesReady.delete(key),
      );
      entry = created;
    }
    const { work } = entry;
    return withAzureErrors(`prepare the migration service for ${ref.spec.id}`, () => work.join());
  }

  /** Scales the target to `sku`; reads the current tier first and skips when it already is there. */
  async function scaleDatabaseTarget(input: {
    spec: DatabaseSpec;
    sku: DatabaseSku;
  }): Promise<{ changed: boolean; sku: DatabaseSku }> {
    const { spec, sku } = input;
    const resourceId = sizedResourceId(spec.target);
    if (!resourceId) {
      throw ApplicationFailure.nonRetryable(
        `A ${spec.target.kind} target has no tier to scale`,
        ErrorType.invalidDatabaseSpec,
      );
    }
    const apiVersion = tierApiVersions[spec.target.kind];
    const operation = `scale:${sku.name}:${sku.tier ?? ''}:${sku.capacity ?? ''}`;
    return withAzureErrors(`scale ${lastSegment(resourceId)} to ${sku.name}`, async () => {
      const lro = resumable(operation);
      if (!lro.resumeFrom) {
        for (;;) {
          const target = await arm.get<{ sku?: DatabaseSku; properties?: Record<string, unknown> }>(
            resourceId,
            apiVersion,
          );
          if (!target) {
            throw ApplicationFailure.nonRetryable(
              `Target ${resourceId} does not exist`,
              ErrorType.azureResourceNotFound,
            );
          }
          const p = target.properties ?? {};
          const updating =
            p.provisioningState === 'Updating' || p.status === 'Scaling' || p.state === 'Updating';
          if (!updating && skuSatisfies(target.sku, sku)) return { changed: false, sku: target.sku ?? sku };
          if (!updating) break;
          // Another tier change (an earlier attempt's, or someone else's) runs: wait for it, then compare.
          Context.current().heartbeat({ waitingFor: 'tier change in progress' });
          await pauseToPoll();
        }
      }
      const patch = {
        sku: {
          name: sku.name,
          ...(sku.tier ? { tier: sku.tier } : {}),
          ...(sku.capacity ? { capacity: sku.capacity } : {}),
        },
      };
      const result = await arm.lro<{ sku?: DatabaseSku }>('PATCH', resourceId, apiVersion, patch, lro);
      return { changed: true, sku: result?.sku ?? sku };
    });
  }

  /** Deletes a finished migration's resource; a delete already running (an earlier attempt's) is waited for. */
  async function deleteSqlMigration(spec: DatabaseSpec): Promise<void> {
    for (;;) {
      try {
        await arm.lro('DELETE', migrationPath(spec), sqlMigrationApi, undefined, resumable('delete'));
        return;
      } catch (error) {
        const code = azureErrorCode(asRestError(error));
        if (
          code !== 'DeleteMigrationNotAllowedDeleteInProgress' &&
          code !== 'DeleteMigrationNotAllowedCancelInProgress'
        )
          throw error;
        if (
          code === 'DeleteMigrationNotAllowedDeleteInProgress' &&
          (await arm.get(migrationPath(spec), sqlMigrationApi)) === undefined
        )
          return;
        Context.current().heartbeat({ waitingFor: code });
        await pauseToPoll();
      }
    }
  }

  return asAzureActivities({
    scaleDatabaseTarget,

    /**
     * Starts the database's migration, or reuses the one already there: a running migration (an earlier
     * attempt's) is adopted and a completed one is never overwritten. A failed or cancelled one is replaced.
     * Before a new migration it makes sure the migration service is ready and scales the target up when the
     * spec asks (both no-ops when already done), in this one activity: thousands of databases start, and
     * each activity is a workflow task and an activity task more.
     */
    async startDatabaseMigration(ref: DatabaseRef): Promise<DatabaseMigrationStatus> {
      const { spec } = ref;
      const prepare = async () => {
        await checkSourceCertificate(spec);
        await ensureMigrationService(ref);
        if (spec.scaleUp) await scaleDatabaseTarget({ spec, sku: spec.scaleUp.migrationSku });
      };
      return withAzureErrors(`start the migration of ${spec.id}`, async () => {
        if (spec.engine === 'SQL Server') {
          const lro = resumable('create');
          if (!lro.resumeFrom) {
            const current = await readSql(spec);
            if (!['not-started', 'failed', 'canceled'].includes(current.state)) return current;
            await prepare();
          }
          try {
            await arm.lro(
              'PUT',
              migrationPath(spec),
              sqlMigrationApi,
              sqlMigrationRequest(spec, ref.services, connections),
              lro,
            );
          } catch (error) {
            // The runtime went offline since the service was checked: the next start checks it again.
            const rest = asRestError(error);
            if (azureErrorCode(rest) !== 'IntegrationRuntimeIsNotOnline') throw error;
            servicesReady.delete(ref.services.sqlMigrationServiceId);
            throw ApplicationFailure.nonRetryable(
              `${integrationRuntimeSteps(ref.services.sqlMigrationServiceId, 'not Online')}\nAzure: ${rest instanceof Error ? rest.message : String(rest)}`,
              ErrorType.integrationRuntimeNotOnline,
            );
          }
          return readSql(spec);
        }
        const current = await readClassic(ref);
        if (!['not-started', 'failed', 'canceled'].includes(current.state)) return current;
        await prepare();
        const { resourceGroup, name } = parseServiceId(ref.services.classic.serviceId);
        await dms.tasks.createOrUpdate(
          { properties: classicTaskProperties(spec) },
          resourceGroup,
          name,
          classicEngine(spec).project,
          classicTaskName(spec),
        );
        return readClassic(ref);
      });
    },

    /**
     * Reads the migration until its coarse progress changes (state, Azure's status, 10 % steps), it
     * finishes, or `maxWaitMs` passes; heartbeats in between. One workflow event per change, not per read.
     */
    async pollDatabaseMigration(input: DatabasePollInput): Promise<DatabasePollResult> {
      const started = Date.now();
      let waitMs = deps.pollIntervalMs;
      for (;;) {
        const status = await withAzureErrors(`read the migration of ${input.spec.id}`, () => read(input));
        const fingerprint = migrationFingerprint(status);
        if (
          isMigrationFinished(status.state) ||
          status.state === 'not-started' ||
          fingerprint !== input.previousFingerprint ||
          Date.now() - started >= input.maxWaitMs
        ) {
          return { fingerprint, status };
        }
        const wait = Math.min(waitMs, input.maxWaitMs - (Date.now() - started));
        Context.current().heartbeat({ fingerprint });
        await pause(wait);
        // Hundreds of databases copy at once and share the principal's ARM read budget (25/s) with the
        // replication polls: an unchanged migration is read at most every 8 poll intervals.
        waitMs = Math.min(waitMs * 2, deps.pollIntervalMs * 8);
      }
    },

    /**
     * Cuts a ready migration over and waits for the result (Succeeded, or Failed with Azure's code). A
     * cutover that already started is not started again; a migration that fell back behind is returned
     * as it is, for the workflow to wait until it is ready again.
     */
    async cutoverDatabaseMigration(ref: DatabaseRef): Promise<DatabaseMigrationStatus> {
      const { spec } = ref;
      return withAzureErrors(`cut over ${spec.id}`, async () => {
        const lro = resumable('cutover');
        let status = lro.resumeFrom ? undefined : await waitWhile(ref, ['canceling']);
        if (status && status.state !== 'ready') {
          return status.state === 'completing' ? waitWhile(ref, ['completing']) : status;
        }
        try {
          if (spec.engine === 'SQL Server') {
            await arm.lro(
              'POST',
              `${migrationPath(spec)}/cutover`,
              sqlMigrationApi,
              {
                migrationOperationId: status?.migrationOperationId,
              },
              lro,
            );
          } else {
            const { resourceGroup, name } = parseServiceId(ref.services.classic.serviceId);
            await dms.tasks.command(resourceGroup, name, classicEngine(spec).project, classicTaskName(spec), {
              commandType: 'Migrate.Sync.Complete.Database',
              input: { databaseName: spec.name },
            });
          }
        } catch (error) {
          const rest = asRestError(error);
          const code = azureErrorCode(rest) ?? '';
          // Not ready (fell behind, last log backup still restoring) or still validating: report it with the
          // current status; the workflow keeps waiting and asks again.
          if (cutoverNotYet.has(code) || code === 'DatabaseNotReadyToComplete') {
            const current = await read(ref);
            const message = rest instanceof Error ? rest.message : String(rest);
            return { ...current, cutoverRefused: { code, message } };
          }
          // Completed since the read (an earlier attempt's cutover): the result is read below.
          if (code === 'CutoverNotAllowedMigrationCompleteError')
            return waitWhile(ref, ['ready', 'completing']);
          // The cutover operation failed: the migration says why (read below).
          if (!(
            error instanceof Error && error.message.startsWith('The long-running operation has failed')
          )) {
            throw error;
          }
        }
        status = await waitWhile(ref, ['ready', 'completing']);
        return status;
      });
    },

    /**
     * Rollback: cancels a migration that is still moving data and removes its resource (SQL migration
     * API; classic tasks are cancelled and kept). Refused once a cutover has started or finished.
     */
    async cancelDatabaseMigration(ref: DatabaseRef): Promise<DatabaseMigrationStatus> {
      const { spec } = ref;
      return withAzureErrors(`cancel the migration of ${spec.id}`, async () => {
        let status = await read(ref);
        if (status.state === 'completing' || status.state === 'succeeded') {
          throw ApplicationFailure.nonRetryable(
            `The migration of ${spec.id} is ${status.migrationStatus}: the cutover has started, it cannot be cancelled`,
            ErrorType.cutoverAlreadyStarted,
          );
        }
        if (status.state === 'not-started') return status;
        if (!isMigrationFinished(status.state) && status.state !== 'canceling') {
          if (spec.engine === 'SQL Server') {
            const lro = resumable('cancel');
            for (;;) {
              try {
                await arm.lro(
                  'POST',
                  `${migrationPath(spec)}/cancel`,
                  sqlMigrationApi,
                  {
                    migrationOperationId: status.migrationOperationId,
                  },
                  lro,
                );
                break;
              } catch (error) {
                const rest = asRestError(error);
                const code = azureErrorCode(rest);
                // Still validating: it can be cancelled once that ends.
                if (code === 'MigrationStillValidating') {
                  Context.current().heartbeat({ waitingFor: 'validation to end' });
                  await pauseToPoll();
                  continue;
                }
                if (code !== 'MigrationNotReadyForCancelError' && code !== 'MigrationCancelFailed')
                  throw error;
                // Refused: ended on its own meanwhile (fine), or in a state Azure will not cancel from.
                status = await read(ref);
                if (status.state === 'completing' || status.state === 'succeeded') {
                  throw ApplicationFailure.nonRetryable(
                    `The migration of ${spec.id} is ${status.migrationStatus}: the cutover has started, it cannot be cancelled`,
                    ErrorType.cutoverAlreadyStarted,
                  );
                }
                if (isMigrationFinished(status.state) || status.state === 'canceling') break;
                throw ApplicationFailure.nonRetryable(
                  `Azure refused to cancel the migration of ${spec.id} (${code}: ${rest instanceof Error ? rest.message : String(rest)}); it is ${status.migrationStatus}. Check it in the portal (Azure Database Migration Service); retry asks Azure to cancel again.`,
                  azureErrorType(code),
                );
              }
            }
          } else {
            const { resourceGroup, name } = parseServiceId(ref.services.classic.serviceId);
            await dms.tasks.cancel(resourceGroup, name, classicEngine(spec).project, classicTaskName(spec));
          }
        }
        status = await waitWhile(ref, ['canceling', 'starting', 'copying', 'catching-up', 'ready']);
        if (spec.engine === 'SQL Server') await deleteSqlMigration(spec);
        return status;
      });
    },
  });
}

export type DataMigrationActivities = ReturnType<typeof createDataMigrationActivities>;
