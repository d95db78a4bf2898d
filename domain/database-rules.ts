/** Pure rules of database migrations: which API moves a database, what can be scaled, valid specs. */
import type {
  DatabaseEngine,
  DatabaseMigrationState,
  DatabaseMigrationStatus,
  DatabaseSku,
  DatabaseSpec,
  DatabaseTarget,
  DatabaseTargetKind,
} from './migration.ts';

const targetsByEngine: Record<DatabaseEngine, readonly DatabaseTargetKind[]> = {
  'SQL Server': ['SqlMi', 'SqlVm', 'SqlDb'],
  MySQL: ['MySql'],
  PostgreSQL: ['PostgreSql'],
};

/** The ARM resource type of each target kind's server. */
const serverTypes: Record<DatabaseTargetKind, RegExp> = {
  SqlMi: /\/providers\/Microsoft\.Sql\/managedInstances\/[^/]+$/i,
  SqlVm: /\/providers\/Microsoft\.SqlVirtualMachine\/sqlVirtualMachines\/[^/]+$/i,
  SqlDb: /\/providers\/Microsoft\.Sql\/servers\/[^/]+$/i,
  MySql: /\/providers\/Microsoft\.DBforMySQL\/flexibleServers\/[^/]+$/i,
  PostgreSql: /\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/[^/]+$/i,
};

/** SQL Server databases go through the SQL migration API; MySQL and PostgreSQL through classic DMS tasks. */
export const usesSqlMigrationApi = (target: DatabaseTarget) =>
  target.kind === 'SqlMi' || target.kind === 'SqlVm' || target.kind === 'SqlDb';

/** The resource whose tier sets the restore speed: the MI, the SQL database, the flexible server (not a SQL VM). */
export function sizedResourceId(target: DatabaseTarget): string | undefined {
  switch (target.kind) {
    case 'SqlVm':
      return undefined;
    case 'SqlDb':
      return `${target.serverId}/databases/${target.databaseName}`;
    default:
      return target.serverId;
  }
}

export const lastSegment = (id: string) => id.slice(id.lastIndexOf('/') + 1);

/** Whether the current tier already is the wanted one (fields the wanted sku leaves out are not compared). */
export function skuSatisfies(current: Partial<DatabaseSku> | undefined, wanted: DatabaseSku): boolean {
  if (!current?.name || current.name.toLowerCase() !== wanted.name.toLowerCase()) return false;
  if (wanted.tier !== undefined && current.tier?.toLowerCase() !== wanted.tier.toLowerCase()) return false;
  return wanted.capacity === undefined || current.capacity === wanted.capacity;
}

export const finishedMigrationStates: readonly DatabaseMigrationState[] = ['succeeded', 'failed', 'canceled'];
export const isMigrationFinished = (state: DatabaseMigrationState) => finishedMigrationStates.includes(state);

/**
 * What is wrong with a finished migration (empty when it is cut over cleanly): not Succeeded, log backups
 * or changes left, tables not copied (SQL MI and SQL VM restore whole databases), or an error.
 */
export function migrationVerificationProblems(spec: DatabaseSpec, status: DatabaseMigrationStatus): string[] {
  return [
    ...(status.state === 'succeeded' ? [] : [`migration is ${status.migrationStatus}, not Succeeded`]),
    ...(status.pendingLogBackups ? [`${status.pendingLogBackups} log backup(s) not restored`] : []),
    ...(status.pendingChanges ? [`${status.pendingChanges} change(s) not applied`] : []),
    ...(status.copiedPercent !== undefined &&
    status.copiedPercent < 100 &&
    spec.target.kind !== 'SqlMi' &&
    spec.target.kind !== 'SqlVm'
      ? [`only ${status.copiedPercent} % of the tables copied`]
      : []),
    ...(status.errorCode ? [`error ${status.errorCode}: ${status.errorMessage ?? ''}`] : []),
  ];
}

/** Everything wrong with a database spec, as sentences naming the field; empty when it can be migrated. */
export function databaseSpecProblems(spec: DatabaseSpec): string[] {
  const problems: string[] = [];
  const where = `database ${spec.id || '(no id)'}`;
  if (!spec.id?.trim()) problems.push(`${where}: id is empty`);
  if (!spec.name?.trim()) problems.push(`${where}: name is empty`);
  if (!spec.sourceServer?.trim()) problems.push(`${where}: sourceServer is empty`);
  if (!spec.target.databaseName?.trim()) problems.push(`${where}: target.databaseName is empty`);
  const allowed = targetsByEngine[spec.engine];
  if (!allowed) {
    problems.push(
      `${where}: engine '${spec.engine}' is not one of ${Object.keys(targetsByEngine).join(', ')}`,
    );
  } else if (!allowed.includes(spec.target.kind)) {
    problems.push(
      `${where}: a ${spec.engine} database cannot migrate to target kind '${spec.target.kind}' (use ${allowed.join(' or ')})`,
    );
  }
  if (!serverTypes[spec.target.kind]?.test(spec.target.serverId ?? '')) {
    problems.push(
      `${where}: target.serverId '${spec.target.serverId}' is not the ARM id of a ${spec.target.kind} server`,
    );
  }
  if (spec.target.kind === 'SqlDb' && spec.mode === 'online') {
    problems.push(`${where}: Azure SQL Database targets migrate offline only; plan mode 'offline'`);
  }
  if (spec.scaleUp && sizedResourceId(spec.target) === undefined) {
    problems.push(`${where}: a ${spec.target.kind} target has no tier the migration can scale; drop scaleUp`);
  }
  return problems;
}
