/**
 * `Microsoft.DataMigration/databaseMigrations` extension resources under SQL Managed Instance, SQL VM
 * and SQL Database targets (api-version 2025-06-30): create (online/offline), get (`$expand`), cutover
 * (MI and VM), cancel and delete (`force`). Every mutating call is a long-running operation with an
 * `Azure-AsyncOperation` status under `Microsoft.DataMigration/locations/{location}/operationStatuses`,
 * except a create on a migration that already succeeded: it answers 200 with the migration unchanged.
 * Refusals use the spec's codes (all 400 with the ARM envelope `{error:{code,message}}`):
 * `MigrationStillValidating` (cutover/cancel while provisioning), `MigrationNotReadyForCutoverError`,
 * `CutoverNotAllowedMigrationCompleteError`, `MigrationNotReadyForCancelError`, `MigrationCancelFailed`,
 * `OperationIdNotFound`, `DeleteMigrationNotAllowed*InProgress` and `IntegrationRuntimeIsNotOnline`.
 */
import {
  badRequest,
  conflict,
  idKey,
  notFound,
  sameId,
  objectBody,
  optionalObject,
  optionalString,
  requiredString,
  type ArmRequest,
  type ArmResponse,
  type ArmRoute,
} from '../arm.ts';
import { faultableScenarios } from '../faults.ts';
import type { Simulation } from '../simulation.ts';
import { databaseMigrationResource, migrationStatus } from './database-migration-view.ts';
import { isLive } from './model.ts';
import { acceptedOperation, startOperation } from './operations.ts';
import { apiVersions, databaseMigrationId, namespaces, targetIds } from './resources.ts';
import {
  findSqlMigrationService,
  integrationRuntimeName,
  integrationRuntimeState,
} from './sql-migration-services.ts';
import { sourceKey } from './seed.ts';
import { isTerminal, newSync, startCancel, startCutover } from './sync.ts';
import type {
  DatabaseMigration,
  DataSync,
  SourceDatabaseRecord,
  SqlMigrationKind,
  TargetResource,
} from './types.ts';

const apiVersion = apiVersions.sqlMigration[0];
const deleteSeconds = 10;
const secretFields = new Set(['password', 'accountKey']);

/** The request's properties without secrets. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !secretFields.has(key))
      .map(([key, inner]) => [key, withoutSecrets(inner)]),
  );
}

/**
 * What GET echoes of the request, as the spec's examples show it: no connection details or secrets, the
 * backup source reduced to its `fileStorageType`, and SQL Database migrations marked offline (read-only).
 */
function echoedInput(properties: Record<string, unknown>, kind: SqlMigrationKind): Record<string, unknown> {
  const echo = withoutSecrets(properties) as Record<string, unknown>;
  delete echo.sourceSqlConnection;
  delete echo.targetSqlConnection;
  const backup = echo.backupConfiguration as Record<string, unknown> | undefined;
  const source = backup?.sourceLocation as Record<string, unknown> | undefined;
  if (backup && source) {
    backup.sourceLocation = {
      fileStorageType: source.fileShare ? 'FileShare' : source.azureBlob ? 'AzureBlob' : 'None',
    };
  }
  if (kind === 'SqlDb') echo.offlineConfiguration = { offline: true };
  return echo;
}

/** A file-share backup source must carry the credentials the integration runtime reads the share with. */
function checkBackupSource(properties: Record<string, unknown>): void {
  const backup = optionalObject(properties.backupConfiguration, 'properties.backupConfiguration');
  const source = optionalObject(backup?.sourceLocation, 'properties.backupConfiguration.sourceLocation');
  const share = optionalObject(source?.fileShare, 'properties.backupConfiguration.sourceLocation.fileShare');
  if (!share) return;
  for (const field of ['path', 'username', 'password']) {
    const value = share[field];
    if (typeof value !== 'string' || value === '') {
      throw badRequest(
        'InvalidParameterValue',
        `An invalid value was provided for parameter 'backupConfiguration.sourceLocation.fileShare.${field}': the self-hosted integration runtime reads the backup share with these credentials.`,
      );
    }
  }
}

interface Scope {
  kind: SqlMigrationKind;
  serverId: string;
  server: TargetResource;
  location: string;
}

