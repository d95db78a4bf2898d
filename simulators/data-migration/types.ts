/**
 * Persisted Database Migration entities (plain JSON, snapshotted). Times are simulated epoch ms.
 *
 * `SourceDatabase` and `DatabaseTarget` are the seed shape; they live here until domain/ defines a
 * database inventory type.
 */

export type DatabaseEngine = 'SqlServer' | 'MySql' | 'PostgreSql';

/** Where a database lands: SQL MI, SQL Server on an Azure VM, SQL Database, or a flexible server. */
export type TargetKind = 'SqlMi' | 'SqlVm' | 'SqlDb' | 'MySql' | 'PostgreSql';

export interface TargetSku {
  name: string;
  tier: string;
  /** vCores; derived from the name (`Standard_D4ds_v4` → 4) when omitted. */
  capacity?: number;
  family?: string;
}

export interface DatabaseTarget {
  kind: TargetKind;
  resourceGroup: string;
  /** Managed instance, SQL VM, logical SQL server or flexible server name. */
  server: string;
  /** Target database name; defaults to the source database name. */
  databaseName?: string;
  /** Initial tier of the sized resource (MI, SQL database, flexible server); a default per kind. */
  sku?: TargetSku;
}

export interface SourceDatabase {
  name: string;
  /** Host of the source instance, e.g. the VM name `payroll-db-01`. */
  sourceServer: string;
  engine: DatabaseEngine;
  version: string;
  sizeMB: number;
  logRateMBPerHour: number;
  target: DatabaseTarget;
}

export interface SourceDatabaseRecord extends SourceDatabase {
  /** `${sourceServer}/${name}`, lower-cased. */
  key: string;
  subscriptionId: string;
}

export type TargetResourceKind =
  'SqlMi' | 'SqlVm' | 'SqlServer' | 'SqlDb' | 'MySqlFlexibleServer' | 'PostgreSqlFlexibleServer';

export interface SkuChange {
  operationId: string;
  from: Required<Pick<TargetSku, 'name' | 'tier' | 'capacity'>> & { family?: string };
  to: Required<Pick<TargetSku, 'name' | 'tier' | 'capacity'>> & { family?: string };
  startedAt: number;
  endsAt: number;
}

export interface TargetResource {
  id: string;
  kind: TargetResourceKind;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  /** Sized resources only (not the SQL logical server nor the SQL VM). */
  sku?: Required<Pick<TargetSku, 'name' | 'tier' | 'capacity'>> & { family?: string };
  scaling?: SkuChange;
  version?: string;
  createdAt: number;
}

/** A self-hosted integration runtime node registered with a SQL migration service's auth key. */
export interface IntegrationRuntimeNode {
  nodeName: string;
  online: boolean;
  registeredAt: number;
}

export interface SqlMigrationService {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  createdAt: number;
  /** Creating the service is a long-running operation; `Succeeded` once it ended. */
  provisioningState: 'Updating' | 'Succeeded';
  /** The Azure-AsyncOperation of the create. */
  createOperationId?: string;
  /** Keys a self-hosted integration runtime registers with (`listAuthKeys`, `regenerateAuthKeys`). */
  authKeys: { authKey1: string; authKey2: string };
  /** Nodes registered with an auth key: none until someone installs and registers a runtime. */
  nodes: IntegrationRuntimeNode[];
}

/**
 * Phases of a data sync, shared by SQL migrations (backup/restore) and classic DMS tasks (full load
 * then change data capture):
 *
 *   Starting → Uploading → [Restoring] → (offline: Completing) | (online: CatchingUp → Ready)
 *   Ready —cutover→ Completing → Succeeded | Failed;   any live phase —cancel→ Canceling → Canceled
 */
export type SyncPhase =
  | 'Starting'
  | 'Uploading'
  | 'Restoring'
  | 'CatchingUp'
  | 'Ready'
  | 'Completing'
  | 'Succeeded'
  | 'Failed'
  | 'Canceling'
  | 'Canceled';

export interface SyncFailure {
  code: string;
  message: string;
}

export interface DataSync {
  mode: 'backupRestore' | 'fullLoad';
  online: boolean;
  phase: SyncPhase;
  phaseStartedAt: number;
  /** End of a timed phase (Starting, Completing, Canceling). */
  phaseEndsAt?: number;
  checkpointAt: number;
  totalBytes: number;
  uploadedBytes: number;
  restoredBytes: number;
  /** Log generated since the full backup started and not yet applied. */
  backlogBytes: number;
  appliedLogBytes: number;
  logBytesPerSecond: number;
  uploadedAt?: number;
  restoredAt?: number;
  readyAt?: number;
  endedAt?: number;
  /** Decided when the cutover starts: the cutover fails at its end. */
  cutoverFailure?: SyncFailure;
  failure?: SyncFailure;
  /** Simulated time of the scheduled `syncDue` event (the next phase boundary); later events supersede it. */
  dueAt?: number;
}

