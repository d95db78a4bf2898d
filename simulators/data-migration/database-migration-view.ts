/**
 * The ARM representation of a `Microsoft.DataMigration/databaseMigrations` resource (api-version
 * 2025-06-30), with `migrationStatusDetails` when `$expand=MigrationStatusDetails` is asked for.
 * migrationStatus follows the values the Azure SQL migration extension shows; the internal
 * `migrationState` strings are the simulator's (the spec example shows `WaitForFullBackupUploadOperation`).
 */
import { idKey } from '../arm.ts';
import { iso } from '../clock.ts';
import { guidFromText } from '../ids.ts';
import type { Simulation } from '../simulation.ts';
import { logBackupIntervalSeconds, pendingLogBackups, type SyncRates } from './sync.ts';
import type { DatabaseMigration, DataSync, SyncPhase } from './types.ts';

const migrationStatuses: Record<SyncPhase, string> = {
  Starting: 'InProgress',
  Uploading: 'UploadingFullBackup',
  Restoring: 'Restoring',
  CatchingUp: 'Restoring',
  Ready: 'ReadyForCutover',
  Completing: 'Completing',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Canceling: 'Canceling',
  Canceled: 'Canceled',
};

const backupRestoreStates: Record<SyncPhase, string> = {
  Starting: 'WaitForFullBackupUploadOperation',
  Uploading: 'UploadingFullBackup',
  Restoring: 'RestoringFullBackup',
  CatchingUp: 'RestoringLogBackups',
  Ready: 'ReadyForCutover',
  Completing: 'CompletingMigration',
  Succeeded: 'Completed',
  Failed: 'Failed',
  Canceling: 'Canceling',
  Canceled: 'Canceled',
};

const copyStates: Record<SyncPhase, string> = {
  Starting: 'PreparingForCopy',
  Uploading: 'CopyingData',
  Restoring: 'CopyingData',
  CatchingUp: 'CopyingData',
  Ready: 'CopyingData',
  Completing: 'CompletingCopy',
  Succeeded: 'Completed',
  Failed: 'Failed',
  Canceling: 'Canceling',
  Canceled: 'Canceled',
};

export const migrationStatus = (sync: DataSync): string => migrationStatuses[sync.phase];

const secondsBetween = (from: number | undefined, to: number) =>
  from === undefined ? 0 : Math.max(0, Math.round((to - from) / 1000));

function backupStatusDetails(sim: Simulation, migration: DatabaseMigration, rates: SyncRates, now: number) {
  const { sync } = migration;
  const source = sim.state.dataMigration.sourceDatabases[migration.sourceKey];
  const database = source?.name ?? migration.name;
  const uploadStart = sync.phase === 'Starting' ? undefined : (sync.uploadedAt ?? now) - 1;
  const fullUploaded = sync.uploadedAt !== undefined;
  const fullRestored = sync.restoredAt !== undefined;
  const copySeconds = secondsBetween(sync.phase === 'Starting' ? undefined : sync.checkpointAt, now);
  const backupStart = sync.phase === 'Starting' ? now : sync.phaseStartedAt;
  const fullFile = {
    fileName: `${database}_full.bak`,
    status: fullRestored
      ? 'Restored'
      : sync.phase === 'Restoring'
        ? 'Restoring'
        : fullUploaded
          ? 'Uploaded'
          : 'Uploading',
    totalSize: sync.totalBytes,
    dataRead: Math.floor(sync.uploadedBytes),
    dataWritten: Math.floor(sync.uploadedBytes),
    copyThroughput: Math.round(rates.uploadBytesPerSecond / 1024),
    copyDuration: copySeconds,
    familySequenceNumber: 1,
  };
  const fullSet = {
    backupSetId: guidFromText(`${migration.migrationOperationId}:full`),
    firstLSN: '38000000010000001',
    lastLSN: '38000000020000001',
    backupType: 'Database',
    listOfBackupFiles: [fullFile],
    backupStartDate: iso(uploadStart ?? backupStart),
    backupFinishDate: iso(uploadStart ?? backupStart),
    isBackupRestored: fullRestored,
    hasBackupChecksums: true,
    familyCount: 1,
    ignoreReasons: [],
  };
  // Log backups: one every 10 minutes since the full backup; the pending ones are not restored yet.
  const since = sync.phase === 'Starting' ? now : sync.phaseStartedAt;
  const logStart = sync.uploadedAt === undefined ? since : Math.min(since, sync.uploadedAt);
  const taken = sync.online ? Math.floor(secondsBetween(logStart, now) / logBackupIntervalSeconds) : 0;
  const pending = Math.min(taken, pendingLogBackups(sync));
  const restoredLogs = fullRestored ? taken - pending : 0;
  const logSet = (index: number, restored: boolean) => ({
    backupSetId: guidFromText(`${migration.migrationOperationId}:log:${index}`),
    firstLSN: String(38000000020000001n + BigInt(index) * 1000n),
    lastLSN: String(38000000020000001n + BigInt(index + 1) * 1000n),
    backupType: 'TransactionLog',
    listOfBackupFiles: [
      {
        fileName: `${database}_log_${index}.trn`,
        status: restored ? 'Restored' : 'Uploaded',
        totalSize: Math.round(sync.logBytesPerSecond * logBackupIntervalSeconds),
        dataRead: Math.round(sync.logBytesPerSecond * logBackupIntervalSeconds),
        dataWritten: Math.round(sync.logBytesPerSecond * logBackupIntervalSeconds),
        copyThroughput: Math.round(rates.uploadBytesPerSecond / 1024),
        copyDuration: 1,
        familySequenceNumber: 1,
      },
    ],
    backupStartDate: iso(logStart + index * logBackupIntervalSeconds * 1000),
    backupFinishDate: iso(logStart + index * logBackupIntervalSeconds * 1000),
    isBackupRestored: restored,
    hasBackupChecksums: true,
    familyCount: 1,
    ignoreReasons: [],
  });
  const activeBackupSets = [
    ...(fullRestored ? [] : [fullSet]),
    ...Array.from({ length: Math.min(pending, 10) }, (_, offset) =>
      logSet(taken - pending + offset + 1, false),
    ),
  ];
  const lastRestored = restoredLogs > 0 ? logSet(restoredLogs, true) : fullRestored ? fullSet : undefined;
  const stalled =
    rates.uploadBytesPerSecond <= 0 && !['Succeeded', 'Failed', 'Canceled'].includes(sync.phase);
  const waitingForApply = sync.phase === 'CatchingUp' && rates.applyBytesPerSecond <= sync.logBytesPerSecond;
  return {
    migrationState: backupRestoreStates[sync.phase],
    fullBackupSetInfo: sync.phase === 'Starting' ? undefined : fullSet,
    lastRestoredBackupSetInfo: lastRestored,
    activeBackupSets,
    invalidFiles: [],
    blobContainerName: `${migration.name.toLowerCase()}-${migration.migrationOperationId.slice(0, 8)}`,
    isFullBackupRestored: fullRestored,
    restoreBlockingReason: stalled
      ? 'The self-hosted integration runtime is not uploading backup files.'
      : waitingForApply
        ? 'Log backups arrive faster than the target restores them; scale the target up.'
        : undefined,
    completeRestoreErrorMessage: sync.failure?.message,
    fileUploadBlockingErrors: stalled ? ['IntegrationRuntimeIsNotOnline: no backup upload progress.'] : [],
    currentRestoringFilename:
      sync.phase === 'Restoring'
        ? fullFile.fileName
        : sync.phase === 'CatchingUp' && pending > 0
          ? `${database}_log_${restoredLogs + 1}.trn`
          : undefined,
    lastRestoredFilename: lastRestored?.listOfBackupFiles[0]?.fileName,
    pendingLogBackupsCount: pending,
  };
}