function resolveScope(sim: Simulation, kind: SqlMigrationKind, params: ArmRequest['params']): Scope {
  const { subscriptionId = '', resourceGroupName = '' } = params;
  const name = params.managedInstanceName ?? params.sqlVirtualMachineName ?? params.sqlDbInstanceName ?? '';
  const serverId =
    kind === 'SqlMi'
      ? targetIds.SqlMi(subscriptionId, resourceGroupName, name)
      : kind === 'SqlVm'
        ? targetIds.SqlVm(subscriptionId, resourceGroupName, name)
        : targetIds.SqlServer(subscriptionId, resourceGroupName, name);
  const server = sim.state.dataMigration.targets[idKey(serverId)];
  if (!server) {
    const type =
      kind === 'SqlMi'
        ? 'Microsoft.Sql/managedInstances'
        : kind === 'SqlVm'
          ? 'Microsoft.SqlVirtualMachine/sqlVirtualMachines'
          : 'Microsoft.Sql/servers';
    throw notFound(
      'ResourceNotFound',
      `The Resource '${type}/${name}' under resource group '${resourceGroupName}' was not found.`,
    );
  }
  return { kind, serverId: server.id, server, location: server.location };
}

function findMigration(sim: Simulation, scope: Scope, name: string): DatabaseMigration {
  const migration =
    sim.state.dataMigration.databaseMigrations[idKey(databaseMigrationId(scope.serverId, name))];
  if (!migration) {
    throw notFound(
      'ResourceNotFound',
      `The Resource 'Microsoft.DataMigration/databaseMigrations/${name}' under '${scope.server.name}' was not found.`,
    );
  }
  sim.dataMigration.settleMigration(migration, sim.now());
  return migration;
}

/** Finds the seeded source database by name and, when given, the host of `dataSource`. */
function findSource(sim: Simulation, name: string, dataSource: string | undefined): SourceDatabaseRecord {
  const host = dataSource?.split(/[.,\\:]/)[0]?.toLowerCase();
  const isSqlServer = (database: SourceDatabaseRecord | undefined) => database?.engine === 'SqlServer';
  const sources = sim.state.dataMigration.sourceDatabases;
  const source = host
    ? [sources[sourceKey(host, name)]].find(isSqlServer)
    : Object.values(sources).find(
        (database) => isSqlServer(database) && database.name.toLowerCase() === name.toLowerCase(),
      );
  if (!source) {
    throw badRequest(
      'SourceDatabaseNotFound',
      `Database '${name}' was not found on source SQL Server '${dataSource ?? '(any)'}'.`,
    );
  }
  return source;
}

function checkOperationId(migration: DatabaseMigration, body: unknown): void {
  const request = objectBody(body ?? {}, 'the migration operation');
  const operationId = requiredString(request.migrationOperationId, 'migrationOperationId');
  if (operationId.toLowerCase() !== migration.migrationOperationId.toLowerCase()) {
    throw badRequest('OperationIdNotFound', `Operation ID '${operationId}' not found.`);
  }
}

const targetText = (sim: Simulation, migration: DatabaseMigration) =>
  `Target server:'${sim.state.dataMigration.targets[idKey(migration.scope)]?.name ?? migration.scope}', Target database: '${migration.name}'.`;

/** Cutover and cancel wait for provisioning (the migration's validation) to end. */
function requireValidated(sim: Simulation, migration: DatabaseMigration, action: string): void {
  if (migration.provisioningState === 'Provisioning') {
    throw badRequest(
      'MigrationStillValidating',
      `Migration is still being validated. ${action} cannot be performed. ${targetText(sim, migration)}`,
    );
  }
}

