/**
 * The ARM representation of a classic DMS MySQL/PostgreSQL online-migration task, with the outputs the
 * 2.1.1 models define (MigrationLevelOutput, DatabaseLevelOutput, TableLevelOutput,
 * DatabaseLevelErrorOutput) when `$expand=output` is asked for.
 */
import { iso } from '../clock.ts';
import { guidFromText } from '../ids.ts';
import type { Simulation } from '../simulation.ts';
import { startingSeconds } from './sync.ts';
import type { DmsTask, DmsTaskDatabase } from './types.ts';

const queuedSeconds = 10;
/** Bytes per replicated change (row event), for the change counters. */
const bytesPerChange = 1024;

export function taskState(task: DmsTask, now: number): string {
  const phases = task.databases.map((database) => database.sync.phase);
  if (phases.every((phase) => phase === 'Succeeded')) return 'Succeeded';
  if (phases.every((phase) => phase === 'Canceled')) return 'Canceled';
  if (phases.every((phase) => ['Succeeded', 'Failed', 'Canceled'].includes(phase))) return 'Failed';
  return now - task.createdAt < queuedSeconds * 1000 ? 'Queued' : 'Running';
}

function migrationState(database: DmsTaskDatabase, now: number): string {
  const { sync } = database;
  switch (sync.phase) {
    case 'Starting': {
      const elapsed = (now - sync.phaseStartedAt) / (startingSeconds * 1000);
      return elapsed < 0.4 ? 'CONFIGURING' : elapsed < 0.7 ? 'INITIALIAZING' : 'STARTING';
    }
    case 'Uploading':
    case 'Restoring':
    case 'CatchingUp':
      return 'RUNNING';
    case 'Ready':
      return 'READY_TO_COMPLETE';
    case 'Completing':
      return 'COMPLETING';
    case 'Succeeded':
      return 'COMPLETE';
    case 'Canceling':
      return 'CANCELLING';
    case 'Canceled':
      return 'CANCELLED';
    case 'Failed':
      return 'FAILED';
  }
}

