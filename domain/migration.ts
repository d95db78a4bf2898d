/** Data that flows between migration workflows and activities. Small, serialisable, pure. */
import type { Tier } from './estate.ts';

/** The Site Recovery objects a wave replicates into, discovered once per wave. */
export interface ReplicationSite {
  fabricName: string;
  containerName: string;
  policyId: string;
  fabricId: string;
  processServers: { id: string; name: string }[];
}

/** Where replicated VMs land in Azure. */
export interface TargetSettings {
  resourceGroupId: string;
  networkId: string;
  subnetName: string;
  testNetworkId: string;
  logStorageAccountId: string;
  /** Azure Migrate run-as account the appliance pushes the mobility agent with (VMs without an agent). */
  runAsAccountId?: string;
}

export interface BatchVm {
  name: string;
  /** Azure Migrate discovered machine ARM id. */
  machineId: string;
  tier: Tier;
  appliance: string;
  targetVmSize?: string;
}

export interface BatchSpec {
  waveId: string;
  batchId: string;
  vms: BatchVm[];
}

export type VmReplicationState =
  | 'absent'
  | 'enabling'
  | 'replicating'
  | 'protected'
  | 'failing-over'
  | 'failed-over'
  | 'committed'
  | 'error';

export interface VmReplicationStatus {
  name: string;
  state: VmReplicationState;
  protectionState: string;
  replicationHealth: string;
  initialReplicationPercent: number;
  progressHealth: string;
  rpoSeconds?: number;
  activeLocation?: string;
  testFailoverState?: string;
  healthErrors: { code: string; message: string; recommendedAction?: string }[];
}

export const batchPhases = [
  'pending',
  'enabling-replication',
  'replicating',
  'creating-recovery-plan',
  'test-failover',
  'validating',
  'test-failover-cleanup',
  'awaiting-cutover-window',
  'cutting-over-databases',
  'cutover',
  'verifying-cutover',
  'validating-cutover',
  'committing',
  'completing-migration',
  'completed',
  'awaiting-operator',
  'rolling-back',
  'rolled-back',
] as const;
export type BatchPhase = (typeof batchPhases)[number];

/** Where one VM stands in its batch, independent of Azure's replication state. */
export type VmDisposition =
  | 'active'
  /** Failed a step; waits for an operator's retry or skip. */
  | 'parked'
  /** Deferred to a later wave by an operator. */
  | 'skipped'
  | 'migrated'
  | 'rolled-back';

/** Every VM ends in exactly one of these, with a reason when it is not `migrated`. */
export type VmOutcome = 'migrated' | 'rolled-back' | 'deferred' | 'failed-needs-attention';

export interface BatchResult {
  batchId: string;
  phase: BatchPhase;
  vms: { name: string; outcome: VmOutcome; reason?: string; errorCode?: string }[];
}

/** The state of a VM before anything is known from Azure. */
export const notYetReplicating = (name: string): VmReplicationStatus => ({
  name,
  state: 'absent',
  protectionState: 'None',
  replicationHealth: 'None',
  initialReplicationPercent: 0,
  progressHealth: 'None',
  healthErrors: [],
});

export interface WaveResult {
  waveId: string;
  batches: BatchResult[];
  counts: Record<VmOutcome, number>;
  databases: DatabaseResult[];
  databaseCounts: Record<VmOutcome, number>;
}

export function countOutcomes(batches: BatchResult[]): Record<VmOutcome, number> {
  const counts: Record<VmOutcome, number> = {
    migrated: 0,
    'rolled-back': 0,
    deferred: 0,
    'failed-needs-attention': 0,
  };
  for (const vm of batches.flatMap((b) => b.vms)) counts[vm.outcome] += 1;
  return counts;
}

/** A probe that proves a migrated (or test-failed-over) application answers. */
export type ValidationCheck =
  | { name: string; kind: 'http'; url: string; expectStatus?: number }
  | { name: string; kind: 'tcp'; host: string; port: number };

export interface ValidationResult {
  name: string;
  ok: boolean;
  detail: string;
}

/* ---------------------------------------------------------------------------------------------------
 * Databases: one workflow per database moves it with the Azure Database Migration Service.
 * ------------------------------------------------------------------------------------------------- */