const isCancelable = (sync: DataSync) => isLive(sync);
function create(sim: Simulation, scope: Scope, name: string, body: unknown): ArmResponse {
  const properties = optionalObject(objectBody(body, 'a database migration').properties, 'properties');
  if (!properties) throw badRequest('InvalidRequestContent', "The required field 'properties' is missing.");
  const kind = requiredString(properties.kind, 'properties.kind');
  if (kind.toLowerCase() !== scope.kind.toLowerCase()) {
    throw badRequest(
      'InvalidRequestContent',
      `properties.kind '${kind}' does not match the target; use '${scope.kind}' for this resource.`,
    );
  }
  const requestedScope = requiredString(properties.scope, 'properties.scope');
  if (idKey(requestedScope) !== idKey(scope.serverId)) {
    throw badRequest(
      'InvalidScope',
      `properties.scope '${requestedScope}' must be the target of this migration, '${scope.serverId}'.`,
    );
  }
  const serviceId = requiredString(properties.migrationService, 'properties.migrationService');
  const service = findSqlMigrationService(sim, serviceId);
  if (!service) {
    throw badRequest(
      'InvalidParameterValue',
      `An invalid value was provided for parameter 'migrationService': the SQL migration service '${serviceId}' does not exist.`,
    );
  }
  if (integrationRuntimeState(service) !== 'Online') {
    throw badRequest(
      'IntegrationRuntimeIsNotOnline',
      `Integration Runtime '${integrationRuntimeName(service)}' is not online for resource group '${service.resourceGroup}' subscription '${service.subscriptionId}'`,
    );
  }
  checkBackupSource(properties);
  const connection = optionalObject(properties.sourceSqlConnection, 'properties.sourceSqlConnection');
  const source = findSource(
    sim,
    requiredString(properties.sourceDatabaseName, 'properties.sourceDatabaseName'),
    optionalString(connection?.dataSource, 'properties.sourceSqlConnection.dataSource'),
  );
  const offlineConfiguration = optionalObject(
    properties.offlineConfiguration,
    'properties.offlineConfiguration',
  );
  if (offlineConfiguration?.offline !== undefined && typeof offlineConfiguration.offline !== 'boolean') {
    throw badRequest('InvalidRequestContent', "'properties.offlineConfiguration.offline' must be a boolean.");
  }
  // SQL Database targets migrate offline only (copy through Azure Data Factory).
  const online = scope.kind !== 'SqlDb' && offlineConfiguration?.offline !== true;
  let sizedTargetId = scope.serverId;
  if (scope.kind === 'SqlDb') {
    const database = sim.state.dataMigration.targets[idKey(`${scope.serverId}/databases/${name}`)];
    if (!database) {
      throw badRequest(
        'TargetDatabaseNotFound',
        `Target database '${name}' does not exist on server '${scope.server.name}'; create it before migrating.`,
      );
    }
    sizedTargetId = database.id;
  }
  const id = databaseMigrationId(scope.serverId, name);
  const existing = sim.state.dataMigration.databaseMigrations[idKey(id)];
  if (existing) {
    sim.dataMigration.settleMigration(existing, sim.now());
    if (existing.sync.phase === 'Succeeded') {
      // A completed migration is never started over (its target database is cut over): the PUT returns
      // it as it is, e.g. when a client retries the migration's first PUT after it completed.
      return {
        status: 200,
        body: databaseMigrationResource(sim, existing, false),
        outcome: 'noop',
        resourceId: existing.id,
      };
    }
    if (!isTerminal(existing.sync)) {
      throw conflict(
        'OperationInProgress',
        `Operation in progress on resource already. The migration of '${name}' is ${migrationStatus(existing.sync)}; cancel it or wait for it to finish.`,
      );
    }
  }
  const now = sim.now();
  const operation = startOperation(sim, {
    kind: 'create',
    resourceId: id,
    subscriptionId: scope.server.subscriptionId,
    location: scope.location,
  });
  const migration: DatabaseMigration = {
    id,
    kind: scope.kind,
    name,
    scope: scope.serverId,
    sizedTargetId,
    sourceKey: source.key,
    migrationServiceId: serviceId,
    migrationOperationId: sim.newGuid(),
    createOperationId: operation.name,
    provisioningState: 'Provisioning',
    createdAt: now,
    input: echoedInput(properties, scope.kind),
    sync: newSync({
      mode: scope.kind === 'SqlDb' ? 'fullLoad' : 'backupRestore',
      online,
      sizeMB: source.sizeMB,
      logRateMBPerHour: source.logRateMBPerHour,
      at: now,
    }),
  };
  sim.state.dataMigration.databaseMigrations[idKey(id)] = migration;
  sim.dataMigration.track({ migration: idKey(id) });
  sim.changed();
  return acceptedOperation(sim, operation, {
    namespace: namespaces.dataMigration,
    apiVersion,
    status: existing ? 200 : 201,
    body: databaseMigrationResource(sim, migration, false),
    outcome: existing ? 'updated' : 'created',
  });
}