function databaseOutputs(task: DmsTask, database: DmsTaskDatabase, now: number) {
  const { sync } = database;
  const id = (suffix: string) => guidFromText(`${task.id}:${database.name}:${suffix}`);
  const fullLoadDone = sync.restoredAt !== undefined;
  const loading = sync.phase === 'Uploading';
  const fraction = sync.totalBytes === 0 ? 1 : sync.uploadedBytes / sync.totalBytes;
  const completedTables = fullLoadDone ? database.tables : Math.floor(fraction * database.tables);
  const loadingTables = loading ? Math.min(1, database.tables - completedTables) : 0;
  const applied = Math.floor(sync.appliedLogBytes / bytesPerChange);
  const incoming = Math.floor((sync.appliedLogBytes + sync.backlogBytes) / bytesPerChange);
  const started = sync.phase === 'Starting' ? undefined : sync.phaseStartedAt;
  const latency =
    sync.logBytesPerSecond > 0 && fullLoadDone ? Math.round(sync.backlogBytes / sync.logBytesPerSecond) : 0;
  const databaseLevel = {
    resultType: 'DatabaseLevelOutput',
    id: id('database'),
    databaseName: database.name,
    startedOn: iso(task.createdAt),
    ...(sync.endedAt === undefined ? {} : { endedOn: iso(sync.endedAt) }),
    migrationState: migrationState(database, now),
    incomingChanges: incoming,
    appliedChanges: applied,
    cdcInsertCounter: Math.floor(applied * 0.6),
    cdcUpdateCounter: Math.floor(applied * 0.3),
    cdcDeleteCounter: applied - Math.floor(applied * 0.6) - Math.floor(applied * 0.3),
    fullLoadCompletedTables: completedTables,
    fullLoadLoadingTables: loadingTables,
    fullLoadQueuedTables:
      sync.phase === 'Starting' ? database.tables : database.tables - completedTables - loadingTables,
    fullLoadErroredTables: 0,
    initializationCompleted: sync.phase !== 'Starting',
    latency,
  };
  const rowsPerTable = Math.round(sync.totalBytes / database.tables / 256);
  const tables = Array.from({ length: database.tables }, (_, index) => {
    const state =
      sync.phase === 'Canceled' || sync.phase === 'Canceling'
        ? 'CANCELED'
        : sync.phase === 'Failed'
          ? 'FAILED'
          : index < completedTables
            ? 'COMPLETED'
            : index < completedTables + loadingTables
              ? 'FULL_LOAD'
              : 'BEFORE_LOAD';
    const tableChanges = Math.floor(applied / database.tables);
    return {
      resultType: 'TableLevelOutput',
      id: id(`table:${index}`),
      tableName: `table_${String(index + 1).padStart(2, '0')}`,
      databaseName: database.name,
      cdcInsertCounter: String(Math.floor(tableChanges * 0.6)),
      cdcUpdateCounter: String(Math.floor(tableChanges * 0.3)),
      cdcDeleteCounter: String(
        tableChanges - Math.floor(tableChanges * 0.6) - Math.floor(tableChanges * 0.3),
      ),
      ...(started === undefined ? {} : { fullLoadStartedOn: iso(started) }),
      ...(state === 'COMPLETED' && sync.restoredAt !== undefined
        ? { fullLoadEndedOn: iso(sync.restoredAt) }
        : {}),
      fullLoadTotalRows: rowsPerTable,
      state,
      totalChangesApplied: tableChanges,
      dataErrorsCounter: 0,
      lastModifiedTime: iso(now),
    };
  });
  const errors = sync.failure
    ? [
        {
          resultType: 'DatabaseLevelErrorOutput',
          id: id('error'),
          errorMessage: `${sync.failure.code}: ${sync.failure.message}`,
          events: [],
        },
      ]
    : [];
  return [databaseLevel, ...tables, ...errors];
}

function commandResource(task: DmsTask, command: DmsTask['commands'][number]) {
  const database = task.databases.find((candidate) => candidate.name === command.databaseName);
  const phase = database?.sync.phase;
  const state = phase === 'Succeeded' ? 'Succeeded' : phase === 'Failed' ? 'Failed' : 'Running';
  return {
    commandType: command.commandType,
    state,
    errors: phase === 'Failed' && database?.sync.failure ? [database.sync.failure] : [],
    input: { databaseName: command.databaseName },
    output: { id: command.id, errors: [] },
  };
}

export function taskResource(sim: Simulation, task: DmsTask, expandOutput: boolean) {
  const now = sim.now();
  const ended = task.databases.every((database) => database.sync.endedAt !== undefined);
  const endedOn = ended
    ? Math.max(...task.databases.map((database) => database.sync.endedAt ?? 0))
    : undefined;
  const output = [
    {
      resultType: 'MigrationLevelOutput',
      id: guidFromText(`${task.id}:migration`),
      startedOn: iso(task.createdAt),
      ...(endedOn === undefined ? {} : { endedOn: iso(endedOn) }),
      sourceServerVersion: task.sourceServerVersion,
      sourceServer: task.sourceServer,
      targetServerVersion: task.targetServerVersion,
      targetServer: task.targetServer,
    },
    ...task.databases.flatMap((database) => databaseOutputs(task, database, now)),
  ];
  const failures = task.databases.flatMap((database) =>
    database.sync.failure ? [database.sync.failure] : [],
  );
  return {
    id: task.id,
    name: task.name,
    type: 'Microsoft.DataMigration/services/projects/tasks',
    etag: `"${task.createdAt}"`,
    properties: {
      taskType: task.taskType,
      state: taskState(task, now),
      errors: failures,
      commands: task.commands.map((command) => commandResource(task, command)),
      input: task.input,
      ...(task.clientData ? { clientData: task.clientData } : {}),
      ...(expandOutput ? { output } : {}),
    },
  };
}

export { commandResource };
