import type { DataMigrationServiceClient } from '@azure/arm-datamigration';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArmRest } from '../../activities/arm-rest.ts';
import { sqlMigrationStatus } from '../../activities/database-status.ts';
import { classicTaskName } from '../../activities/data-migration.ts';
import { demoScope } from '../../domain/demo.ts';
import type { DatabaseSku, DatabaseSpec } from '../../domain/migration.ts';
import type { DatabaseSeed } from '../../simulators/admin-client.ts';
import { createArmServiceClient, createDataMigrationClient } from '../../workers/azure.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import {
  cutoverDatabaseNowUpdate,
  databaseCutoverSignal,
  databaseProgressQuery,
  retryUpdate,
  rollbackUpdate,
  type DatabaseProgress,
} from '../../contracts/messages.ts';
import {
  pathOf,
  databaseServices,
  operator,
  refusal,
  startDatabase,
  startHarness,
  startInProcessWorkers,
  waitFor,
  type Harness,
} from './harness.ts';

type DatabaseHandle = Awaited<ReturnType<typeof startDatabase>>;

const targetGroup = 'rg-data-targets';
const providers = `/subscriptions/${demoScope.subscriptionId}/resourceGroups/${targetGroup}/providers`;
const targets = {
  payrollMi: `${providers}/Microsoft.Sql/managedInstances/sqlmi-payroll`,
  billingMi: `${providers}/Microsoft.Sql/managedInstances/sqlmi-billing`,
  hrMi: `${providers}/Microsoft.Sql/managedInstances/sqlmi-hr`,
  ledgerMi: `${providers}/Microsoft.Sql/managedInstances/sqlmi-ledger`,
  archiveMi: `${providers}/Microsoft.Sql/managedInstances/sqlmi-archive`,
  crmVm: `${providers}/Microsoft.SqlVirtualMachine/sqlVirtualMachines/sqlvm-crm`,
  reportingServer: `${providers}/Microsoft.Sql/servers/sql-reporting`,
  mysql: `${providers}/Microsoft.DBforMySQL/flexibleServers/mysql-intranet`,
  postgres: `${providers}/Microsoft.DBforPostgreSQL/flexibleServers/pg-wiki`,
};
const gp = (capacity: number): DatabaseSku => ({ name: 'GP_Gen5', tier: 'GeneralPurpose', capacity });

function seed(): DatabaseSeed {
  const db = (
    name: string,
    sourceServer: string,
    engine: 'SqlServer' | 'MySql' | 'PostgreSql',
    kind: 'SqlMi' | 'SqlVm' | 'SqlDb' | 'MySql' | 'PostgreSql',
    server: string,
  ) => ({
    name,
    sourceServer,
    engine,
    version: engine === 'SqlServer' ? '2019' : engine === 'MySql' ? '8.0' : '14',
    sizeMB: 4_000,
    logRateMBPerHour: 400,
    target: { kind, resourceGroup: targetGroup, server },
  });
  return {
    subscriptionId: demoScope.subscriptionId,
    location: demoScope.location,
    databases: [
      db('payroll', 'payroll-db-01', 'SqlServer', 'SqlMi', 'sqlmi-payroll'),
      db('billing', 'billing-db-01', 'SqlServer', 'SqlMi', 'sqlmi-billing'),
      db('hr', 'hr-db-01', 'SqlServer', 'SqlMi', 'sqlmi-hr'),
      db('ledger', 'ledger-db-01', 'SqlServer', 'SqlMi', 'sqlmi-ledger'),
      db('archive', 'archive-db-01', 'SqlServer', 'SqlMi', 'sqlmi-archive'),
      db('crm', 'crm-db-01', 'SqlServer', 'SqlVm', 'sqlvm-crm'),
      { ...db('reporting', 'reporting-db-01', 'SqlServer', 'SqlDb', 'sql-reporting'), logRateMBPerHour: 0 },
      db('intranet', 'intranet-db-01', 'MySql', 'MySql', 'mysql-intranet'),
      db('wiki', 'intranet-db-01', 'PostgreSql', 'PostgreSql', 'pg-wiki'),
    ],
    sqlMigrationServices: [offlineRuntimeServiceId],
  };
}