function cutover(sim: Simulation, migration: DatabaseMigration, body: unknown): ArmResponse {
  checkOperationId(migration, body);
  requireValidated(sim, migration, 'Cutover');
  if (migration.sync.phase === 'Succeeded') {
    throw badRequest(
      'CutoverNotAllowedMigrationCompleteError',
      `Cutover is not allowed as migration for database '${migration.name}' is already complete`,
    );
  }
  const source = sim.state.dataMigration.sourceDatabases[migration.sourceKey];
  if (
    migration.sync.phase !== 'Ready' ||
    sim.faults.operationFails(
      'DatabaseCutoverNotReady',
      `${migration.migrationOperationId}:${sim.newGuid()}`,
      {
        database: source?.name ?? '',
      },
    )
  ) {
    throw badRequest(
      'MigrationNotReadyForCutoverError',
      `Database '${migration.name}' is not ready for Cutover operation`,
    );
  }
  const server = sim.state.dataMigration.targets[idKey(migration.scope)];
  const operation = startOperation(sim, {
    kind: 'cutover',
    resourceId: migration.id,
    subscriptionId: server?.subscriptionId ?? '',
    location: server?.location ?? '',
  });
  const history = sim.state.dataMigration.history.cutovers;
  history[migration.migrationOperationId] = (history[migration.migrationOperationId] ?? 0) + 1;
  const fails = sim.faults.operationFails('DatabaseCutover', operation.name, {
    database: source?.name ?? '',
  });
  const { code, message } = faultableScenarios.DatabaseCutover;
  startCutover(
    migration.sync,
    sim.dataMigration.migrationRates(migration),
    sim.now(),
    fails ? { code, message } : undefined,
  );
  sim.dataMigration.track({ migration: idKey(migration.id) });
  migration.pendingOperationId = operation.name;
  sim.changed();
  return acceptedOperation(sim, operation, { namespace: namespaces.dataMigration, apiVersion });
}

function cancel(sim: Simulation, migration: DatabaseMigration, body: unknown): ArmResponse {
  checkOperationId(migration, body);
  requireValidated(sim, migration, 'Cancel');
  if (isTerminal(migration.sync)) {
    throw badRequest(
      'MigrationCancelFailed',
      `Cancel could not be performed on operation '${migration.migrationOperationId}' for database '${migration.name}'. This can happen if the migration with MigrationId '${migration.migrationOperationId}' is already completed or canceled. Please check the migration for details.`,
    );
  }
  if (!isCancelable(migration.sync)) {
    throw badRequest(
      'MigrationNotReadyForCancelError',
      `Migration cannot be canceled as it is not in a cancelable state. ${targetText(sim, migration)}`,
    );
  }
  const server = sim.state.dataMigration.targets[idKey(migration.scope)];
  const operation = startOperation(sim, {
    kind: 'cancel',
    resourceId: migration.id,
    subscriptionId: server?.subscriptionId ?? '',
    location: server?.location ?? '',
  });
  startCancel(migration.sync, sim.now());
  sim.dataMigration.track({ migration: idKey(migration.id) });
  migration.pendingOperationId = operation.name;
  sim.changed();
  return acceptedOperation(sim, operation, { namespace: namespaces.dataMigration, apiVersion });
}

