/**
 * Reads Azure's answers about a database migration into the factory's `DatabaseMigrationStatus`:
 * SQL migration API resources (`databaseMigrations`, `$expand=MigrationStatusDetails`) and classic DMS
 * task outputs (`$expand=output`). Pure; Azure's own status string is always kept alongside.
 */
import type { DatabaseMigrationState, DatabaseMigrationStatus } from '../domain/migration.ts';

type Json = Record<string, unknown>;

const record = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.map(record) : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const percent = (done: number, total: number) => (total > 0 ? Math.floor((done / total) * 100) : 0);

/** `migrationStatus` values of the SQL migration API (an open set: unknown values mean "still moving"). */
const sqlStates: Record<string, DatabaseMigrationState> = {
  creating: 'starting',
  uploadingfullbackup: 'copying',
  uploadinglogbackup: 'copying',
  readyforcutover: 'ready',
  completing: 'completing',
  succeeded: 'succeeded',
  failed: 'failed',
  retriable: 'failed',
  canceling: 'canceling',
  canceled: 'canceled',
  cancelled: 'canceled',
};

/** A `Microsoft.DataMigration/databaseMigrations` resource (SQL MI, SQL VM or SQL Database). */
export function sqlMigrationStatus(resource: unknown): DatabaseMigrationStatus {
  const properties = record(record(resource).properties);
  const details = record(properties.migrationStatusDetails);
  const migrationStatus = text(properties.migrationStatus) ?? 'Unknown';
  const provisioning = text(properties.provisioningState);
  const fullBackupRestored =
    typeof details.isFullBackupRestored === 'boolean' ? details.isFullBackupRestored : undefined;
  const key = migrationStatus.toLowerCase();
  let state: DatabaseMigrationState =
    sqlStates[key] ??
    (key === 'restoring'
      ? fullBackupRestored
        ? 'catching-up'
        : 'copying'
      : provisioning === 'Provisioning' || key === 'inprogress'
        ? provisioning === 'Succeeded'
          ? 'copying'
          : 'starting'
        : 'copying');
  const failure = record(properties.migrationFailureError);
  let errorCode = text(failure.code);
  let errorMessage = text(failure.message);
  if (provisioning === 'Failed' && state !== 'succeeded') {
    state = 'failed';
    errorCode ??= 'ProvisioningFailed';
    errorMessage ??= text(properties.provisioningError);
  }
  const status: DatabaseMigrationStatus = { state, migrationStatus };
  const operationId = text(properties.migrationOperationId);
  if (operationId) status.migrationOperationId = operationId;
  const files = list(record(details.fullBackupSetInfo).listOfBackupFiles);
  const tables = list(details.listOfCopyProgressDetails);
  if (tables.length > 0) {
    status.copiedPercent = percent(tables.filter((t) => t.status === 'Succeeded').length, tables.length);
  } else if (files.length > 0) {
    const total = files.reduce((sum, f) => sum + (count(f.totalSize) ?? 0), 0);
    const uploaded = files.reduce((sum, f) => sum + (count(f.dataWritten) ?? 0), 0);
    status.copiedPercent = Math.min(100, percent(uploaded, total));
  }
  if (fullBackupRestored !== undefined) status.fullBackupRestored = fullBackupRestored;
  const pending = count(details.pendingLogBackupsCount);
  if (pending !== undefined) status.pendingLogBackups = pending;
  const blocking = text(details.restoreBlockingReason);
  if (blocking) status.blockingReason = blocking;
  if (errorCode) status.errorCode = errorCode;
  if (errorMessage) status.errorMessage = errorMessage;
  return status;
}

/** `migrationState` of a classic MySQL / PostgreSQL sync task's database. */
const classicStates: Record<string, DatabaseMigrationState> = {
  UNDEFINED: 'starting',
  CONFIGURING: 'starting',
  INITIALIAZING: 'starting',
  INITIALIZING: 'starting',
  STARTING: 'starting',
  RUNNING: 'copying',
  READY_TO_COMPLETE: 'ready',
  COMPLETING: 'completing',
  COMPLETE: 'succeeded',
  CANCELLING: 'canceling',
  CANCELLED: 'canceled',
  FAILED: 'failed',
};

/** `code: message` as DMS writes database-level errors. */
function splitError(message: string | undefined): { code?: string; message?: string } {
  if (!message) return {};
  const match = /^([A-Za-z][\w.]*):\s*(.*)$/s.exec(message);
  return match ? { code: match[1], message: match[2] } : { message };
}

/** A classic DMS task (`$expand=output`), for the database `databaseName` it migrates. */
export function classicTaskStatus(
  taskName: string,
  task: unknown,
  databaseName: string,
): DatabaseMigrationStatus {
  const properties = record(record(task).properties);
  const taskState = text(properties.state) ?? 'Unknown';
  const outputs = list(properties.output);
  const database = outputs.find(
    (o) =>
      o.resultType === 'DatabaseLevelOutput' &&
      text(o.databaseName)?.toLowerCase() === databaseName.toLowerCase(),
  );
  const taskError = list(properties.errors)[0];
  const databaseError = splitError(
    text(outputs.find((o) => o.resultType === 'DatabaseLevelErrorOutput')?.errorMessage),
  );
  const migrationState = text(database?.migrationState);
  let state: DatabaseMigrationState = migrationState
    ? (classicStates[migrationState] ?? 'copying')
    : ['Failed', 'FailedInputValidation', 'Faulted'].includes(taskState)
      ? 'failed'
      : taskState === 'Canceled'
        ? 'canceled'
        : 'starting';
  const status: DatabaseMigrationStatus = {
    state,
    migrationStatus: migrationState ?? taskState,
    migrationOperationId: taskName,
  };
  if (database) {
    const done = count(database.fullLoadCompletedTables) ?? 0;
    const total =
      done +
      (count(database.fullLoadLoadingTables) ?? 0) +
      (count(database.fullLoadQueuedTables) ?? 0) +
      (count(database.fullLoadErroredTables) ?? 0);
    status.copiedPercent = percent(done, total);
    if (state === 'copying' && total > 0 && done === total) state = status.state = 'catching-up';
    const incoming = count(database.incomingChanges);
    const applied = count(database.appliedChanges);
    if (incoming !== undefined && applied !== undefined)
      status.pendingChanges = Math.max(0, incoming - applied);
    const latency = count(database.latency);
    if (latency !== undefined) status.latencySeconds = latency;
  }
  if (state === 'failed') {
    status.errorCode = databaseError.code ?? text(taskError?.code) ?? 'MigrationFailed';
    const message = databaseError.message ?? text(taskError?.message);
    if (message) status.errorMessage = message;
  }
  return status;
}

/**
 * What the database workflow acts on: its state and Azure's status (ready, finished, failed, restored).
 * Copy progress alone does not return a poll; the report interval refreshes it.
 */
export function migrationFingerprint(status: DatabaseMigrationStatus): string {
  return `${status.state}|${status.migrationStatus}|restored=${status.fullBackupRestored ?? '-'}`;
}