/** A SQL migration service whose self-hosted integration runtime is offline when the test starts. */
const offlineRuntimeServiceId = `/subscriptions/${demoScope.subscriptionId}/resourceGroups/${demoScope.resourceGroup}/providers/Microsoft.DataMigration/sqlMigrationServices/sqlms-offline`;

function spec(
  name: string,
  sourceServer: string,
  engine: DatabaseSpec['engine'],
  target: DatabaseSpec['target'],
  extra: Partial<DatabaseSpec> = {},
): DatabaseSpec {
  return {
    id: `${sourceServer}.${name}`,
    name,
    sourceServer,
    engine,
    application: name,
    mode: 'online',
    sizeGB: 4,
    target,
    ...extra,
  };
}

async function waitForPhase(handle: DatabaseHandle, test: (p: DatabaseProgress) => boolean, what: string) {
  return waitFor(
    what,
    async () => {
      const progress = await handle.query(databaseProgressQuery);
      return test(progress) ? progress : undefined;
    },
    30_000,
  );
}

describe('database migration workflow (SQL migration API and classic DMS against the simulator)', () => {
  let harness: Harness;
  let workers: RunningWorkers;
  let arm: ArmRest;
  let dms: DataMigrationServiceClient;

  const sku = async (id: string) =>
    (await arm.get<{ sku: { name: string; capacity: number } }>(id, '2023-08-01'))?.sku;
  const migration = (serverId: string, db: string) =>
    arm.get(`${serverId}/providers/Microsoft.DataMigration/databaseMigrations/${db}`, '2025-06-30');
  const audit = async (operation: string, pathEnd?: string) =>
    (await harness.admin.audit()).entries.filter(
      (e) => e.operation === operation && (pathEnd === undefined || pathOf(e.path).endsWith(pathEnd)),
    );

  beforeAll(async () => {
    harness = await startHarness('databases', { speed: 2000 });
    await harness.admin.seedDatabases(seed());
    workers = await startInProcessWorkers(harness);
    const config = loadWorkerConfig(harness.workerEnv);
    arm = new ArmRest(createArmServiceClient(config), harness.simulator.endpoint, 100);
    dms = createDataMigrationClient(config);
  });
  afterEach(async () => {
    await harness.admin.configureFaults({});
  });
  afterAll(async () => {
    await workers?.shutdown();
    await harness?.close();
  });

  it('migrates SQL Server to SQL MI online: scale up, cut over on the batch signal, verify, scale down', async () => {
    const handle = await startDatabase(
      harness,
      spec(
        'payroll',
        'payroll-db-01',
        'SQL Server',
        {
          kind: 'SqlMi',
          serverId: targets.payrollMi,
          databaseName: 'payroll',
        },
        { scaleUp: { migrationSku: gp(16), normalSku: gp(8) } },
      ),
      // The application's batch does not run in this test: a missing receiver must not hurt the database.
      { notifyWorkflowId: 'batch-not-running' },
    );
    const ready = await waitForPhase(handle, (p) => p.phase === 'ready-for-cutover', 'ready for cutover');
    expect(ready.migration).toMatchObject({ state: 'ready', migrationStatus: 'ReadyForCutover' });
    expect(await sku(targets.payrollMi)).toMatchObject({ capacity: 16 });

    await handle.signal(databaseCutoverSignal, { by: 'batch-payroll', reason: 'cutover window opened' });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'migrated', phase: 'completed' });
    expect(result.reason).toContain('batch-payroll');

    expect(sqlMigrationStatus(await migration(targets.payrollMi, 'payroll'))).toMatchObject({
      state: 'succeeded',
    });
    expect(await sku(targets.payrollMi)).toMatchObject({ capacity: 8 });
    expect(
      await audit('DatabaseMigrationsSqlMi_Cutover', '/databaseMigrations/payroll/cutover'),
    ).toHaveLength(1);
    expect(await audit('DatabaseMigrationsSqlMi_CreateOrUpdate', '/databaseMigrations/payroll')).toHaveLength(
      1,
    );
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });

  it('re-reads a ready migration while it waits for its cutover: one that falls behind is shown, then cut over once ready again', async () => {
    const handle = await startDatabase(
      harness,
      spec('hr', 'hr-db-01', 'SQL Server', { kind: 'SqlMi', serverId: targets.hrMi, databaseName: 'hr' }),
    );
    await waitForPhase(handle, (p) => p.phase === 'ready-for-cutover', 'ready for cutover');
    // Log backups stop reaching the target: the backlog grows and the migration is no longer ready.
    await harness.admin.configureFaults({ targeted: [{ database: 'hr', fault: 'Stall' }] });
    const behind = await waitForPhase(handle, (p) => p.phase === 'migrating', 'seen falling behind');
    expect(behind.migration?.state).not.toBe('ready');
    expect(behind.migration?.pendingLogBackups).toBeGreaterThan(1);
    await harness.admin.configureFaults({});
    await waitForPhase(handle, (p) => p.phase === 'ready-for-cutover', 'ready again');
    await handle.signal(databaseCutoverSignal, { by: 'batch-hr', reason: 'cutover window opened' });
    expect(await handle.result()).toMatchObject({ outcome: 'migrated', phase: 'completed' });
    expect(await audit('DatabaseMigrationsSqlMi_Cutover', '/databaseMigrations/hr/cutover')).toHaveLength(1);
  });

  it('migrates MySQL and PostgreSQL online through classic DMS tasks and the complete-sync command', async () => {
    const intranet = spec(
      'intranet',
      'intranet-db-01',
      'MySQL',
      { kind: 'MySql', serverId: targets.mysql, databaseName: 'intranet' },
      {
        scaleUp: {
          migrationSku: { name: 'Standard_D8ds_v4', tier: 'GeneralPurpose' },
          normalSku: { name: 'Standard_D4ds_v4', tier: 'GeneralPurpose' },
        },
      },
    );
    const wiki = spec('wiki', 'intranet-db-01', 'PostgreSQL', {
      kind: 'PostgreSql',
      serverId: targets.postgres,
      databaseName: 'wiki',
    });
    const mysql = await startDatabase(harness, intranet);
    const postgres = await startDatabase(harness, wiki);
    await waitForPhase(mysql, (p) => p.phase === 'ready-for-cutover', 'MySQL ready');
    const pgReady = await waitForPhase(postgres, (p) => p.phase === 'ready-for-cutover', 'PostgreSQL ready');
    expect(pgReady.migration).toMatchObject({
      state: 'ready',
      migrationStatus: 'READY_TO_COMPLETE',
      copiedPercent: 100,
    });

    await mysql.signal(databaseCutoverSignal, { by: 'batch-intranet', reason: 'cutover window opened' });
    await postgres.executeUpdate(cutoverDatabaseNowUpdate, { args: [operator] });
    expect((await mysql.result()).outcome).toBe('migrated');
    expect((await postgres.result()).outcome).toBe('migrated');

    for (const [project, database] of [
      ['mysql-to-azure', intranet],
      ['postgresql-to-azure', wiki],
    ] as const) {
      const taskName = classicTaskName(database);
      const task = await dms.tasks.get(demoScope.resourceGroup, 'dms-factory', project, taskName);
      expect(task.properties?.state).toBe('Succeeded');
      expect(await audit('Tasks_Command', `/tasks/${taskName}/command`)).toHaveLength(1);
    }
    const flex = await arm.get<{ sku: { name: string } }>(targets.mysql, '2023-12-30');
    expect(flex?.sku.name).toBe('Standard_D4ds_v4');
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });

  it('migrates SQL Server to SQL Database offline without waiting for a cutover, scaling the database up and down', async () => {
    const handle = await startDatabase(
      harness,
      spec(
        'reporting',
        'reporting-db-01',
        'SQL Server',
        { kind: 'SqlDb', serverId: targets.reportingServer, databaseName: 'reporting' },
        {
          mode: 'offline',
          scaleUp: { migrationSku: gp(8), normalSku: gp(4) },
        },
      ),
    );
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'migrated', reason: 'Offline migration completed' });
    expect(await sku(`${targets.reportingServer}/databases/reporting`)).toMatchObject({ capacity: 4 });
    expect(await audit('DatabaseMigrationsSqlDb_CreateOrUpdate')).toHaveLength(1);
    expect(
      (await audit('Microsoft.Sql_servers_databases_Update')).filter((e) => e.outcome === 'updated'),
    ).toHaveLength(2);
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });

  it("parks a database whose cutover fails with Azure's code; retry starts a new migration that cuts over", async () => {
    await harness.admin.configureFaults({
      targeted: [{ database: 'crm', fault: 'DatabaseCutover', count: 1 }],
    });
    const handle = await startDatabase(
      harness,
      spec('crm', 'crm-db-01', 'SQL Server', { kind: 'SqlVm', serverId: targets.crmVm, databaseName: 'crm' }),
      // Continue as new after every poll: the checkpoint (migration, cutover request) must survive it. How
      // many polls run depends on timing (the start and the cutover read the migration themselves).
      { settings: { continueAsNewAfterPolls: 1, reportEveryMs: 300 } },
    );
    await waitForPhase(handle, (p) => p.phase === 'ready-for-cutover', 'ready for cutover');
    await handle.signal(databaseCutoverSignal, { by: 'batch-crm', reason: 'cutover window opened' });
    const parked = await waitForPhase(
      handle,
      (p) => p.phase === 'awaiting-operator',
      'parked after the failed cutover',
    );
    expect(parked.lastError?.code).toBe('CutoverFailed');
    expect(parked.migration).toMatchObject({ state: 'failed', errorCode: 'CutoverFailed' });

    await handle.executeUpdate(retryUpdate, { args: [operator] });
    await waitForPhase(handle, (p) => p.phase === 'ready-for-cutover', 'the new migration ready');
    await handle.executeUpdate(cutoverDatabaseNowUpdate, { args: [operator] });
    expect(await handle.result()).toMatchObject({ outcome: 'migrated', phase: 'completed' });
    expect(await audit('DatabaseMigrationsSqlVm_CreateOrUpdate', '/databaseMigrations/crm')).toHaveLength(2);
    expect(await audit('DatabaseMigrationsSqlVm_Cutover', '/databaseMigrations/crm/cutover')).toHaveLength(2);
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });

  it('refuses cutover-now before the migration is ready; rollback cancels it and scales the target back down', async () => {
    // A stalled upload keeps the migration from ever getting ready.
    await harness.admin.configureFaults({ targeted: [{ database: 'billing', fault: 'Stall' }] });
    const handle = await startDatabase(
      harness,
      spec(
        'billing',
        'billing-db-01',
        'SQL Server',
        { kind: 'SqlMi', serverId: targets.billingMi, databaseName: 'billing' },
        {
          scaleUp: { migrationSku: gp(16), normalSku: gp(8) },
        },
      ),
    );
    const migrating = await waitForPhase(
      handle,
      (p) => p.phase === 'migrating' && p.migration?.state === 'copying',
      'copying',
    );
    expect(migrating.migration?.blockingReason).toBeTruthy();
    expect(await refusal(handle.executeUpdate(cutoverDatabaseNowUpdate, { args: [operator] }))).toMatch(
      /not ready for cutover/,
    );
    expect(await refusal(handle.executeUpdate(retryUpdate, { args: [operator] }))).toMatch(
      /nothing to retry/,
    );
    expect(await refusal(handle.executeUpdate(rollbackUpdate, { args: [{ ...operator, by: ' ' }] }))).toMatch(
      /needs `by`/,
    );

    await handle.executeUpdate(rollbackUpdate, { args: [operator] });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'rolled-back', phase: 'rolled-back' });
    expect(await sku(targets.billingMi)).toMatchObject({ capacity: 8 });
    expect(await audit('DatabaseMigrationsSqlMi_Cancel', '/databaseMigrations/billing/cancel')).toHaveLength(
      1,
    );
    expect(await migration(targets.billingMi, 'billing')).toBeUndefined();
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });
  it("keeps waiting when Azure refuses a ready migration's cutover as not ready, and cuts it over later", async () => {
    await harness.admin.configureFaults({
      targeted: [{ database: 'ledger', fault: 'DatabaseCutoverNotReady', count: 2 }],
    });
    const handle = await startDatabase(
      harness,
      spec('ledger', 'ledger-db-01', 'SQL Server', {
        kind: 'SqlMi',
        serverId: targets.ledgerMi,
        databaseName: 'ledger',
      }),
    );
    await waitForPhase(handle, (p) => p.phase === 'ready-for-cutover', 'ready for cutover');
    await handle.signal(databaseCutoverSignal, { by: 'batch-ledger', reason: 'cutover window opened' });
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'migrated', phase: 'completed' });
    expect(result.errorCode).toBeUndefined();

    expect(sqlMigrationStatus(await migration(targets.ledgerMi, 'ledger'))).toMatchObject({
      state: 'succeeded',
    });
    // Two refusals with the spec's code, then the cutover Azure accepted; one migration throughout.
    const cutovers = await audit('DatabaseMigrationsSqlMi_Cutover', '/databaseMigrations/ledger/cutover');
    expect(cutovers.map((e) => [e.status, e.errorCode ?? null])).toEqual([
      [400, 'MigrationNotReadyForCutoverError'],
      [400, 'MigrationNotReadyForCutoverError'],
      [202, null],
    ]);
    expect(await audit('DatabaseMigrationsSqlMi_CreateOrUpdate', '/databaseMigrations/ledger')).toHaveLength(
      1,
    );
    // The refusals were waited out, not parked for an operator.
    expect((await handle.query(databaseProgressQuery)).lastError).toBeUndefined();
    expect(await harness.admin.invariants()).toEqual({ violations: [] });
  });

  it('holds a migration whose service has no online integration runtime with the registration steps; retry after registration migrates it', async () => {
    await harness.admin.setIntegrationRuntime(offlineRuntimeServiceId, false);
    const handle = await startDatabase(
      harness,
      spec(
        'archive',
        'archive-db-01',
        'SQL Server',
        { kind: 'SqlMi', serverId: targets.archiveMi, databaseName: 'archive' },
        { mode: 'offline' },
      ),
      { services: { ...databaseServices(), sqlMigrationServiceId: offlineRuntimeServiceId } },
    );
    const held = await waitForPhase(handle, (p) => p.phase === 'awaiting-operator', 'held for the runtime');
    expect(held.lastError?.code).toBe('IntegrationRuntimeIsNotOnline');
    expect(held.detail).toContain('integrationRuntimeState Offline');
    expect(held.detail).toContain(
      `az datamigration sql-service list-auth-key --resource-group ${demoScope.resourceGroup} --sql-migration-service-name sqlms-offline`,
    );
    expect(held.detail).toContain('-RegisterNewNode');
    // Nothing was started on a service that cannot run it.
    expect(await audit('DatabaseMigrationsSqlMi_CreateOrUpdate', '/databaseMigrations/archive')).toEqual([]);

    // Someone installs and registers the self-hosted integration runtime, then retries.
    await harness.admin.setIntegrationRuntime(offlineRuntimeServiceId, true);
    await handle.executeUpdate(retryUpdate, { args: [operator] });
    expect(await handle.result()).toMatchObject({ outcome: 'migrated', phase: 'completed' });
    const created = await audit('DatabaseMigrationsSqlMi_CreateOrUpdate', '/databaseMigrations/archive');
    expect(created.map((e) => e.status)).toEqual([201]);
    expect(sqlMigrationStatus(await migration(targets.archiveMi, 'archive'))).toMatchObject({
      state: 'succeeded',
    });
  });
});