function remove(sim: Simulation, scope: Scope, name: string, query: URLSearchParams): ArmResponse {
  const migration =
    sim.state.dataMigration.databaseMigrations[idKey(databaseMigrationId(scope.serverId, name))];
  if (!migration) return { status: 204, outcome: 'noop' };
  sim.dataMigration.settleMigration(migration, sim.now());
  const force = (query.get('force') ?? 'false').toLowerCase() === 'true';
  const deleting = Object.values(sim.state.dataMigration.operations).some(
    (operation) =>
      operation.kind === 'delete' &&
      operation.status === 'InProgress' &&
      sameId(operation.resourceId, migration.id),
  );
  if (deleting) {
    throw badRequest(
      'DeleteMigrationNotAllowedDeleteInProgress',
      `Database migration to the target resource '${name}' is currently deleting. Please wait until the delete operation is complete`,
    );
  }
  if (!isTerminal(migration.sync) && !force) {
    const [code, message] =
      migration.sync.phase === 'Completing'
        ? [
            'DeleteMigrationNotAllowedCutoverInProgress',
            `Database migration to the target resource '${name}' is currently being cutover. To delete the migration, please wait until the cutover operation is complete`,
          ]
        : migration.sync.phase === 'Canceling'
          ? [
              'DeleteMigrationNotAllowedCancelInProgress',
              `Database migration to the target resource '${name}' is currently being canceled. To delete the migration, please wait until the cancel operation is complete`,
            ]
          : [
              'DeleteMigrationNotAllowedMigrationInProgress',
              `Database migration to the target resource '${name}' is currently in progress. To delete the migration, please wait until the migration has completed or cancel the migration manually, and then retry deleting the migration. Alternatively, use the force delete option to cancel ongoing operations and delete`,
            ];
    throw badRequest(code, message);
  }
  const operation = startOperation(sim, {
    kind: 'delete',
    resourceId: migration.id,
    subscriptionId: scope.server.subscriptionId,
    location: scope.location,
    durationSeconds: deleteSeconds,
  });
  // force: stop the running migration; the resource goes away when the delete operation ends.
  if (!isTerminal(migration.sync)) {
    startCancel(migration.sync, sim.now());
    sim.dataMigration.track({ migration: idKey(migration.id) });
  }
  return acceptedOperation(sim, operation, {
    namespace: namespaces.dataMigration,
    apiVersion,
    outcome: 'deleted',
  });
}

export function databaseMigrationRoutes(sim: Simulation): ArmRoute[] {
  const group = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers';
  const targets: { kind: SqlMigrationKind; path: string; cutover: boolean }[] = [
    { kind: 'SqlMi', path: 'Microsoft.Sql/managedInstances/{managedInstanceName}', cutover: true },
    {
      kind: 'SqlVm',
      path: 'Microsoft.SqlVirtualMachine/sqlVirtualMachines/{sqlVirtualMachineName}',
      cutover: true,
    },
    { kind: 'SqlDb', path: 'Microsoft.Sql/servers/{sqlDbInstanceName}', cutover: false },
  ];
  return targets.flatMap(({ kind, path, cutover: withCutover }): ArmRoute[] => {
    const base = `${group}/${path}/providers/Microsoft.DataMigration/databaseMigrations/{targetDbName}`;
    const op = (name: string) => `DatabaseMigrations${kind}_${name}`;
    const scopeOf = (params: ArmRequest['params']) => resolveScope(sim, kind, params);
    const action = (
      name: string,
      run: (migration: DatabaseMigration, body: unknown) => ArmResponse,
    ): ArmRoute => ({
      pattern: `${base}/${name.toLowerCase()}`,
      methods: {
        POST: {
          operation: op(name),
          apiVersions: apiVersions.sqlMigration,
          handle: ({ params, body }) =>
            run(findMigration(sim, scopeOf(params), params.targetDbName ?? ''), body),
        },
      },
    });
    return [
      {
        pattern: base,
        methods: {
          GET: {
            operation: op('Get'),
            apiVersions: apiVersions.sqlMigration,
            handle: ({ params, query }) => {
              const migration = findMigration(sim, scopeOf(params), params.targetDbName ?? '');
              const operationId = query.get('migrationOperationId');
              if (operationId && operationId.toLowerCase() !== migration.migrationOperationId.toLowerCase()) {
                throw badRequest('OperationIdNotFound', `Operation ID '${operationId}' not found.`);
              }
              const expand = (query.get('$expand') ?? '').toLowerCase() === 'migrationstatusdetails';
              return { status: 200, body: databaseMigrationResource(sim, migration, expand) };
            },
          },
          PUT: {
            operation: op('CreateOrUpdate'),
            apiVersions: apiVersions.sqlMigration,
            handle: ({ params, body }) => create(sim, scopeOf(params), params.targetDbName ?? '', body),
          },
          DELETE: {
            operation: op('Delete'),
            apiVersions: apiVersions.sqlMigration,
            handle: ({ params, query }) => remove(sim, scopeOf(params), params.targetDbName ?? '', query),
          },
        },
      },
      action('Cancel', (migration, body) => cancel(sim, migration, body)),
      ...(withCutover ? [action('Cutover', (migration, body) => cutover(sim, migration, body))] : []),
    ];
  });
}
