/**
 * Database Migration conformance: the simulator's answers (and the factory's requests) against the spec's
 * recorded examples. SQL migration API 2025-06-30: the registry has no SDK for it that runs on Node 20, so
 * the examples are the only reference (status, LRO headers, fields and enum values the factory reads).
 * Classic DMS 2018-07-15-preview: every body also goes through `@azure/arm-datamigration`'s own mappers.
 */
import * as Mappers from '@azure/arm-datamigration/esm/models/mappers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlMigrationRequest } from '../../activities/data-migration.ts';
import type { DatabaseSpec } from '../../domain/migration.ts';
import {
  armClient,
  databaseSeed,
  miId,
  migrationServiceId,
  sqlServerId,
  vmId,
  type ArmClient,
  type ArmResult,
} from '../simulator/data-migration-helpers.ts';
import { scope, startTestSimulator, type TestSimulator } from '../simulator/helpers.ts';
import { expectLikeExample, mapperProblems, specExample, valueAt } from './spec-example.ts';

const sql = '2025-06-30';
const classic = '2018-07-15-preview';
const mappers = Mappers as unknown as Record<string, unknown>;
const migrationPath = (serverId: string, db: string) =>
  `${serverId}/providers/Microsoft.DataMigration/databaseMigrations/${db}`;
const kindOf = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

/** A refusal: the status and the ARM error envelope of the spec's `default` response. */
async function refusal(
  call: Promise<unknown>,
): Promise<{ statusCode?: number; code?: string; message: string }> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'expected Azure to refuse').toBeInstanceOf(Error);
  return error as { statusCode?: number; code?: string; message: string };
}