export type SqlMigrationKind = 'SqlMi' | 'SqlVm' | 'SqlDb';

export interface DatabaseMigration {
  id: string;
  kind: SqlMigrationKind;
  name: string;
  /** Target server id (the `scope`). */
  scope: string;
  /** Resource whose sku drives the restore speed (MI, SQL VM, or the SQL database). */
  sizedTargetId: string;
  sourceKey: string;
  migrationServiceId: string;
  migrationOperationId: string;
  /** The Azure-AsyncOperation of the PUT; it succeeds when provisioning (validation) is done. */
  createOperationId: string;
  provisioningState: 'Provisioning' | 'Succeeded' | 'Failed' | 'Canceled';
  createdAt: number;
  /** The request's properties, echoed without secrets. */
  input: Record<string, unknown>;
  sync: DataSync;
  /** Operation started by cutover/cancel that has not finished. */
  pendingOperationId?: string;
}

/** Azure-AsyncOperation status of a Database Migration or target-scaling call. */
export interface DataOperation {
  id: string;
  name: string;
  subscriptionId: string;
  location: string;
  kind: 'create' | 'cutover' | 'cancel' | 'delete' | 'scale' | 'serviceCreate' | 'sqlServiceCreate';
  resourceId: string;
  startTime: number;
  /** Timed operations (delete, scale, service create) end at this simulated time. */
  endsAt?: number;
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  endTime?: number;
  error?: SyncFailure;
}

export interface DmsService {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  kind: string;
  sku: { name: string; tier: string; size?: string; capacity?: number };
  virtualSubnetId: string;
  readyAt: number;
  createdAt: number;
}

export interface DmsProject {
  id: string;
  serviceId: string;
  name: string;
  location: string;
  sourcePlatform: string;
  targetPlatform: string;
  /** Connection infos and database list, echoed without passwords. */
  echo: Record<string, unknown>;
  createdAt: number;
}

export type ClassicTaskType =
  'Migrate.MySql.AzureDbForMySql.Sync' | 'Migrate.PostgreSql.AzureDbForPostgreSql.Sync';

export interface DmsTaskDatabase {
  name: string;
  targetDatabaseName: string;
  sourceKey: string;
  targetId: string;
  tables: number;
  sync: DataSync;
}

export interface DmsCommand {
  commandType: 'Migrate.Sync.Complete.Database';
  databaseName: string;
  requestedAt: number;
  id: string;
}

export interface DmsTask {
  id: string;
  projectId: string;
  name: string;
  taskType: ClassicTaskType;
  /** The task input and clientData, echoed without passwords. */
  input: Record<string, unknown>;
  clientData?: Record<string, string>;
  sourceServer: string;
  sourceServerVersion: string;
  targetServer: string;
  targetServerVersion: string;
  createdAt: number;
  /** Set when input validation failed: the task is FailedInputValidation. */
  validationErrors?: SyncFailure[];
  databases: DmsTaskDatabase[];
  commands: DmsCommand[];
}

export interface DataMigrationState {
  sourceDatabases: Record<string, SourceDatabaseRecord>;
  targets: Record<string, TargetResource>;
  sqlMigrationServices: Record<string, SqlMigrationService>;
  databaseMigrations: Record<string, DatabaseMigration>;
  operations: Record<string, DataOperation>;
  services: Record<string, DmsService>;
  projects: Record<string, DmsProject>;
  tasks: Record<string, DmsTask>;
  /** Upload bandwidth of the migration path (self-hosted IR / DMS to Azure), Mbps. */
  bandwidthMbps: number;
  history: {
    /** Cutovers started per migrationOperationId (or classic task/database). */
    cutovers: Record<string, number>;
    /** Migrations that reached Succeeded per target database id. */
    succeededByTarget: Record<string, number>;
  };
}

export const emptyDataMigrationState = (): DataMigrationState => ({
  sourceDatabases: {},
  targets: {},
  sqlMigrationServices: {},
  databaseMigrations: {},
  operations: {},
  services: {},
  projects: {},
  tasks: {},
  bandwidthMbps: 500,
  history: { cutovers: {}, succeededByTarget: {} },
});
