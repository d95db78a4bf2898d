/**
 * Classic DMS tasks for MySQL and PostgreSQL online migrations (`Migrate.MySql.AzureDbForMySql.Sync`,
 * `Migrate.PostgreSql.AzureDbForPostgreSql.Sync`) as `@azure/arm-datamigration` 2.1.1 calls them:
 * createOrUpdate and get (`$expand=output`) are synchronous, `cancel` returns the task, `command` with
 * `Migrate.Sync.Complete.Database` completes (cuts over) one database that is READY_TO_COMPLETE.
 * createOrUpdate replaces a task that failed or was canceled, refuses one that runs, and returns one that
 * completed a database unchanged.
 */
import {
  badRequest,
  conflict,
  idKey,
  notFound,
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
import { findProject, projectPath, redactConnection } from './classic-services.ts';
import { commandResource, taskResource, taskState } from './classic-task-view.ts';
import { isLive } from './model.ts';
import { apiVersions } from './resources.ts';
import { sourceKey } from './seed.ts';
import { newSync, startCancel, startCutover } from './sync.ts';
import type {
  ClassicTaskType,
  DatabaseEngine,
  DmsTask,
  DmsTaskDatabase,
  TargetResourceKind,
} from './types.ts';

const taskTypes: Record<
  ClassicTaskType,
  { engine: DatabaseEngine; target: TargetResourceKind; suffix: string }
> = {
  'Migrate.MySql.AzureDbForMySql.Sync': {
    engine: 'MySql',
    target: 'MySqlFlexibleServer',
    suffix: '.mysql.database.azure.com',
  },
  'Migrate.PostgreSql.AzureDbForPostgreSql.Sync': {
    engine: 'PostgreSql',
    target: 'PostgreSqlFlexibleServer',
    suffix: '.postgres.database.azure.com',
  },
};

const host = (serverName: string) => serverName.split(/[.,:\\]/)[0]?.toLowerCase() ?? '';

function findTask(sim: Simulation, params: ArmRequest['params']): DmsTask {
  const project = findProject(sim, params);
  const task = sim.state.dataMigration.tasks[idKey(`${project.id}/tasks/${params.taskName ?? ''}`)];
  if (!task) {
    throw notFound(
      'ResourceNotFound',
      `Task '${params.taskName}' was not found in project '${project.name}'.`,
    );
  }
  task.databases.forEach((_, index) => sim.dataMigration.settleTaskDatabase(task, index, sim.now()));
  return task;
}

function createTask(sim: Simulation, params: ArmRequest['params'], body: unknown): ArmResponse {
  const project = findProject(sim, params);
  const service = sim.state.dataMigration.services[idKey(project.serviceId)];
  if (!service || sim.now() < service.readyAt) {
    throw conflict(
      'ServiceNotReady',
      `Data Migration service '${service?.name ?? project.serviceId}' is still deploying.`,
    );
  }
  const properties = optionalObject(objectBody(body, 'a task').properties, 'properties');
  if (!properties) throw badRequest('InvalidRequestContent', "The required field 'properties' is missing.");
  const taskType = requiredString(properties.taskType, 'properties.taskType');
  const type = taskTypes[taskType as ClassicTaskType];
  if (!type) {
    throw badRequest(
      'TaskTypeNotSupported',
      `Task type '${taskType}' is not supported; use ${Object.keys(taskTypes).join(' or ')}.`,
    );
  }
  if (service.sku.tier !== 'Premium') {
    throw badRequest(
      'OnlineMigrationRequiresPremiumSku',
      `Online migrations need a Premium service; '${service.name}' is ${service.sku.name}.`,
    );
  }
  const input = optionalObject(properties.input, 'properties.input');
  if (!input) throw badRequest('InvalidRequestContent', "The required field 'properties.input' is missing.");
  const sourceInfo =
    optionalObject(input.sourceConnectionInfo, 'properties.input.sourceConnectionInfo') ?? {};
  const targetInfo =
    optionalObject(input.targetConnectionInfo, 'properties.input.targetConnectionInfo') ?? {};
  const sourceServer = requiredString(
    sourceInfo.serverName,
    'properties.input.sourceConnectionInfo.serverName',
  );
  const targetServer = requiredString(
    targetInfo.serverName,
    'properties.input.targetConnectionInfo.serverName',
  );
  const target = Object.values(sim.state.dataMigration.targets).find(
    (candidate) => candidate.kind === type.target && candidate.name.toLowerCase() === host(targetServer),
  );
  if (!target) {
    throw badRequest(
      'TargetServerNotFound',
      `Target server '${targetServer}' is not a known ${type.target}.`,
    );
  }
  if (!Array.isArray(input.selectedDatabases) || input.selectedDatabases.length === 0) {
    throw badRequest(
      'InvalidRequestContent',
      "'properties.input.selectedDatabases' must be a non-empty array.",
    );
  }
  const now = sim.now();
  let sourceVersion = '';
  const databases = input.selectedDatabases.map((raw, index): DmsTaskDatabase => {
    const where = `properties.input.selectedDatabases[${index}]`;
    const selected = optionalObject(raw, where) ?? {};
    const name = requiredString(selected.name, `${where}.name`);
    const source = sim.state.dataMigration.sourceDatabases[sourceKey(host(sourceServer), name)];
    if (source?.engine !== type.engine) {
      throw badRequest(
        'SourceDatabaseNotFound',
        `Database '${name}' was not found on ${type.engine} server '${sourceServer}'.`,
      );
    }
    sourceVersion = source.version;
    return {
      name,
      targetDatabaseName: optionalString(selected.targetDatabaseName, `${where}.targetDatabaseName`) ?? name,
      sourceKey: source.key,
      targetId: target.id,
      tables: Math.min(20, Math.max(1, Math.ceil(source.sizeMB / 1024))),
      sync: newSync({
        mode: 'fullLoad',
        online: true,
        sizeMB: source.sizeMB,
        logRateMBPerHour: source.logRateMBPerHour,
        at: now,
      }),
    };
  });
  const id = `${project.id}/tasks/${params.taskName ?? ''}`;
  const existing = sim.state.dataMigration.tasks[idKey(id)];
  if (existing?.databases.some((database) => database.sync.phase === 'Succeeded')) {
    // Tasks have no mutable properties: a PUT on a task that completed a database returns it as it is.
    // Replacing it would start that database over (back to READY_TO_COMPLETE) and overwrite a cut-over
    // target, e.g. when an SDK retries the task's first PUT long after the task was created and completed.
    return { status: 200, body: taskResource(sim, existing, false), outcome: 'noop', resourceId: id };
  }
  if (existing && !['Succeeded', 'Failed', 'Canceled'].includes(taskState(existing, now))) {
    throw conflict('OperationInProgress', `Task '${existing.name}' is still running; cancel it first.`);
  }
  const clientData = optionalObject(properties.clientData, 'properties.clientData');
  const task: DmsTask = {
    id,
    projectId: project.id,
    name: params.taskName ?? '',
    taskType: taskType as ClassicTaskType,
    input: {
      ...input,
      sourceConnectionInfo: redactConnection(input.sourceConnectionInfo),
      targetConnectionInfo: redactConnection(input.targetConnectionInfo),
    },
    ...(clientData
      ? {
          clientData: Object.fromEntries(
            Object.entries(clientData).map(([key, value]) => [key, String(value)]),
          ),
        }
      : {}),
    sourceServer,
    sourceServerVersion: sourceVersion,
    targetServer,
    targetServerVersion: target.version ?? '',
    createdAt: now,
    databases,
    commands: [],
  };
  sim.state.dataMigration.tasks[idKey(id)] = task;
  task.databases.forEach((_, index) => sim.dataMigration.track({ task: idKey(id), database: index }));
  sim.changed();
  return {
    status: existing ? 200 : 201,
    body: taskResource(sim, task, false),
    outcome: existing ? 'updated' : 'created',
    resourceId: id,
  };
}

function completeDatabase(sim: Simulation, task: DmsTask, body: unknown): ArmResponse {
  const request = objectBody(body, 'a task command');
  const commandType = requiredString(request.commandType, 'commandType');
  if (commandType !== 'Migrate.Sync.Complete.Database') {
    throw badRequest(
      'CommandNotSupported',
      `Command '${commandType}' is not supported for ${task.taskType}.`,
    );
  }
  const input = optionalObject(request.input, 'input') ?? {};
  const databaseName = requiredString(input.databaseName, 'input.databaseName');
  const database = task.databases.find(
    (candidate) => candidate.name.toLowerCase() === databaseName.toLowerCase(),
  );
  if (!database)
    throw badRequest(
      'DatabaseNotInTask',
      `Database '${databaseName}' is not migrated by task '${task.name}'.`,
    );
  if (database.sync.phase !== 'Ready') {
    throw badRequest(
      'DatabaseNotReadyToComplete',
      `Database '${database.name}' cannot be completed: its migrationState is not READY_TO_COMPLETE (phase ${database.sync.phase}).`,
    );
  }
  const commandId = sim.newGuid();
  const history = sim.state.dataMigration.history.cutovers;
  const key = `${task.id}/${database.name}`.toLowerCase();
  history[key] = (history[key] ?? 0) + 1;
  const source = sim.state.dataMigration.sourceDatabases[database.sourceKey];
  const fails = sim.faults.operationFails('DatabaseCutover', commandId, {
    database: source?.name ?? database.name,
  });
  const { code, message } = faultableScenarios.DatabaseCutover;
  startCutover(
    database.sync,
    sim.dataMigration.rates(database.sourceKey, database.targetId),
    sim.now(),
    fails ? { code, message } : undefined,
  );
  sim.dataMigration.track({ task: idKey(task.id), database: task.databases.indexOf(database) });
  const command = {
    commandType: 'Migrate.Sync.Complete.Database' as const,
    databaseName: database.name,
    requestedAt: sim.now(),
    id: commandId,
  };
  task.commands.push(command);
  sim.changed();
  return { status: 200, body: { ...commandResource(task, command), state: 'Accepted' }, resourceId: task.id };
}

export function classicTaskRoutes(sim: Simulation): ArmRoute[] {
  const versions = apiVersions.classic;
  const taskPath = `${projectPath}/tasks/{taskName}`;
  return [
    {
      pattern: taskPath,
      methods: {
        GET: {
          operation: 'Tasks_Get',
          apiVersions: versions,
          handle: ({ params, query }) => {
            const expand = (query.get('$expand') ?? '').toLowerCase() === 'output';
            return { status: 200, body: taskResource(sim, findTask(sim, params), expand) };
          },
        },
        PUT: {
          operation: 'Tasks_CreateOrUpdate',
          apiVersions: versions,
          handle: ({ params, body }) => createTask(sim, params, body),
        },
      },
    },
    {
      pattern: `${taskPath}/cancel`,
      methods: {
        POST: {
          operation: 'Tasks_Cancel',
          apiVersions: versions,
          handle: ({ params }) => {
            const task = findTask(sim, params);
            const live = task.databases.filter((database) => isLive(database.sync));
            if (live.length === 0) {
              throw conflict(
                'OperationNotAllowed',
                `Task '${task.name}' is ${taskState(task, sim.now())}; nothing to cancel.`,
              );
            }
            for (const database of live) {
              startCancel(database.sync, sim.now());
              sim.dataMigration.track({ task: idKey(task.id), database: task.databases.indexOf(database) });
            }
            sim.changed();
            return { status: 200, body: taskResource(sim, task, false), resourceId: task.id };
          },
        },
      },
    },
    {
      pattern: `${taskPath}/command`,
      methods: {
        POST: {
          operation: 'Tasks_Command',
          apiVersions: versions,
          handle: ({ params, body }) => completeDatabase(sim, findTask(sim, params), body),
        },
      },
    },
  ];
}