describe('Database Migration conformance (2025-06-30 examples; classic DMS through arm-datamigration mappers)', () => {
  let t: TestSimulator;
  let arm: ArmClient;
  const spec = (name: string, kind: 'SqlMi' | 'SqlVm' | 'SqlDb', serverId: string, sourceServer: string) =>
    ({
      id: `${sourceServer}.${name}`,
      name,
      sourceServer: `${sourceServer}.contoso.local`,
      engine: 'SQL Server',
      application: name,
      mode: kind === 'SqlDb' ? 'offline' : 'online',
      sizeGB: 4,
      target: { kind, serverId, databaseName: name },
    }) satisfies DatabaseSpec;
  const services = {
    location: scope.location,
    sqlMigrationServiceId: migrationServiceId,
    classic: { serviceId: '', virtualSubnetId: '', skuName: 'Premium_4vCores' },
  };
  const connections = {
    servers: {
      sources: {
        '*': { login: { userName: 'migrator', password: 'source-secret' }, trustServerCertificate: false },
      },
      targets: {
        '*': { login: { userName: 'migrator', password: 'target-secret' }, trustServerCertificate: false },
      },
      configuredBy: 'the test',
    },
    backupFileShare: { path: '\\\\backup01\\sql', username: 'CONTOSO\\svc-ir', password: 'share-secret' },
    backupStorageAccountId: `/subscriptions/${scope.subscriptionId}/resourceGroups/rg-migration/providers/Microsoft.Storage/storageAccounts/backups`,
  };
  const headersOf = (result: ArmResult) => result.headers;

  beforeAll(async () => {
    t = await startTestSimulator({ speed: 0.001 });
    await t.admin.seedDatabases(databaseSeed());
    arm = armClient(t.sim);
  });
  afterAll(async () => {
    await t.dispose();
  });

  describe('SQL migration services (stable/2025-06-30)', () => {
    const newService = migrationServiceId.replace(/sqlms-factory$/, 'sqlms-conformance');

    it('CreateOrUpdateSqlMigrationServiceMIN.json: 201 with Azure-AsyncOperation, provisioningState Updating', async () => {
      const example = specExample(
        `data-migration/2025-03-15-preview/CreateOrUpdateSqlMigrationServiceMIN.json`,
      );
      const created = await arm.send('PUT', newService, { location: scope.location }, sql);
      expectLikeExample({ ...created, headers: headersOf(created) }, example, {
        status: 201,
        headers: ['Azure-AsyncOperation'],
        shape: ['id', 'name', 'type', 'location', 'tags'],
        same: ['type', 'properties.provisioningState'],
      });
    });

    it('GetSqlMigrationService.json: a new service is provisioned and its runtime needs registration', async () => {
      await t.admin.advanceClock(120);
      const example = specExample('data-migration/2025-03-15-preview/GetSqlMigrationService.json');
      const got = await arm.send('GET', newService, undefined, sql);
      expectLikeExample(got, example, {
        shape: ['id', 'name', 'location', 'tags'],
        same: ['type', 'properties.provisioningState', 'properties.integrationRuntimeState'],
      });
    });

    it('ListAuthKeysSqlMigrationService.json: two keys in the IR@… form', async () => {
      const example = specExample('data-migration/2025-03-15-preview/ListAuthKeysSqlMigrationService.json');
      const keys = await arm.send('POST', `${newService}/listAuthKeys`, undefined, sql);
      expectLikeExample(keys, example, { shape: ['authKey1', 'authKey2'] });
      expect(Object.keys(keys.body).sort()).toEqual(['authKey1', 'authKey2']);
      expect(String(keys.body.authKey1)).toMatch(
        /^IR@[0-9a-f-]+@sqlms-conformance@ServiceEndpoint=[^@]+@.+$/,
      );
    });

    it('GetMonitorDataSqlMigrationService.json: the registered nodes and their figures', async () => {
      const example = specExample('data-migration/2025-06-30/GetMonitorDataSqlMigrationService.json');
      await t.admin.setIntegrationRuntime(newService, true);
      const data = await arm.send('POST', `${newService}/listMonitoringData`, undefined, sql);
      const fields = [
        'nodeName',
        'availableMemoryInMB',
        'cpuUtilization',
        'concurrentJobsLimit',
        'concurrentJobsRunning',
        'sentBytes',
        'receivedBytes',
      ];
      expectLikeExample(data, example, { shape: ['name', 'nodes', ...fields.map((f) => `nodes[0].${f}`)] });
      const allowed = new Set([...fields, 'maxConcurrentJobs']);
      for (const node of data.body.nodes as Record<string, unknown>[]) {
        expect(Object.keys(node).filter((key) => !allowed.has(key))).toEqual([]);
      }
      expect((await arm.send('GET', newService, undefined, sql)).body).toMatchObject({
        properties: { integrationRuntimeState: 'Online' },
      });
    });
  });

  describe('database migrations (stable/2025-06-30)', () => {
    it("SqlMiCreateOrUpdateDatabaseMigrationMAX.json: the factory sends the example's fields; 201 with Azure-AsyncOperation", async () => {
      const example = specExample(
        'data-migration/2025-03-15-preview/SqlMiCreateOrUpdateDatabaseMigrationMAX.json',
      );
      const request = sqlMigrationRequest(
        spec('payroll', 'SqlMi', miId, 'payroll-db-01'),
        services,
        connections,
      );
      const sent = (example.parameters.parameters ?? {}) as Record<string, unknown>;
      for (const field of [
        'properties.kind',
        'properties.scope',
        'properties.migrationService',
        'properties.sourceDatabaseName',
        'properties.offlineConfiguration.offline',
        'properties.backupConfiguration.targetLocation.storageAccountResourceId',
        'properties.backupConfiguration.sourceLocation.fileShare.path',
        'properties.backupConfiguration.sourceLocation.fileShare.username',
        'properties.backupConfiguration.sourceLocation.fileShare.password',
        'properties.sourceSqlConnection.dataSource',
        'properties.sourceSqlConnection.userName',
        'properties.sourceSqlConnection.password',
        'properties.sourceSqlConnection.authentication',
        'properties.sourceSqlConnection.encryptConnection',
        'properties.sourceSqlConnection.trustServerCertificate',
      ]) {
        expect(kindOf(valueAt(request, field)), `request ${field}`).toBe(kindOf(valueAt(sent, field)));
      }
      const created = await arm.send('PUT', migrationPath(miId, 'payroll'), request, sql);
      expectLikeExample(created, example, {
        status: 201,
        headers: ['Azure-AsyncOperation'],
        shape: [
          'id',
          'name',
          'properties.scope',
          'properties.migrationService',
          'properties.migrationStatus',
          'properties.startedOn',
          'properties.sourceServerName',
          'properties.sourceDatabaseName',
          'properties.migrationOperationId',
        ],
        same: ['type', 'properties.kind', 'properties.backupConfiguration.sourceLocation.fileStorageType'],
      });
      expect(JSON.stringify(created.body)).not.toMatch(/secret|backup01/);
    });

    it('SqlMiGetDatabaseMigrationExpanded.json: status and details while the full backup is awaited', async () => {
      const example = specExample('data-migration/2025-03-15-preview/SqlMiGetDatabaseMigrationExpanded.json');
      const got = await arm.send(
        'GET',
        `${migrationPath(miId, 'payroll')}?$expand=MigrationStatusDetails`,
        undefined,
        sql,
      );
      expectLikeExample(got, example, {
        shape: [
          'properties.provisioningState',
          'properties.migrationStatusDetails.activeBackupSets',
          'properties.migrationStatusDetails.isFullBackupRestored',
          'properties.migrationOperationId',
        ],
        same: [
          'type',
          'properties.kind',
          'properties.migrationStatus',
          'properties.migrationStatusDetails.migrationState',
          'properties.backupConfiguration.sourceLocation.fileStorageType',
        ],
      });
    });

    it('SqlVmGetDatabaseMigrationExpanded.json: a SQL VM migration reads the same', async () => {
      const example = specExample('data-migration/2025-06-30/SqlVmGetDatabaseMigrationExpanded.json');
      await arm.send(
        'PUT',
        migrationPath(vmId, 'crm'),
        sqlMigrationRequest(spec('crm', 'SqlVm', vmId, 'crm-db-01'), services, connections),
        sql,
      );
      const got = await arm.send(
        'GET',
        `${migrationPath(vmId, 'crm')}?$expand=MigrationStatusDetails`,
        undefined,
        sql,
      );
      expectLikeExample(got, example, {
        shape: ['properties.scope', 'properties.migrationStatusDetails.isFullBackupRestored'],
        same: [
          'type',
          'properties.kind',
          'properties.migrationStatus',
          'properties.migrationStatusDetails.migrationState',
          'properties.backupConfiguration.sourceLocation.fileStorageType',
        ],
      });
    });

    it('sqlmigration.json error responses: cutover before ready is 400 MigrationStillValidating / MigrationNotReadyForCutoverError', async () => {
      const path = migrationPath(vmId, 'crm');
      const { properties } = (await arm.send('GET', path, undefined, sql)).body as {
        properties: { migrationOperationId: string };
      };
      const validating = await refusal(arm.send('POST', `${path}/cutover`, properties, sql));
      expect(validating).toMatchObject({ statusCode: 400, code: 'MigrationStillValidating' });
      expect(validating.message).toMatch(
        /^Migration is still being validated\. Cutover cannot be performed\. Target server:'[^']+', Target database: 'crm'\.$/,
      );
      await t.admin.advanceClock(61);
      const notReady = await refusal(arm.send('POST', `${path}/cutover`, properties, sql));
      expect(notReady).toMatchObject({ statusCode: 400, code: 'MigrationNotReadyForCutoverError' });
      expect(notReady.message).toBe("Database 'crm' is not ready for Cutover operation");
      const unknown = await refusal(
        arm.send(
          'POST',
          `${path}/cutover`,
          { migrationOperationId: '00000000-0000-0000-0000-000000000000' },
          sql,
        ),
      );
      expect(unknown).toMatchObject({ statusCode: 400, code: 'OperationIdNotFound' });
    });

    it('SqlVmCutoverDatabaseMigration.json: 202 with Azure-AsyncOperation', async () => {
      const example = specExample('data-migration/2025-06-30/SqlVmCutoverDatabaseMigration.json');
      const path = migrationPath(vmId, 'crm');
      await t.admin.advanceClock(3 * 3600);
      const ready = (await arm.send('GET', path, undefined, sql)).body as {
        properties: { migrationStatus: string; migrationOperationId: string };
      };
      expect(ready.properties.migrationStatus).toBe('ReadyForCutover');
      const sent = example.parameters.parameters as Record<string, unknown>;
      const body = { migrationOperationId: ready.properties.migrationOperationId };
      expect(Object.keys(body)).toEqual(Object.keys(sent));
      expectLikeExample(await arm.send('POST', `${path}/cutover`, body, sql), example, {
        status: 202,
        headers: ['Azure-AsyncOperation'],
      });
    });

    it('SqlMiCancelDatabaseMigration.json: 202 with Azure-AsyncOperation; a second cancel is MigrationCancelFailed', async () => {
      const example = specExample('data-migration/2025-06-30/SqlMiCancelDatabaseMigration.json');
      const path = migrationPath(miId, 'payroll');
      const { properties } = (await arm.send('GET', path, undefined, sql)).body as {
        properties: { migrationOperationId: string };
      };
      expectLikeExample(await arm.send('POST', `${path}/cancel`, properties, sql), example, {
        status: 202,
        headers: ['Azure-AsyncOperation'],
      });
      const deleting = await refusal(arm.send('DELETE', path, undefined, sql));
      expect(deleting).toMatchObject({ statusCode: 400, code: 'DeleteMigrationNotAllowedCancelInProgress' });
      await t.admin.advanceClock(60);
      const again = await refusal(arm.send('POST', `${path}/cancel`, properties, sql));
      expect(again).toMatchObject({ statusCode: 400, code: 'MigrationCancelFailed' });
    });

    it('SqlMiDeleteDatabaseMigration.json: 202 with Azure-AsyncOperation', async () => {
      const example = specExample('data-migration/2025-06-30/SqlMiDeleteDatabaseMigration.json');
      expectLikeExample(await arm.send('DELETE', migrationPath(miId, 'payroll'), undefined, sql), example, {
        status: 202,
        headers: ['Azure-AsyncOperation'],
      });
    });

    it('SqlDbGetDatabaseMigrationExpanded.json: an offline SQL Database copy, table by table', async () => {
      const example = specExample('data-migration/2025-03-15-preview/SqlDbGetDatabaseMigrationExpanded.json');
      const request = sqlMigrationRequest(
        spec('reporting', 'SqlDb', sqlServerId, 'reporting-db-01'),
        services,
        connections,
      );
      await arm.send('PUT', migrationPath(sqlServerId, 'reporting'), request, sql);
      await t.admin.advanceClock(3 * 3600);
      const got = await arm.send(
        'GET',
        `${migrationPath(sqlServerId, 'reporting')}?$expand=MigrationStatusDetails`,
        undefined,
        sql,
      );
      const table = 'properties.migrationStatusDetails.listOfCopyProgressDetails[0]';
      expectLikeExample(got, example, {
        shape: [
          'properties.migrationStatusDetails.sqlDataCopyErrors',
          ...[
            'tableName',
            'status',
            'parallelCopyType',
            'usedParallelCopies',
            'dataRead',
            'dataWritten',
            'rowsRead',
            'rowsCopied',
            'copyStart',
            'copyThroughput',
            'copyDuration',
          ].map((field) => `${table}.${field}`),
        ],
        same: [
          'type',
          'properties.kind',
          'properties.migrationStatus',
          'properties.offlineConfiguration.offline',
          `${table}.status`,
        ],
      });
    });

    it('sqlmigration.json error responses: a service whose runtime is not online is 400 IntegrationRuntimeIsNotOnline', async () => {
      await t.admin.setIntegrationRuntime(migrationServiceId, false);
      const request = sqlMigrationRequest(
        spec('ledger', 'SqlMi', miId, 'payroll-db-01'),
        services,
        connections,
      );
      const offline = await refusal(arm.send('PUT', migrationPath(miId, 'ledger'), request, sql));
      expect(offline).toMatchObject({ statusCode: 400, code: 'IntegrationRuntimeIsNotOnline' });
      expect(offline.message).toMatch(
        new RegExp(
          `^Integration Runtime '[^']+' is not online for resource group '${scope.resourceGroup}' subscription '${scope.subscriptionId}'$`,
        ),
      );
      await t.admin.setIntegrationRuntime(migrationServiceId, true);
    });
  });

  describe('classic DMS (preview/2018-07-15-preview) through arm-datamigration mappers', () => {
    const group = `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.DataMigration`;
    const service = `${group}/services/dms-conformance`;
    const project = `${service}/projects/mysql-to-azure`;
    const task = `${project}/tasks/migrate-intranet`;

    it('Services_CreateOrUpdate.json: the service resource passes the DataMigrationService mapper', async () => {
      const example = specExample(`data-migration/${classic}/Services_CreateOrUpdate.json`);
      const created = await arm.send(
        'PUT',
        service,
        {
          location: scope.location,
          sku: { name: 'Premium_4vCores', tier: 'Premium' },
          properties: {
            virtualSubnetId: `/subscriptions/${scope.subscriptionId}/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet/subnets/dms`,
          },
        },
        classic,
      );
      expect([200, 201, 202]).toContain(created.status);
      expect(Object.keys(example.responses)).toContain(String(created.status));
      expect(mapperProblems(mappers, 'DataMigrationService', created.body)).toEqual([]);
      expect(kindOf(valueAt(created.body, 'properties.virtualSubnetId'))).toBe('string');
      expect(valueAt(created.body, 'sku.name')).toBe('Premium_4vCores');
    });

    it('Services_Get.json: provisioningState Succeeded, passes the mapper', async () => {
      const example = specExample(`data-migration/${classic}/Services_Get.json`);
      await t.admin.advanceClock(3600);
      const got = await arm.send('GET', service, undefined, classic);
      expectLikeExample(got, example, {
        shape: ['id', 'name', 'location', 'sku.name', 'sku.tier', 'properties.virtualSubnetId'],
        same: ['type', 'properties.provisioningState'],
      });
      expect(mapperProblems(mappers, 'DataMigrationService', got.body)).toEqual([]);
    });

    it('Projects_CreateOrUpdate.json: passes the Project mapper', async () => {
      const example = specExample(`data-migration/${classic}/Projects_CreateOrUpdate.json`);
      const created = await arm.send(
        'PUT',
        project,
        {
          location: scope.location,
          properties: { sourcePlatform: 'MySQL', targetPlatform: 'AzureDbForMySql' },
        },
        classic,
      );
      expectLikeExample(created, example, {
        status: created.status,
        shape: ['id', 'name', 'location', 'properties.creationTime'],
        same: ['type', 'properties.provisioningState'],
      });
      expect(mapperProblems(mappers, 'Project', created.body)).toEqual([]);
    });

    it('Tasks_CreateOrUpdate.json: a sync task is Queued, passes the ProjectTask mapper, no password echoed', async () => {
      const example = specExample(`data-migration/${classic}/Tasks_CreateOrUpdate.json`);
      const connection = (serverName: string) => ({
        type: 'MySqlConnectionInfo',
        serverName,
        port: 3306,
        userName: 'migrator',
        password: 'task-secret',
      });
      const created = await arm.send(
        'PUT',
        task,
        {
          properties: {
            taskType: 'Migrate.MySql.AzureDbForMySql.Sync',
            input: {
              sourceConnectionInfo: connection('intranet-db-01'),
              targetConnectionInfo: connection('mysql-intranet.mysql.database.azure.com'),
              selectedDatabases: [{ name: 'intranet', targetDatabaseName: 'intranet' }],
            },
          },
        },
        classic,
      );
      expectLikeExample(created, example, {
        status: created.status,
        shape: ['id', 'name', 'properties.taskType', 'properties.input'],
        same: ['type', 'properties.state'],
      });
      expect(mapperProblems(mappers, 'ProjectTask', created.body)).toEqual([]);
      expect(JSON.stringify(created.body)).not.toContain('task-secret');
    });

    it('Tasks_Get.json: the running task with its output passes the ProjectTask mapper', async () => {
      const example = specExample(`data-migration/${classic}/Tasks_Get.json`);
      await t.admin.advanceClock(3 * 3600);
      const got = await arm.send('GET', `${task}?$expand=output`, undefined, classic);
      expectLikeExample(got, example, {
        shape: ['id', 'name', 'properties.taskType', 'properties.state'],
        same: ['type'],
      });
      expect(mapperProblems(mappers, 'ProjectTask', got.body)).toEqual([]);
      const output = valueAt(got.body, 'properties.output') as {
        resultType: string;
        migrationState?: string;
      }[];
      expect(output.find((o) => o.resultType === 'DatabaseLevelOutput')?.migrationState).toBe(
        'READY_TO_COMPLETE',
      );
    });

    it('Tasks_Command.json: the complete-sync command is Accepted, passes the CommandProperties mapper', async () => {
      const example = specExample(`data-migration/${classic}/Tasks_Command.json`);
      const command = await arm.send(
        'POST',
        `${task}/command`,
        { commandType: 'Migrate.Sync.Complete.Database', input: { databaseName: 'intranet' } },
        classic,
      );
      expectLikeExample(command, example, {
        shape: ['input.databaseName'],
        same: ['commandType', 'state'],
      });
      expect(mapperProblems(mappers, 'CommandProperties', command.body)).toEqual([]);
    });
  });
});
