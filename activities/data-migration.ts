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
import { ArmRest } from './arm-rest.ts';
import { asRestError, azureErrorCode, asAzureActivities, withAzureErrors } from './azure-errors.ts';
import { classicTaskStatus, migrationFingerprint, sqlMigrationStatus } from './database-status.ts';
import { ErrorType } from '../contracts/errors.ts';
import { pause } from './liveness.ts';
import { SharedWork } from './shared-work.ts';

export interface DatabaseConnectionSettings {
  sourceUserName: string;
  sourcePassword: string;
  targetUserName: string;
  targetPassword: string;
  /** UNC path of the share the SQL Server backups are written to (SQL MI / SQL VM targets). */
  backupFileShare?: string;
  /** Storage account the backups are uploaded to (SQL MI / SQL VM targets). */
  backupStorageAccountId?: string;
}

export interface DataMigrationDeps {
  /** core-client ServiceClient with the ARM credential and CA (workers/azure.ts). */
  armClient: ServiceClient;
  armEndpoint: string;
  dms: DataMigrationServiceClient;
  connections: DatabaseConnectionSettings;
  /** Poll interval of operation and state reads when Azure gives no Retry-After. */
  pollIntervalMs: number;
}

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

const migrationPath = (spec: DatabaseSpec) =>
  `${spec.target.serverId}/providers/Microsoft.DataMigration/databaseMigrations/${spec.target.databaseName}`;
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

const heartbeatDetails = <T>() => Context.current().info.heartbeatDetails as T | undefined;

export function createDataMigrationActivities(deps: DataMigrationDeps) {
  const arm = new ArmRest(deps.armClient, deps.armEndpoint, deps.pollIntervalMs);
  const { dms, connections } = deps;
  const pauseToPoll = () => pause(deps.pollIntervalMs);

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

  function sqlMigrationBody(spec: DatabaseSpec, services: DatabaseMigrationServices) {
    const { kind, serverId } = spec.target;
    const sql = (dataSource: string, userName: string, password: string) => ({
      dataSource,
      authentication: 'SqlAuthentication',
      userName,
      password,
      encryptConnection: true,
      trustServerCertificate: true,
    });
    return {
      properties: {
        kind,
        scope: serverId,
        migrationService: services.sqlMigrationServiceId,
        sourceDatabaseName: spec.name,
        sourceSqlConnection: sql(spec.sourceServer, connections.sourceUserName, connections.sourcePassword),
        ...(kind === 'SqlDb'
          ? {
              targetSqlConnection: sql(
                `${lastSegment(serverId)}.database.windows.net`,
                connections.targetUserName,
                connections.targetPassword,
              ),
            }
          : {
              backupConfiguration: {
                ...(connections.backupFileShare
                  ? { sourceLocation: { fileShare: { path: connections.backupFileShare } } }
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

  function classicTaskProperties(
    spec: DatabaseSpec,
  ): MigrateMySqlAzureDbForMySqlSyncTaskProperties | MigratePostgreSqlAzureDbForPostgreSqlSyncTaskProperties {
    const engine = classicEngine(spec);
    const connection = (serverName: string, userName: string, password: string) => ({
      serverName,
      port: engine.port,
      userName,
      password,
    });
    const source = connection(spec.sourceServer, connections.sourceUserName, connections.sourcePassword);
    const target = connection(
      `${lastSegment(spec.target.serverId)}.${engine.hostSuffix}`,
      connections.targetUserName,
      connections.targetPassword,
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
        const serviceId = ref.services.sqlMigrationServiceId;
        if ((await arm.get(serviceId, sqlMigrationApi)) === undefined) {
          await arm.lro(
            'PUT',
            serviceId,
            sqlMigrationApi,
            { location: ref.services.location },
            { abortSignal: signal },
          );
        }
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
          await arm.lro(
            'PUT',
            migrationPath(spec),
            sqlMigrationApi,
            sqlMigrationBody(spec, ref.services),
            lro,
          );
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
          const code = azureErrorCode(asRestError(error));
          // Fell behind between the read and the call: report it; the workflow waits for ready again.
          if (code === 'CutoverNotAllowed' || code === 'DatabaseNotReadyToComplete') return read(ref);
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
                // Still provisioning (validating): it can be cancelled once that ends.
                if (azureErrorCode(error) !== 'OperationInProgress') throw error;
                Context.current().heartbeat({ waitingFor: 'provisioning to end' });
                await pauseToPoll();
              }
            }
          } else {
            const { resourceGroup, name } = parseServiceId(ref.services.classic.serviceId);
            await dms.tasks.cancel(resourceGroup, name, classicEngine(spec).project, classicTaskName(spec));
          }
        }
        status = await waitWhile(ref, ['canceling', 'starting', 'copying', 'catching-up', 'ready']);
        if (spec.engine === 'SQL Server') {
          await arm.lro('DELETE', migrationPath(spec), sqlMigrationApi, undefined, resumable('delete'));
        }
        return status;
      });
    },
  });
}

export type DataMigrationActivities = ReturnType<typeof createDataMigrationActivities>;
