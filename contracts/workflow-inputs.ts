/**
 * What starts a wave, a batch or a database migration, and the settings they run with: the inputs every
 * client (CLI, demo, bench, tests) builds through `assembleWaveInput`, and the workflows accept.
 */
import type { StallPolicy, VmTrack } from '../domain/batch-rules.ts';
import type {
  BatchPhase,
  BatchSpec,
  DatabaseMigrationServices,
  DatabaseMigrationStatus,
  DatabasePhase,
  DatabaseSpec,
  ReplicationSite,
  TargetSettings,
  ValidationCheck,
} from '../domain/migration.ts';
import type { MigrationScope } from '../domain/plan/batch-specs.ts';
import type { DatabaseTargetConvention } from '../domain/plan/database-specs.ts';
import type { CutoverWindow } from '../domain/plan/plan-schema.ts';
import type { WaveGate } from '../domain/plan/wave-gate.ts';
import type { CutoverAuthorization } from './messages.ts';
import type { OperatorStamp, TrustedStampKeys, VerifiedIdentity } from './operator-stamp.ts';

export const artifactKinds = ['estate', 'assessment', 'plan'] as const;
export type ArtifactKind = (typeof artifactKinds)[number];

/** The sha256 of each artifact a wave runs on: the plan and the estate and assessment it was made from. */
export type ArtifactPins = Record<ArtifactKind, string>;

/** The artifacts a wave runs on, pinned by content hash in the artifact store, and where it migrates from. */
export interface PlanRef {
  artifacts: ArtifactPins;
  scope: MigrationScope;
}

export interface WaveManifest {
  batches: { batchId: string; vmCount: number; cutoverWindow?: CutoverWindow }[];
  gate: WaveGate;
  /** The wave's databases with the batch that cuts each over (when target servers are configured). */
  databases: { spec: DatabaseSpec; batchId: string }[];
  /** Databases of the wave the factory cannot migrate, with the reason. */
  excludedDatabases: { id: string; reason: string }[];
}

export interface WaveWorkflowInput {
  waveId: string;
  /** The wave's batches: from the plan in a workspace, pinned by content hash, or inline (demo, tests). */
  source: { kind: 'plan'; plan: PlanRef } | { kind: 'inline'; batches: BatchSpec[] };
  target: TargetSettings;
  /** Region the VMs land in (preflight's quota check); the replication fabric's region when absent. */
  location?: string;
  batchSettings: BatchSettings;
  /** How many batches replicate and cut over at the same time; operators can change it at run time. */
  maxConcurrentBatches: number;
  /** Wait for an approval update (who, why, change ticket) before replication starts. */
  requireApproval: boolean;
  /**
   * `plan-windows` (default): each batch cuts over inside its planned maintenance window. `when-ready`:
   * batches cut over as soon as they are validated (test environments, compressed benchmark calendars).
   */
  cutover?: 'plan-windows' | 'when-ready';
  /** The wave's databases, each cut over with its application's batch. */
  databases?: {
    services: DatabaseMigrationServices;
    settings: DatabaseSettings;
    /** Inline databases; with a plan source they come from the plan and the estate instead. */
    items?: { spec: DatabaseSpec; batchId: string }[];
    /** Where the plan's target database servers live (plan source). */
    targets?: DatabaseTargetConvention;
  };
  /**
   * The factory server's public stamp keys (key id → Ed25519 public key). When present, the wave, its
   * batches and databases refuse every operator update without a valid signed stamp and check roles, and
   * the wave refuses to start without a valid `startStamp`. The factory server always sets them; a wave
   * started without them (the CLI's direct dev/embedded path, to be retired) checks neither.
   */
  trustedStampKeys?: TrustedStampKeys;
  /** Who started the wave, as the server verified it: that identity may not approve the wave. */
  startedBy?: VerifiedIdentity;
  /** The server's stamp over 'startWave', the workflow id and this input without `startStamp`. */
  startStamp?: OperatorStamp;
  /**
   * Whether decisions raise notifications, set by the starter from the same `FACTORY_NOTIFY_*` settings
   * the workers read (`notificationsConfigured`): false starts no `notifyEvent` child at all. Absent in
   * waves started before the flag existed: they raise as they always did (the workers' channels decide).
   */
  notifications?: boolean;
}