function copyStatusDetails(sim: Simulation, migration: DatabaseMigration, rates: SyncRates, now: number) {
  const { sync } = migration;
  const source = sim.state.dataMigration.sourceDatabases[migration.sourceKey];
  const tables = Math.min(10, Math.max(1, Math.ceil((source?.sizeMB ?? 1) / 2048)));
  const perTable = sync.totalBytes / tables;
  const rowsPerTable = Math.round(perTable / 512);
  const copying = sync.phase === 'Uploading';
  return {
    migrationState: copyStates[sync.phase],
    sqlDataCopyErrors: sync.failure ? [sync.failure.message] : [],
    listOfCopyProgressDetails: Array.from({ length: tables }, (_, index) => {
      const done = Math.min(perTable, Math.max(0, sync.uploadedBytes - index * perTable));
      const finished = done >= perTable - 1;
      const status =
        sync.phase === 'Canceled' || sync.phase === 'Canceling'
          ? 'Canceled'
          : sync.phase === 'Failed'
            ? 'Failed'
            : finished
              ? 'Succeeded'
              : 'InProgress';
      return {
        tableName: `dbo.table_${String(index + 1).padStart(2, '0')}`,
        status,
        parallelCopyType: 'None',
        usedParallelCopies: 1,
        dataRead: Math.floor(done),
        dataWritten: Math.floor(done),
        rowsRead: Math.floor((done / (perTable || 1)) * rowsPerTable),
        rowsCopied: Math.floor((done / (perTable || 1)) * rowsPerTable),
        copyStart: iso(sync.phase === 'Starting' ? now : migration.createdAt),
        copyThroughput: copying
          ? Math.round(Math.min(rates.uploadBytesPerSecond, rates.applyBytesPerSecond) / 1024)
          : 0,
        copyDuration: secondsBetween(migration.createdAt, sync.uploadedAt ?? now),
      };
    }),
  };
}

export function databaseMigrationResource(sim: Simulation, migration: DatabaseMigration, expand: boolean) {
  const now = sim.now();
  const { sync } = migration;
  const source = sim.state.dataMigration.sourceDatabases[migration.sourceKey];
  const rates = sim.dataMigration.migrationRates(migration);
  const operation = sim.state.dataMigration.operations[idKey(migration.createOperationId)];
  return {
    id: migration.id,
    name: migration.name,
    type: 'Microsoft.DataMigration/databaseMigrations',
    properties: {
      ...migration.input,
      kind: migration.kind,
      scope: migration.scope,
      migrationService: migration.migrationServiceId,
      provisioningState: migration.provisioningState,
      migrationStatus: migrationStatus(sync),
      startedOn: iso(migration.createdAt),
      ...(sync.endedAt === undefined ? {} : { endedOn: iso(sync.endedAt) }),
      sourceServerName: source?.sourceServer,
      sourceDatabaseName: source?.name,
      migrationOperationId: migration.migrationOperationId,
      ...(sync.failure ? { migrationFailureError: sync.failure } : {}),
      ...(operation?.error ? { provisioningError: operation.error.message } : {}),
      ...(expand
        ? {
            migrationStatusDetails:
              migration.kind === 'SqlDb'
                ? copyStatusDetails(sim, migration, rates, now)
                : backupStatusDetails(sim, migration, rates, now),
          }
        : {}),
    },
  };
}
