/**
 * Landing ("secure and manage"): what the landing workflow hands each step activity and what a step
 * reports back. Every step is a reconciler for one application's migrated VMs in one batch: it reads
 * Azure, makes the next change, and reports `done`, `waiting` (call again after a durable timer) or
 * `held` (a person must fix something first). Steps are idempotent: a retried or repeated call with the
 * same input changes nothing that is already as the policy asks.
 *
 * Activities implementing a step are named `land<Step>` and `undo<Step>` (see `LandingActivities`), so the
 * workflow drives every step the same way and rollback removes exactly what `created` lists.
 */
import type { Tier } from '../domain/estate.ts';

export const landingSteps = [
  'tags',
  'backup',
  'disaster-recovery',
  'dr-drill',
  'monitoring',
  'security',
  'handover',
] as const;
export type LandingStep = (typeof landingSteps)[number];

/** A migrated VM as landing sees it: the Azure VM failover created, by ARM id. */
export interface LandingVm {
  /** The source VM's name in the plan. */
  name: string;
  /** ARM id of the migrated Azure VM (`…/providers/Microsoft.Compute/virtualMachines/{name}`). */
  vmId: string;
  machineId: string;
  tier: Tier;
  location: string;
}

/** The application's classification, from the estate and assessment the wave pinned. */
export interface LandingApplication {
  id: string;
  name: string;
  owner?: string;
  businessGroup: string;
  environment: string;
  costCenter?: string;
  /** Business criticality 1 (low) … 5 (mission critical). */
  criticality: number;
}

/**
 * The landing policy rule that matched the application, with every Azure id a step needs resolved from
 * the settings profile. An absent section means the policy does not ask for that step.
 */
export interface ResolvedLandingPolicy {
  /** Name of the matched rule (reported, audited). */
  rule: string;
  /** Tag values for every migrated VM, disk and NIC of the application. */
  tags: Record<string, string>;
  backup?: {
    /** The Recovery Services vault in the VMs' region. */
    vaultId: string;
    policyName: string;
    /** Daily backup time, UTC `HH:MM`. */
    scheduleTimeUtc: string;
    retentionDays: number;
  };
  disasterRecovery?: {
    /** The Recovery Services vault in the secondary region that holds the Azure-to-Azure replication. */
    vaultId: string;
    targetRegion: string;
    targetResourceGroupId: string;
    targetNetworkId: string;
    /** Isolated network the drill fails over into. */
    testNetworkId: string;
    /** Cache storage account in the source region. */
    cacheStorageAccountId: string;
    /** Run a DR drill (test failover, probes, cleanup) once replication is protected. */
    drill: boolean;
  };
  monitoring?: {
    dataCollectionRuleId: string;
    actionGroupId: string;
    /** Log Analytics workspace the agent reports heartbeats to. */
    workspaceId: string;
    alerts: { availability: boolean; cpuPercent?: number; diskFreePercent?: number };
  };
  security?: {
    forbidPublicIp: boolean;
    requireNsg: boolean;
    diskEncryption: 'platform' | 'encryption-at-host' | 'customer-managed-key';
    /** Defender for Servers plan the target subscription must have (checked once per program). */
    defenderForServers: 'P1' | 'P2' | 'off';
  };
}

export interface LandingStepInput {
  /** The landing workflow's id: stamped in tags and descriptions so rollback proves what it created. */
  landingRunId: string;
  waveId: string;
  batchId: string;
  application: LandingApplication;
  vms: LandingVm[];
  policy: ResolvedLandingPolicy;
  /** What earlier calls of this step created (a `waiting` outcome's `created`, passed back). */
  created: CreatedResource[];
}

/** Something a step created or changed in Azure, so rollback can undo exactly that. */
export interface CreatedResource {
  step: LandingStep;
  /** ARM id of the resource (or of the scope a setting was changed on). */
  id: string;
  /** ARM type, e.g. `Microsoft.Insights/metricAlerts`. */
  type: string;
  /** `created`: rollback deletes it. `changed`: rollback restores `previous`. */
  action: 'created' | 'changed';
  previous?: Record<string, string>;
}

/** A check that failed, with what to do about it (security baseline, heartbeat, drill). */
export interface LandingFinding {
  vm?: string;
  check: string;
  detail: string;
  fix: string;
}

/** What the handover report shows for a step: first recovery point time, RPO, heartbeat, … */
export type LandingEvidence = Record<string, string | number | boolean>;

export type LandingStepOutcome =
  | { status: 'done'; created: CreatedResource[]; evidence: LandingEvidence; findings: LandingFinding[] }
  | { status: 'waiting'; created: CreatedResource[]; retryAfterSeconds: number; detail: string }
  | { status: 'held'; created: CreatedResource[]; reason: string; action: string };

export interface LandingUndoInput {
  landingRunId: string;
  step: LandingStep;
  /** Exactly what the step reported; nothing else is touched. */
  created: CreatedResource[];
}

/** One pair per step that talks to Azure (handover is the workflow's own). */
export interface LandingActivities {
  landTags(input: LandingStepInput): Promise<LandingStepOutcome>;
  undoTags(input: LandingUndoInput): Promise<void>;
  landBackup(input: LandingStepInput): Promise<LandingStepOutcome>;
  undoBackup(input: LandingUndoInput): Promise<void>;
  landDisasterRecovery(input: LandingStepInput): Promise<LandingStepOutcome>;
  undoDisasterRecovery(input: LandingUndoInput): Promise<void>;
  landDrDrill(input: LandingStepInput): Promise<LandingStepOutcome>;
  undoDrDrill(input: LandingUndoInput): Promise<void>;
  landMonitoring(input: LandingStepInput): Promise<LandingStepOutcome>;
  undoMonitoring(input: LandingUndoInput): Promise<void>;
  landSecurity(input: LandingStepInput): Promise<LandingStepOutcome>;
  undoSecurity(input: LandingUndoInput): Promise<void>;
}

/** The tag every resource the factory creates or tags during landing carries: the landing workflow id. */
export const landingRunTag = 'migration-factory-landing-run';