export interface BatchSettings extends StallPolicy {
  azureTaskQueue: string;
  /** How long one replication poll may wait for a change before reporting (ms). */
  replicationReportEveryMs: number;
  /** Heartbeat timeout of long Azure activities: how fast a lost worker's activity is retried elsewhere. */
  heartbeatTimeoutMs: number;
  /** Hold the batch for an operator when initial replication takes longer than this (ms). */
  initialReplicationTimeoutMs: number;
  /** Wait for a human sign-off of the test failover, and of the cutover before commit. */
  requireValidationSignOff: boolean;
  /** Probes against the test VMs (after test failover) and the migrated VMs (before commit). */
  validation?: { testFailover: ValidationCheck[]; cutover: ValidationCheck[] };
  /** Cutover only inside this window (ISO instants); absent = as soon as the batch is ready. */
  cutoverWindow?: { start: string; end: string };
  /** Continue as new after this many replication polls (the server's suggestion also triggers it). */
  continueAsNewAfterPolls: number;
}

/** What a batch carries into its next run when it continues as new. */
export interface BatchCheckpoint {
  phase: BatchPhase;
  tracks: VmTrack[];
  fingerprint?: string;
  paused: boolean;
  cutoverAt?: string;
  replicationStartedMs: number;
  planCreated: boolean;
  /** False until the wave says the batch's database workflows have started (see `databasesStartPending`). */
  databasesStarted: boolean;
  /** The signed action that moved the cutover outside the planned window, forwarded to the databases. */
  cutoverAuthorization?: CutoverAuthorization;
}

export interface BatchWorkflowInput {
  /** The batch's VMs, given inline (demo, tests) ... */
  spec?: BatchSpec;
  /** ... or loaded from the wave's pinned plan, so the wave's history does not carry every VM. */
  planBatch?: { plan: PlanRef; waveId: string; batchId: string };
  site: ReplicationSite;
  target: TargetSettings;
  settings: BatchSettings;
  /** The wave workflow to notify of phase changes. */
  parentWorkflowId?: string;
  /** Database workflows of this batch's applications: cut over when the batch's window opens. */
  databases?: { databaseId: string; workflowId: string }[];
  /**
   * The wave starts the database workflows while the batch replicates (starting hundreds takes a while)
   * and sends `databasesStarted` when they are up; the batch waits for it before signalling them.
   */
  databasesStartPending?: boolean;
  /** The wave's trusted stamp keys: the batch then refuses unsigned operator updates (see the wave's). */
  trustedStampKeys?: TrustedStampKeys;
  /** The wave's `notifications`: false raises none; absent raises as before the flag existed. */
  notifications?: boolean;
  checkpoint?: BatchCheckpoint;
}

export interface DatabaseSettings {
  azureTaskQueue: string;
  /** How long one migration poll may wait for a change before reporting (ms). */
  reportEveryMs: number;
  /**
   * How often a migration that is ready and waits for its batch's cutover is read again (ms; default 4 ×
   * `reportEveryMs`). No activity runs while it waits: thousands of databases wait days for their window,
   * and a running poll would heartbeat all that time.
   */
  readyCheckEveryMs?: number;
  /** Heartbeat timeout of the Azure activities: how fast a lost worker's activity is retried elsewhere. */
  heartbeatTimeoutMs: number;
  /** Continue as new after this many polls (the server's suggestion also triggers it). */
  continueAsNewAfterPolls: number;
}

type CutoverRequest = { by: string; reason: string; at: string };

/** What a database workflow carries into its next run when it continues as new. */
export interface DatabaseCheckpoint {
  phase: DatabasePhase;
  stage: 'migrate' | 'verify' | 'scale-down' | 'done';
  /** A migration was started for the current attempt (a retry after a failure starts a new one). */
  migrationStarted: boolean;
  status?: DatabaseMigrationStatus;
  fingerprint?: string;
  cutoverRequest?: CutoverRequest;
  cutoverCompleted: boolean;
  lastError?: { code: string; message: string };
}

export interface DatabaseWorkflowInput {
  spec: DatabaseSpec;
  services: DatabaseMigrationServices;
  settings: DatabaseSettings;
  /** Workflow (the application's batch) to send `databaseCutoverDone` to. */
  notifyWorkflowId?: string;
  /** The wave and batch it belongs to, as search attributes so the wave's databases are listable. */
  waveId?: string;
  batchId?: string;
  /**
   * Its batch's planned cutover window (ISO instants), when the batch has one: an operator's cutover outside
   * it is a force, and a cutover signal outside it needs a forwarded authorization (with stamp keys).
   */
  cutoverWindow?: { start: string; end: string };
  /** The wave's trusted stamp keys: the database then refuses unsigned operator updates. */
  trustedStampKeys?: TrustedStampKeys;
  checkpoint?: DatabaseCheckpoint;
}
