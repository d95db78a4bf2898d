import type {
  MigrateMySqlAzureDbForMySqlSyncTaskOutputDatabaseLevel,
  MigrateMySqlAzureDbForMySqlSyncTaskProperties,
  MigratePostgreSqlAzureDbForPostgreSqlSyncTaskProperties,
} from '@azure/arm-datamigration/esm/models/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armClient,
  classicDmsClient,
  databaseSeed,
  miId,
  migrationServiceId,
  mysqlTask,
  sqlServerId,
  targetGroup,
  vmId,
  type ArmClient,
} from './data-migration-helpers.ts';
import { scope, startTestSimulator, type TestSimulator } from './helpers.ts';

const speed = 20_000;
const migrationPath = (serverId: string, db: string) =>
  `${serverId}/providers/Microsoft.DataMigration/databaseMigrations/${db}`;

interface Migration {
  properties: {
    provisioningState: string;
    migrationStatus: string;
    migrationOperationId: string;
    migrationFailureError?: { code: string; message: string };
    migrationStatusDetails?: Record<string, unknown>;
  };
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function expectRestError(promise: Promise<unknown>, status: number, code: string) {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  // core-rest-pipeline and ms-rest-js (arm-datamigration 2.1.1) both throw a RestError with these fields.
  expect(error, `expected an error ${status} ${code}`).toBeInstanceOf(Error);
  expect(error).toMatchObject({ statusCode: status, code });
}

describe('Database Migration through core-client and arm-datamigration 2.1.1', () => {
  let t: TestSimulator;
  let arm: ArmClient;
  const get = async (serverId: string, db: string) =>
    (await arm.send('GET', `${migrationPath(serverId, db)}?$expand=MigrationStatusDetails`))
      .body as unknown as Migration;
  const status = (serverId: string, db: string, wanted: string) =>
    waitFor(
      () => get(serverId, db),
      (m) => m.properties.migrationStatus === wanted,
      `${db} ${wanted}`,
    );

  const createBody = (serverId: string, kind: string, db: string, offline: boolean) => ({
    properties: {
      kind,
      scope: serverId,
      migrationService: migrationServiceId,
      sourceDatabaseName: db,
      sourceSqlConnection: {
        dataSource: `${databaseSeed().databases.find((d) => d.name === db)?.sourceServer}.contoso.local`,
        authentication: 'SqlAuthentication',
        userName: 'migrator',
        password: 'not-echoed',
        encryptConnection: true,
        trustServerCertificate: true,
      },
      ...(kind === 'SqlDb'
        ? {}
        : {
            backupConfiguration: {
              sourceLocation: {
                fileShare: { path: '\\\\backup01\\sql', username: 'contoso\\svc', password: 'x' },
              },
              targetLocation: { storageAccountResourceId: `${migrationServiceId}/sa`, accountKey: 'k' },
            },
            offlineConfiguration: { offline, ...(offline ? { lastBackupName: `${db}_last.bak` } : {}) },
          }),
    },
  });

  beforeAll(async () => {
    t = await startTestSimulator({ speed });
    await t.admin.seedDatabases(databaseSeed());
    arm = armClient(t.sim);
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('serves the seeded SQL migration service (runtime online) and the targets', async () => {
    const service = await arm.send('GET', migrationServiceId);
    expect(service.body).toMatchObject({
      name: 'sqlms-factory',
      type: 'Microsoft.DataMigration/sqlMigrationServices',
      properties: { provisioningState: 'Succeeded', integrationRuntimeState: 'Online' },
    });
    const mi = await arm.send('GET', miId, undefined, '2023-08-01');
    expect(mi.body).toMatchObject({ sku: { name: 'GP_Gen5', capacity: 8 }, properties: { vCores: 8 } });
    await expectRestError(
      arm.send('GET', `${miId}-missing`, undefined, '2023-08-01'),
      404,
      'ResourceNotFound',
    );
  });

  it('runs an online SQL MI migration to ReadyForCutover, cuts it over and refuses a second cutover', async () => {
    const path = migrationPath(miId, 'payroll');
    const created = (await arm.lro('PUT', path, createBody(miId, 'SqlMi', 'payroll', false))) as Migration;
    expect(created.properties).toMatchObject({
      provisioningState: 'Succeeded',
      migrationStatus: 'UploadingFullBackup',
    });
    expect(JSON.stringify(created)).not.toContain('not-echoed');
    const uploading = await get(miId, 'payroll');
    expect(uploading.properties.migrationStatusDetails).toMatchObject({ isFullBackupRestored: false });
    await expectRestError(
      arm.lro('POST', `${path}/cutover`, { migrationOperationId: created.properties.migrationOperationId }),
      400,
      'MigrationNotReadyForCutoverError',
    );
    await expectRestError(
      arm.lro('POST', `${path}/cutover`, { migrationOperationId: '00000000-0000-0000-0000-000000000000' }),
      400,
      'OperationIdNotFound',
    );
    await expectRestError(
      arm.send('PUT', path, createBody(miId, 'SqlMi', 'payroll', false)),
      409,
      'OperationInProgress',
    );
    await expectRestError(arm.send('DELETE', path), 400, 'DeleteMigrationNotAllowedMigrationInProgress');
    const ready = await status(miId, 'payroll', 'ReadyForCutover');
    expect(ready.properties.migrationStatusDetails).toMatchObject({
      isFullBackupRestored: true,
      migrationState: 'ReadyForCutover',
    });
    await arm.lro('POST', `${path}/cutover`, { migrationOperationId: ready.properties.migrationOperationId });
    const done = await get(miId, 'payroll');
    expect(done.properties.migrationStatus).toBe('Succeeded');
    expect(done.properties.migrationStatusDetails).toMatchObject({ pendingLogBackupsCount: 0 });
    await expectRestError(
      arm.lro('POST', `${path}/cutover`, { migrationOperationId: ready.properties.migrationOperationId }),
      400,
      'CutoverNotAllowedMigrationCompleteError',
    );
    await expectRestError(
      arm.lro('POST', `${path}/cancel`, { migrationOperationId: ready.properties.migrationOperationId }),
      400,
      'MigrationCancelFailed',
    );
    await arm.lro('DELETE', path);
    await expectRestError(arm.send('GET', path), 404, 'ResourceNotFound');
  });

  it('runs offline SQL VM and SQL Database migrations to Succeeded and cancels a SQL VM migration', async () => {
    await arm.lro(
      'PUT',
      migrationPath(sqlServerId, 'reporting'),
      createBody(sqlServerId, 'SqlDb', 'reporting', true),
    );
    const copied = await status(sqlServerId, 'reporting', 'Succeeded');
    expect(copied.properties.migrationStatusDetails).toMatchObject({ migrationState: 'Completed' });
    const created = (await arm.lro(
      'PUT',
      migrationPath(vmId, 'crm'),
      createBody(vmId, 'SqlVm', 'crm', false),
    )) as Migration;
    await arm.lro('POST', `${migrationPath(vmId, 'crm')}/cancel`, {
      migrationOperationId: created.properties.migrationOperationId,
    });
    expect((await get(vmId, 'crm')).properties.migrationStatus).toBe('Canceled');
    await arm.lro('PUT', migrationPath(vmId, 'crm'), createBody(vmId, 'SqlVm', 'crm', true));
    await status(vmId, 'crm', 'Succeeded');
  });

  it('rejects bad input with Azure codes', async () => {
    const body = createBody(miId, 'SqlMi', 'nope', false);
    await expectRestError(arm.send('PUT', migrationPath(miId, 'nope'), body), 400, 'SourceDatabaseNotFound');
    await expectRestError(
      arm.send('PUT', migrationPath(miId, 'payroll'), createBody(vmId, 'SqlVm', 'payroll', false)),
      400,
      'InvalidRequestContent',
    );
    await expectRestError(
      arm.send('GET', migrationPath(miId, 'x'), undefined, '2020-01-01'),
      400,
      'InvalidApiVersionParameter',
    );
  });

  it('waits for a scale-up when log arrives faster than the target restores it', async () => {
    const path = migrationPath(miId, 'ledger');
    await arm.lro('PUT', path, createBody(miId, 'SqlMi', 'ledger', false));
    await status(miId, 'ledger', 'Restoring');
    // Hours of log later, the restore still waits for a larger target.
    await t.admin.advanceClock(10_000);
    const behind = await get(miId, 'ledger');
    expect(behind.properties.migrationStatus).toBe('Restoring');
    expect(behind.properties.migrationStatusDetails).toMatchObject({ isFullBackupRestored: true });
    expect(String(behind.properties.migrationStatusDetails?.restoreBlockingReason)).toContain(
      'scale the target up',
    );
    const scaled = (await arm.lro('PATCH', miId, { sku: { capacity: 16 } }, '2023-08-01')) as {
      sku: { capacity: number };
    };
    expect(scaled.sku.capacity).toBe(16);
    // Hours later the larger target has caught up.
    await t.admin.advanceClock(10_000);
    await status(miId, 'ledger', 'ReadyForCutover');
    const down = (await arm.lro('PATCH', miId, { properties: { vCores: 8 } }, '2023-08-01')) as {
      properties: { vCores: number };
    };
    expect(down.properties.vCores).toBe(8);
  });

  it('scales SQL Database and flexible-server tiers as long-running operations', async () => {
    const db = `${sqlServerId}/databases/reporting`;
    const scaled = (await arm.lro(
      'PATCH',
      db,
      { sku: { name: 'GP_Gen5', tier: 'GeneralPurpose', capacity: 8 } },
      '2023-08-01',
    )) as {
      sku: { capacity: number };
      properties: { status: string };
    };
    expect(scaled).toMatchObject({ sku: { capacity: 8 }, properties: { status: 'Online' } });
    const mysql = `/subscriptions/${scope.subscriptionId}/resourceGroups/${targetGroup}/providers/Microsoft.DBforMySQL/flexibleServers/mysql-intranet`;
    const flex = (await arm.lro(
      'PATCH',
      mysql,
      { sku: { name: 'Standard_D8ds_v4', tier: 'GeneralPurpose' } },
      '2023-12-30',
    )) as {
      sku: { name: string; capacity: number };
    };
    expect(flex.sku).toMatchObject({ name: 'Standard_D8ds_v4', capacity: 8 });
  });

  it('creates a SQL migration service as a long-running operation; migrations wait for a registered runtime', async () => {
    const serviceId = migrationServiceId.replace(/sqlms-factory$/, 'sqlms-new');
    await t.admin.seedDatabases({
      ...databaseSeed(),
      databases: [
        {
          name: 'archive',
          sourceServer: 'payroll-db-01',
          engine: 'SqlServer',
          version: '2019',
          sizeMB: 5_000,
          logRateMBPerHour: 100,
          target: { kind: 'SqlMi', resourceGroup: targetGroup, server: 'sqlmi-payroll' },
        },
      ],
    });
    const created = await arm.send('PUT', serviceId, { location: scope.location });
    expect(created.status).toBe(201);
    expect(created.headers['azure-asyncoperation']).toContain('/operationStatuses/');
    expect(created.body).toMatchObject({ properties: { provisioningState: 'Updating' } });
    await t.admin.advanceClock(120);
    const service = await arm.send('GET', serviceId);
    expect(service.body).toMatchObject({
      properties: { provisioningState: 'Succeeded', integrationRuntimeState: 'NeedRegistration' },
    });
    const keys = (await arm.send('POST', `${serviceId}/listAuthKeys`)).body;
    expect(keys.authKey1).toMatch(/^IR@[0-9a-f-]{36}@sqlms-new@ServiceEndpoint=/);
    expect(keys.authKey2).not.toBe(keys.authKey1);
    expect((await arm.send('POST', `${serviceId}/listMonitoringData`)).body).toMatchObject({ nodes: [] });

    const path = migrationPath(miId, 'archive');
    const body = createBody(miId, 'SqlMi', 'archive', false);
    body.properties.migrationService = serviceId;
    body.properties.sourceSqlConnection.dataSource = 'payroll-db-01.contoso.local';
    await expectRestError(arm.send('PUT', path, body), 400, 'IntegrationRuntimeIsNotOnline');

    await t.admin.setIntegrationRuntime(serviceId, true);
    expect((await arm.send('GET', serviceId)).body).toMatchObject({
      properties: { integrationRuntimeState: 'Online' },
    });
    const monitoring = (await arm.send('POST', `${serviceId}/listMonitoringData`)).body as {
      nodes: { nodeName: string }[];
    };
    expect(monitoring.nodes).toHaveLength(1);

    const noPassword = createBody(miId, 'SqlMi', 'archive', false);
    noPassword.properties.migrationService = serviceId;
    noPassword.properties.sourceSqlConnection.dataSource = 'payroll-db-01.contoso.local';
    noPassword.properties.backupConfiguration = {
      sourceLocation: { fileShare: { path: '\\\\backup01\\sql', username: 'contoso\\svc', password: '' } },
      targetLocation: { storageAccountResourceId: `${serviceId}/sa`, accountKey: 'k' },
    };
    await expectRestError(arm.send('PUT', path, noPassword), 400, 'InvalidParameterValue');

    // Accepted, still validating: cutover and cancel wait for provisioning to end. The clock all but
    // stops so each phase is observable whatever the load; it moves in explicit steps.
    await t.admin.setSpeed(0.001);
    const accepted = await arm.send('PUT', path, body);
    expect(accepted.status).toBe(201);
    const operationId = (accepted.body as unknown as Migration).properties.migrationOperationId;
    expect(accepted.body).toMatchObject({
      properties: { backupConfiguration: { sourceLocation: { fileStorageType: 'FileShare' } } },
    });
    expect(JSON.stringify(accepted.body)).not.toContain('backup01');
    await expectRestError(
      arm.send('POST', `${path}/cutover`, { migrationOperationId: operationId }),
      400,
      'MigrationStillValidating',
    );
    await expectRestError(
      arm.send('POST', `${path}/cancel`, { migrationOperationId: operationId }),
      400,
      'MigrationStillValidating',
    );
    await expectRestError(
      arm.send('GET', `${path}?migrationOperationId=00000000-0000-0000-0000-000000000000`),
      400,
      'OperationIdNotFound',
    );

    // The runtime goes offline: nothing more is uploaded until it is back.
    await t.admin.advanceClock(61);
    await status(miId, 'archive', 'UploadingFullBackup');
    await t.admin.setIntegrationRuntime(serviceId, false);
    expect((await arm.send('GET', serviceId)).body).toMatchObject({
      properties: { integrationRuntimeState: 'Offline' },
    });
    const stalled = await get(miId, 'archive');
    await t.admin.advanceClock(3_600);
    const later = await get(miId, 'archive');
    expect(later.properties.migrationStatus).toBe('UploadingFullBackup');
    expect(later.properties.migrationStatusDetails?.fileUploadBlockingErrors).not.toEqual([]);
    const written = (migration: Migration) =>
      (
        migration.properties.migrationStatusDetails?.fullBackupSetInfo as {
          listOfBackupFiles: { dataWritten: number }[];
        }
      ).listOfBackupFiles[0]?.dataWritten;
    expect(written(later)).toBe(written(stalled));
    await t.admin.setIntegrationRuntime(serviceId, true);
    await t.admin.setSpeed(speed);
    await arm.lro('POST', `${path}/cancel`, { migrationOperationId: operationId });
    await expectRestError(
      arm.send('POST', `${path}/cancel`, { migrationOperationId: operationId }),
      400,
      'MigrationCancelFailed',
    );

    const regenerated = (await arm.send('POST', `${serviceId}/regenerateAuthKeys`, { keyName: 'authKey2' }))
      .body;
    expect(regenerated.authKey2).not.toBe(keys.authKey2);
    await expectRestError(
      arm.send('POST', `${serviceId}/regenerateAuthKeys`, { keyName: 'authKey3' }),
      400,
      'RegenerateAuthenticationKeyNameInvalid',
    );
  });

  it('runs classic DMS MySQL and PostgreSQL online migrations through arm-datamigration 2.1.1', async () => {
    const dms = classicDmsClient(t.sim);
    const subnet = `/subscriptions/${scope.subscriptionId}/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet/subnets/dms`;
    const service = await dms.services.createOrUpdate(
      {
        location: scope.location,
        virtualSubnetId: subnet,
        sku: { name: 'Premium_4vCores', tier: 'Premium' },
      },
      scope.resourceGroup,
      'dms-factory',
    );
    expect(service.provisioningState).toBe('Succeeded');
    expect((await dms.services.get(scope.resourceGroup, 'dms-factory')).sku?.name).toBe('Premium_4vCores');
    for (const [project, source, target] of [
      ['mysql-project', 'MySQL', 'AzureDbForMySql'],
      ['pg-project', 'PostgreSql', 'AzureDbForPostgreSql'],
    ] as const) {
      await dms.projects.createOrUpdate(
        { location: scope.location, sourcePlatform: source, targetPlatform: target },
        scope.resourceGroup,
        'dms-factory',
        project,
      );
      expect((await dms.projects.get(scope.resourceGroup, 'dms-factory', project)).provisioningState).toBe(
        'Succeeded',
      );
    }

    const pgTask: MigratePostgreSqlAzureDbForPostgreSqlSyncTaskProperties = {
      taskType: 'Migrate.PostgreSql.AzureDbForPostgreSql.Sync',
      input: {
        sourceConnectionInfo: {
          type: 'PostgreSqlConnectionInfo',
          serverName: 'intranet-db-01',
          port: 5432,
          userName: 'pg',
          password: 'secret',
        },
        targetConnectionInfo: {
          type: 'PostgreSqlConnectionInfo',
          serverName: 'pg-wiki.postgres.database.azure.com',
          port: 5432,
          userName: 'pg',
          password: 'secret',
        },
        selectedDatabases: [{ name: 'wiki', targetDatabaseName: 'wiki' }],
      },
    };
    // All but stop the clock so the first phases are observable whatever the load, then run it again.
    await t.admin.setSpeed(0.001);
    const created = await dms.tasks.createOrUpdate(
      { properties: mysqlTask },
      scope.resourceGroup,
      'dms-factory',
      'mysql-project',
      'intranet-sync',
    );
    expect(created.properties?.state).toBe('Queued');
    await dms.tasks.createOrUpdate(
      { properties: pgTask },
      scope.resourceGroup,
      'dms-factory',
      'pg-project',
      'wiki-sync',
    );
    const databaseLevel = async (project: string, task: string) => {
      const got = await dms.tasks.get(scope.resourceGroup, 'dms-factory', project, task, {
        expand: 'output',
      });
      const output = (got.properties as MigrateMySqlAzureDbForMySqlSyncTaskProperties).output ?? [];
      return {
        task: got,
        output,
        database: output.find(
          (entry): entry is MigrateMySqlAzureDbForMySqlSyncTaskOutputDatabaseLevel =>
            entry.resultType === 'DatabaseLevelOutput',
        ),
      };
    };
    const first = await databaseLevel('mysql-project', 'intranet-sync');
    expect(first.database?.migrationState).toBe('CONFIGURING');
    expect(first.output[0]).toMatchObject({ resultType: 'MigrationLevelOutput', sourceServerVersion: '8.0' });
    await expectRestError(
      dms.tasks.command(scope.resourceGroup, 'dms-factory', 'mysql-project', 'intranet-sync', {
        commandType: 'Migrate.Sync.Complete.Database',
        input: { databaseName: 'intranet' },
      }),
      400,
      'DatabaseNotReadyToComplete',
    );
    await t.admin.setSpeed(speed);
    const ready = await waitFor(
      () => databaseLevel('mysql-project', 'intranet-sync'),
      (value) => value.database?.migrationState === 'READY_TO_COMPLETE',
      'READY_TO_COMPLETE',
    );
    expect(ready.database).toMatchObject({ initializationCompleted: true, fullLoadErroredTables: 0 });
    expect(ready.database?.fullLoadCompletedTables).toBeGreaterThan(0);
    expect(ready.database?.appliedChanges).toBeGreaterThan(0);
    const command = await dms.tasks.command(
      scope.resourceGroup,
      'dms-factory',
      'mysql-project',
      'intranet-sync',
      {
        commandType: 'Migrate.Sync.Complete.Database',
        input: { databaseName: 'intranet' },
      },
    );
    expect(command.state).toBe('Accepted');
    const complete = await waitFor(
      () => databaseLevel('mysql-project', 'intranet-sync'),
      (value) => value.database?.migrationState === 'COMPLETE',
      'COMPLETE',
    );
    expect(complete.task.properties?.state).toBe('Succeeded');
    const canceled = await dms.tasks.cancel(scope.resourceGroup, 'dms-factory', 'pg-project', 'wiki-sync');
    expect(canceled.properties?.taskType).toBe('Migrate.PostgreSql.AzureDbForPostgreSql.Sync');
    await waitFor(
      () => databaseLevel('pg-project', 'wiki-sync'),
      (value) =>
        value.task.properties?.state === 'Canceled' && value.database?.migrationState === 'CANCELLED',
      'CANCELLED',
    );
    const audit = await t.admin.audit();
    expect(audit.entries.map((entry) => entry.operation)).toEqual(
      expect.arrayContaining([
        'Services_CreateOrUpdate',
        'Tasks_CreateOrUpdate',
        'Tasks_Command',
        'Tasks_Cancel',
      ]),
    );
    expect((await t.admin.invariants()).violations).toEqual([]);
  });
});