export type DatabaseEngine = 'SQL Server' | 'MySQL' | 'PostgreSQL';

/**
 * Where a database lands: SQL Managed Instance, SQL Server on an Azure VM, Azure SQL Database (SQL
 * migration API), or an Azure Database for MySQL / PostgreSQL flexible server (classic DMS tasks).
 */
export type DatabaseTargetKind = 'SqlMi' | 'SqlVm' | 'SqlDb' | 'MySql' | 'PostgreSql';

/** A target tier. Fields left out are kept as they are (a flexible server's vCores follow its sku name). */
export interface DatabaseSku {
  name: string;
  tier?: string;
  capacity?: number;
}

export interface DatabaseTarget {
  kind: DatabaseTargetKind;
  /**
   * ARM id of the managed instance, SQL virtual machine, logical SQL server or flexible server: the
   * `scope` of a SQL migration, the server a classic task connects to.
   */
  serverId: string;
  /** Target database name (on SQL Database it must exist before the migration). */
  databaseName: string;
}

export interface DatabaseSpec {
  /** Business key, unique in the estate (e.g. `payroll-db-01.payroll`); the workflow id is derived from it. */
  id: string;
  /** Source database name. */
  name: string;
  /** Host of the source instance (the VM name), as the migration service connects to it. */
  sourceServer: string;
  engine: DatabaseEngine;
  /** The application whose cutover window the database's cutover belongs to. */
  application: string;
  /** Online: copy, catch up, wait for the cutover window. Offline: copy and finish. */
  mode: 'online' | 'offline';
  sizeGB: number;
  target: DatabaseTarget;
  /** Scale the target up for the migration (faster restore and catch-up) and back down afterwards. */
  scaleUp?: { migrationSku: DatabaseSku; normalSku: DatabaseSku };
}

/** The migration services the database migrations run through (shared by many databases). */
export interface DatabaseMigrationServices {
  location: string;
  /** `Microsoft.DataMigration/sqlMigrationServices` ARM id (SQL Server databases). */
  sqlMigrationServiceId: string;
  /** Classic DMS service for MySQL / PostgreSQL online migrations (Premium sku). */
  classic: { serviceId: string; virtualSubnetId: string; skuName: string };
}

/** The factory's coarse reading of a migration, whichever API runs it. */
export type DatabaseMigrationState =
  | 'not-started'
  | 'starting'
  | 'copying'
  | 'catching-up'
  | 'ready'
  | 'completing'
  | 'succeeded'
  | 'failed'
  | 'canceling'
  | 'canceled';

export interface DatabaseMigrationStatus {
  state: DatabaseMigrationState;
  /** Azure's own words: `migrationStatus` (SQL migration API) or the database's `migrationState` (classic). */
  migrationStatus: string;
  /** SQL: the `migrationOperationId` of the current migration; classic: the task name. */
  migrationOperationId?: string;
  /** Share of the initial copy done: full backup uploaded (SQL MI/VM) or tables fully loaded (SQL DB, classic). */
  copiedPercent?: number;
  fullBackupRestored?: boolean;
  /** SQL MI/VM: log backups taken but not restored yet. */
  pendingLogBackups?: number;
  /** Classic: changes read from the source and not applied yet, and how far behind the target is. */
  pendingChanges?: number;
  latencySeconds?: number;
  /** Why the migration makes no progress, when Azure says. */
  blockingReason?: string;
  errorCode?: string;
  errorMessage?: string;
}

export const databasePhases = [
  'pending',
  'migrating',
  'awaiting-cutover',
  'ready-for-cutover',
  'cutting-over',
  'verifying',
  'scaling-down',
  'completed',
  'awaiting-operator',
  'rolling-back',
  'rolled-back',
] as const;
export type DatabasePhase = (typeof databasePhases)[number];

/** Every database ends in exactly one of these (the same outcomes as a VM). */
export type DatabaseOutcome = VmOutcome;

export interface DatabaseResult {
  databaseId: string;
  name: string;
  phase: DatabasePhase;
  outcome: DatabaseOutcome;
  /** Why it is not `migrated`, or who cut it over. */
  reason?: string;
  /** Azure's error code of the failure that needs attention. */
  errorCode?: string;
}
