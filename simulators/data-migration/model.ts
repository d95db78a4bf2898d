/**
 * Drives every data sync (SQL database migrations and classic DMS task databases) on the simulated
 * clock: derives each sync's rates from the upload bandwidth, the target's vCores and stall faults,
 * settles them up to the current time and records what their phase changes mean (provisioning done,
 * cutover succeeded or failed, cancel done).
 */
import { idKey } from '../arm.ts';
import type { Simulation } from '../simulation.ts';
import { finishOperation } from './operations.ts';
import { settle, type SyncRates } from './sync.ts';
import type { DatabaseEngine, DatabaseMigration, DataSync, DmsTaskDatabase, SyncPhase } from './types.ts';

const mib = 1024 ** 2;
const bytesPerSecondPerMbps = 1_000_000 / 8;

/** Restore (SQL Server) or apply (MySQL, PostgreSQL) throughput per target vCore. */
export const applyBytesPerSecondPerVCore: Record<DatabaseEngine, number> = {
  SqlServer: 12.5 * mib,
  MySql: 8 * mib,
  PostgreSql: 8 * mib,
};

export class DataMigrationModel {
  constructor(private readonly sim: Simulation) {}

  private get state() {
    return this.sim.state.dataMigration;
  }

  /** vCores of a target resource (the sku capacity, or the digits of the sku name). */
  capacity(targetId: string): number {
    const target = this.state.targets[idKey(targetId)];
    return target?.sku?.capacity ?? 1;
  }

  rates(sourceKey: string, targetId: string): SyncRates {
    const source = this.state.sourceDatabases[sourceKey];
    if (!source || this.sim.faults.databaseStalled(source.name)) {
      return { uploadBytesPerSecond: 0, applyBytesPerSecond: 0 };
    }
    return {
      uploadBytesPerSecond: this.state.bandwidthMbps * bytesPerSecondPerMbps,
      applyBytesPerSecond: applyBytesPerSecondPerVCore[source.engine] * this.capacity(targetId),
    };
  }

  migrationRates(migration: DatabaseMigration): SyncRates {
    return this.rates(migration.sourceKey, migration.sizedTargetId);
  }

  settleMigration(migration: DatabaseMigration, at: number): void {
    settle(migration.sync, at, this.migrationRates(migration), (phase, when) =>
      this.onMigrationPhase(migration, phase, when),
    );
  }

  settleTaskDatabase(database: DmsTaskDatabase, at: number): void {
    settle(database.sync, at, this.rates(database.sourceKey, database.targetId), (phase) => {
      this.sim.changed();
      if (phase === 'Succeeded') {
        this.recordSuccess(`${database.targetId}/databases/${database.targetDatabaseName}`);
      }
    });
  }

  /** Settles everything up to `at` (called after each batch of due events). */
  settleAll(at: number): void {
    for (const migration of Object.values(this.state.databaseMigrations)) this.settleMigration(migration, at);
    for (const task of Object.values(this.state.tasks)) {
      for (const database of task.databases) this.settleTaskDatabase(database, at);
    }
  }

  /** Settles the syncs whose speed depends on a target, before its sku changes at `at`. */
  settleTarget(targetId: string, at: number): void {
    const key = idKey(targetId);
    for (const migration of Object.values(this.state.databaseMigrations)) {
      if (idKey(migration.sizedTargetId) === key) this.settleMigration(migration, at);
    }
    for (const task of Object.values(this.state.tasks)) {
      for (const database of task.databases) {
        if (idKey(database.targetId) === key) this.settleTaskDatabase(database, at);
      }
    }
  }

  private onMigrationPhase(migration: DatabaseMigration, phase: SyncPhase, at: number): void {
    this.sim.changed();
    const pending =
      migration.pendingOperationId === undefined
        ? undefined
        : this.state.operations[idKey(migration.pendingOperationId)];
    switch (phase) {
      case 'Uploading':
        migration.provisioningState = 'Succeeded';
        finishOperation(this.sim, this.state.operations[idKey(migration.createOperationId)], at);
        return;
      case 'Succeeded':
        this.recordSuccess(`${migration.scope}/databases/${migration.name}`);
        if (pending) finishOperation(this.sim, pending, at);
        delete migration.pendingOperationId;
        return;
      case 'Failed':
        if (pending) finishOperation(this.sim, pending, at, migration.sync.failure);
        delete migration.pendingOperationId;
        return;
      case 'Canceled':
        if (pending) finishOperation(this.sim, pending, at);
        delete migration.pendingOperationId;
        return;
      default:
        return;
    }
  }

  private recordSuccess(targetDatabaseId: string): void {
    const key = idKey(targetDatabaseId);
    this.state.history.succeededByTarget[key] = (this.state.history.succeededByTarget[key] ?? 0) + 1;
  }
}

/** Whether a sync is still moving data (not finished, not being completed or canceled). */
export const isLive = (sync: DataSync): boolean =>
  !['Completing', 'Canceling', 'Succeeded', 'Failed', 'Canceled'].includes(sync.phase);
