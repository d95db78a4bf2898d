/**
 * Drives every data sync (SQL database migrations and classic DMS task databases) on the simulated
 * clock: derives each sync's rates from the upload bandwidth, the target's vCores and stall faults,
 * and records what their phase changes mean (provisioning done, cutover succeeded or failed, cancel
 * done). Each live sync has one `syncDue` event at its next phase boundary, so the cost of time passing
 * is per phase change, not per request × sync; reads settle the one sync they show.
 */
import { idKey } from '../arm.ts';
import type { SyncRef } from '../scheduler.ts';
import type { SimulationCore } from '../simulation-core.ts';
import { finishOperation } from './operations.ts';
import { integrationRuntimeState } from './sql-migration-services.ts';
import { isTerminal, nextBoundaryAt, settle, type SyncRates } from './sync.ts';
import type { DatabaseEngine, DatabaseMigration, DataSync, DmsTask, SyncPhase } from './types.ts';

const mib = 1024 ** 2;
const bytesPerSecondPerMbps = 1_000_000 / 8;

/**
 * Restore (SQL Server) or apply (MySQL, PostgreSQL) throughput per target vCore. Model figures: Microsoft
 * publishes no Database Migration Service throughput, only that it depends on the target's SKU and the
 * integration runtime's host (https://learn.microsoft.com/azure/dms/faq).
 */
export const applyBytesPerSecondPerVCore: Record<DatabaseEngine, number> = {
  SqlServer: 12.5 * mib,
  MySql: 8 * mib,
  PostgreSql: 8 * mib,
};

export class DataMigrationModel {
  constructor(private readonly sim: SimulationCore) {
    // Snapshots written before syncs carried their due event.
    for (const ref of this.liveSyncs()) {
      const sync = this.syncOf(ref);
      if (sync && sync.dueAt === undefined) this.track(ref);
    }
  }

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
    // Backups reach Azure through the service's self-hosted integration runtime: without an online node
    // nothing is uploaded (restores of what already arrived go on).
    const service = this.state.sqlMigrationServices[idKey(migration.migrationServiceId)];
    const rates = this.rates(migration.sourceKey, migration.sizedTargetId);
    if (service && integrationRuntimeState(service) !== 'Online') {
      return { ...rates, uploadBytesPerSecond: 0 };
    }
    return rates;
  }

  /** Rolls a migration forward to `at` (its phase changes were already applied by its events). */
  settleMigration(migration: DatabaseMigration, at: number): void {
    this.settleRef({ migration: idKey(migration.id) }, at);
  }

  settleTaskDatabase(task: DmsTask, database: number, at: number): void {
    this.settleRef({ task: idKey(task.id), database }, at);
  }

  /** Schedules the sync's next boundary after it started or its phase was changed by a request. */
  track(ref: SyncRef): void {
    const sync = this.syncOf(ref);
    if (!sync) return;
    const at = this.sim.now();
    this.settleRef(ref, at);
    this.reschedule(ref, sync);
  }

  /** A `syncDue` event: applies the phase change due at `at` unless a later change superseded it. */
  due(ref: SyncRef, at: number): void {
    const sync = this.syncOf(ref);
    if (!sync || sync.dueAt !== at) return;
    this.settleRef(ref, at);
    this.reschedule(ref, sync);
  }

  /**
   * Rates of every live sync may change (a target rescaled, stall faults or the bandwidth replaced):
   * settles them at `at` with the old rates, applies `change`, and reschedules them with the new ones.
   */
  ratesChange<T>(at: number, change: () => T, affects: (ref: SyncRef) => boolean = () => true): T {
    const refs = this.liveSyncs().filter(affects);
    for (const ref of refs) this.settleRef(ref, at);
    const result = change();
    for (const ref of refs) {
      const sync = this.syncOf(ref);
      if (sync) this.reschedule(ref, sync);
    }
    return result;
  }

  /** Whether a sync's speed depends on the target resource `targetId`. */
  drivenBy(ref: SyncRef, targetId: string): boolean {
    const key = idKey(targetId);
    if ('migration' in ref) {
      const migration = this.state.databaseMigrations[ref.migration];
      return migration !== undefined && idKey(migration.sizedTargetId) === key;
    }
    const database = this.state.tasks[ref.task]?.databases[ref.database];
    return database !== undefined && idKey(database.targetId) === key;
  }

  private settleRef(ref: SyncRef, at: number): void {
    if ('migration' in ref) {
      const migration = this.state.databaseMigrations[ref.migration];
      if (!migration) return;
      settle(migration.sync, at, this.migrationRates(migration), (phase, when) =>
        this.onMigrationPhase(migration, phase, when),
      );
      return;
    }
    const database = this.state.tasks[ref.task]?.databases[ref.database];
    if (!database) return;
    settle(database.sync, at, this.rates(database.sourceKey, database.targetId), (phase) => {
      this.sim.changed();
      if (phase === 'Succeeded') {
        this.recordSuccess(`${database.targetId}/databases/${database.targetDatabaseName}`);
      }
    });
  }

  private reschedule(ref: SyncRef, sync: DataSync): void {
    const boundary = isTerminal(sync) ? Infinity : nextBoundaryAt(sync, this.ratesOf(ref));
    if (!Number.isFinite(boundary)) {
      delete sync.dueAt;
      return;
    }
    if (sync.dueAt === boundary) return;
    sync.dueAt = boundary;
    this.sim.schedule({ kind: 'syncDue', at: boundary, sync: ref });
  }

  private ratesOf(ref: SyncRef): SyncRates {
    if ('migration' in ref) {
      const migration = this.state.databaseMigrations[ref.migration];
      return migration ? this.migrationRates(migration) : { uploadBytesPerSecond: 0, applyBytesPerSecond: 0 };
    }
    const database = this.state.tasks[ref.task]?.databases[ref.database];
    return database
      ? this.rates(database.sourceKey, database.targetId)
      : { uploadBytesPerSecond: 0, applyBytesPerSecond: 0 };
  }

  private syncOf(ref: SyncRef): DataSync | undefined {
    return 'migration' in ref
      ? this.state.databaseMigrations[ref.migration]?.sync
      : this.state.tasks[ref.task]?.databases[ref.database]?.sync;
  }

  private liveSyncs(): SyncRef[] {
    const refs: SyncRef[] = [];
    for (const [key, migration] of Object.entries(this.state.databaseMigrations)) {
      if (!isTerminal(migration.sync)) refs.push({ migration: key });
    }
    for (const [key, task] of Object.entries(this.state.tasks)) {
      task.databases.forEach((database, index) => {
        if (!isTerminal(database.sync)) refs.push({ task: key, database: index });
      });
    }
    return refs;
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
