/**
 * A cut-over database stays cut over: across a simulator restart (graceful close, then a new simulator
 * restoring the snapshot from the same state directory) and when the PUT that created its migration
 * arrives again afterwards. The chaos benchmark saw the latter: a task PUT answered 500/503 by an
 * injected fault is retried by ms-rest-js ~30 real seconds later (3 s + 30 s ± 20 %), long after the
 * activity moved on, created the task again and cut it over; the late PUT replaced the completed task
 * with a fresh one, which went back to READY_TO_COMPLETE and stayed there.
 */
import type { MigrateMySqlAzureDbForMySqlSyncTaskProperties } from '@azure/arm-datamigration/esm/models/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  armClient,
  classicDmsClient,
  databaseSeed,
  migrationServiceId,
  mysqlTask,
  vmId,
} from './data-migration-helpers.ts';
import { scope, startTestSimulator, type TestSimulator } from './helpers.ts';

const speed = 20_000;
const service = 'dms-factory';
const project = 'mysql-project';
const taskName = 'intranet-sync';

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let attempt = 0; attempt < 500; attempt += 1) {
    last = await read();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** An hour of simulated time passes, whatever the machine's load. */
const anHourLater = (sim: TestSimulator) => sim.admin.advanceClock(3600);

const sqlVmMigration = {
  properties: {
    kind: 'SqlVm',
    scope: vmId,
    migrationService: migrationServiceId,
    sourceDatabaseName: 'crm',
    sourceSqlConnection: { dataSource: 'crm-db-01.contoso.local', authentication: 'SqlAuthentication' },
    backupConfiguration: {
      sourceLocation: {
        fileShare: { path: '\\\\backup01\\sql', username: 'contoso\\svc', password: 'share-secret' },
      },
      targetLocation: { storageAccountResourceId: `${migrationServiceId}/sa` },
    },
    offlineConfiguration: { offline: false },
  },
};

describe('cut-over databases stay cut over', () => {
  let t: TestSimulator | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('classic DMS: COMPLETE survives a restart and a late duplicate PUT of the task', async () => {
    t = await startTestSimulator({ speed });
    const sim = t;
    await sim.admin.seedDatabases(databaseSeed());
    // A fresh client per call: the simulator restarts under it (the keep-alive agent's sockets die).
    const dms = () => classicDmsClient(sim.sim);
    const subnet = `/subscriptions/${scope.subscriptionId}/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet/subnets/dms`;
    await dms().services.createOrUpdate(
      {
        location: scope.location,
        virtualSubnetId: subnet,
        sku: { name: 'Premium_4vCores', tier: 'Premium' },
      },
      scope.resourceGroup,
      service,
    );
    await dms().projects.createOrUpdate(
      { location: scope.location, sourcePlatform: 'MySQL', targetPlatform: 'AzureDbForMySql' },
      scope.resourceGroup,
      service,
      project,
    );
    const putTask = () =>
      dms().tasks.createOrUpdate({ properties: mysqlTask }, scope.resourceGroup, service, project, taskName);
    await putTask();
    const read = async () => {
      const got = await dms().tasks.get(scope.resourceGroup, service, project, taskName, {
        expand: 'output',
      });
      const output = (got.properties as MigrateMySqlAzureDbForMySqlSyncTaskProperties).output ?? [];
      const database = output.find((entry) => entry.resultType === 'DatabaseLevelOutput') as
        { migrationState?: string } | undefined;
      return {
        state: got.properties?.state,
        migrationState: database?.migrationState,
        commands: got.properties?.commands?.length ?? 0,
      };
    };
    await waitFor(read, (value) => value.migrationState === 'READY_TO_COMPLETE', 'READY_TO_COMPLETE');
    const command = await dms().tasks.command(scope.resourceGroup, service, project, taskName, {
      commandType: 'Migrate.Sync.Complete.Database',
      input: { databaseName: 'intranet' },
    });
    expect(command.state).toBe('Accepted');
    await waitFor(read, (value) => value.migrationState === 'COMPLETE', 'COMPLETE');
    const complete = { state: 'Succeeded', migrationState: 'COMPLETE', commands: 1 };

    await sim.restart();
    expect(await read()).toEqual(complete);
    await anHourLater(sim);
    expect(await read()).toEqual(complete);

    // The create PUT again, as a delayed SDK retry sends it: it must not start the migration over.
    const again = await putTask();
    expect(again.properties?.state).toBe('Succeeded');
    expect(await read()).toEqual(complete);
    await anHourLater(sim);
    expect(await read()).toEqual(complete);

    await sim.restart();
    expect(await read()).toEqual(complete);
    expect((await sim.admin.invariants()).violations).toEqual([]);
    const summary = await sim.admin.state();
    expect(summary.databaseMigrations.classicTaskDatabases).toEqual({ Succeeded: 1 });
  });

  it('SQL migration API: Succeeded survives a restart and a late duplicate PUT of the migration', async () => {
    t = await startTestSimulator({ speed });
    const sim = t;
    await sim.admin.seedDatabases(databaseSeed());
    const arm = () => armClient(sim.sim);
    await arm().send('PUT', migrationServiceId, { location: scope.location });
    const path = `${vmId}/providers/Microsoft.DataMigration/databaseMigrations/crm`;
    await arm().send('PUT', path, sqlVmMigration);
    const read = async () =>
      (await arm().send('GET', path)).body as {
        properties: { migrationStatus: string; migrationOperationId: string; provisioningState: string };
      };
    const ready = await waitFor(
      read,
      (value) => value.properties.migrationStatus === 'ReadyForCutover',
      'ReadyForCutover',
    );
    const operationId = ready.properties.migrationOperationId;
    await arm().send('POST', `${path}/cutover`, { migrationOperationId: operationId });
    await waitFor(read, (value) => value.properties.migrationStatus === 'Succeeded', 'Succeeded');
    const succeeded = {
      migrationStatus: 'Succeeded',
      migrationOperationId: operationId,
      provisioningState: 'Succeeded',
    };

    await sim.restart();
    expect((await read()).properties).toMatchObject(succeeded);
    await anHourLater(sim);
    expect((await read()).properties).toMatchObject(succeeded);

    const again = await arm().send('PUT', path, sqlVmMigration);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ properties: succeeded });
    expect((await read()).properties).toMatchObject(succeeded);
    await anHourLater(sim);
    expect((await read()).properties).toMatchObject(succeeded);

    await sim.restart();
    expect((await read()).properties).toMatchObject(succeeded);
    expect((await sim.admin.invariants()).violations).toEqual([]);
  });
});
