import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEntry } from './audit.ts';
import { noFaults, type FaultRule, type FaultState } from './faults.ts';
import { emptyDataMigrationState, type DataMigrationState } from './data-migration/types.ts';
import type { KeyVaultState } from './key-vault.ts';
import type { LandingZoneState } from './landing-zone/types.ts';
import type { ScheduledEvent } from './scheduler.ts';
import type {
  CompletedMigration,
  Container,
  ContainerMapping,
  DiscoveredMachine,
  Fabric,
  Job,
  Policy,
  ProtectedItem,
  RecoveryPlan,
  SourceVmRecord,
  TargetVm,
  Vault,
} from './site-recovery/types.ts';
import { simulatorLog } from './log.ts';

/** 2 added Database Migration and the fault configuration; version 1 snapshots are upgraded on load. */
export const schemaVersion = 2;

/** The whole simulated world. Maps are keyed by lower-cased ARM id (vCenter VMs by their vm id). */
export interface SimulatorState {
  schemaVersion: typeof schemaVersion;
  /** Simulated time at the moment the snapshot was taken (epoch ms). */
  simulatedTime: number;
  counters: { guid: number; sourceVm: number; event: number };
  vaults: Record<string, Vault>;
  fabrics: Record<string, Fabric>;
  containers: Record<string, Container>;
  policies: Record<string, Policy>;
  mappings: Record<string, ContainerMapping>;
  discoveredMachines: Record<string, DiscoveredMachine>;
  sourceVms: Record<string, SourceVmRecord>;
  items: Record<string, ProtectedItem>;
  plans: Record<string, RecoveryPlan>;
  jobs: Record<string, Job>;
  targetVms: Record<string, TargetVm>;
  events: ScheduledEvent[];
  audit: AuditEntry[];
  faults: FaultState;
  dataMigration: DataMigrationState;
  /** Resource groups, networks, storage, quotas and permissions (absent in older snapshots: created on use). */
  landingZone?: LandingZoneState;
  /** Key Vault secrets by name (absent in older snapshots: created on use); see key-vault.ts. */
  keyVault?: KeyVaultState;
  history: {
    /** Enable jobs started per discovered machine (lower-cased id). */
    enableJobs: Record<string, number>;
    /** Protected items that ended (removed or purged) per discovered machine. */
    protectionEnded: Record<string, number>;
    completedMigrations: CompletedMigration[];
  };
}

export function emptyState(simulatedTime: number): SimulatorState {
  return {
    schemaVersion,
    simulatedTime,
    counters: { guid: 0, sourceVm: 0, event: 0 },
    vaults: {},
    fabrics: {},
    containers: {},
    policies: {},
    mappings: {},
    discoveredMachines: {},
    sourceVms: {},
    items: {},
    plans: {},
    jobs: {},
    targetVms: {},
    events: [],
    audit: [],
    faults: { config: noFaults(), requests: 0, used: {} },
    dataMigration: emptyDataMigrationState(),
    history: { enableJobs: {}, protectionEnded: {}, completedMigrations: [] },
  };
}

export const snapshotFile = 'snapshot.json';

export async function loadSnapshot(stateDir: string): Promise<SimulatorState | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(stateDir, snapshotFile), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as { schemaVersion?: unknown; faults?: unknown };
  if (parsed.schemaVersion === 1) {
    // Version 1 held the failure rates only, and no Database Migration state.
    const rules = Array.isArray(parsed.faults) ? (parsed.faults as FaultRule[]) : [];
    return {
      ...(parsed as Omit<SimulatorState, 'schemaVersion' | 'faults' | 'dataMigration'>),
      schemaVersion,
      faults: { config: { ...noFaults(), rules }, requests: 0, used: {} },
      dataMigration: emptyDataMigrationState(),
    };
  }
  if (parsed.schemaVersion !== schemaVersion) {
    throw new Error(
      `${path.join(stateDir, snapshotFile)} has schema version ${String(parsed.schemaVersion)}; this simulator reads version ${String(schemaVersion)}. Delete the file to start fresh.`,
    );
  }
  return parsed as SimulatorState;
}

/**
 * Writes the state to `snapshot.json` at most every `debounceMs`, atomically (temp file + rename),
 * never two writes at once. `flush()` writes pending changes immediately. A large state waits longer
 * between writes, so that serialising it takes at most a tenth of the process's time.
 */
export class SnapshotWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private lastWriteMs = 0;

  constructor(
    private readonly stateDir: string,
    private readonly capture: () => SimulatorState,
    private readonly debounceMs = 250,
    private readonly onError: (error: unknown) => void = (error) =>
      simulatorLog.error({ err: error }, 'simulator snapshot failed'),
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flush().catch(this.onError);
      },
      Math.max(this.debounceMs, 9 * this.lastWriteMs),
    );
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const run = async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const started = performance.now();
      const text = JSON.stringify(this.capture());
      await mkdir(this.stateDir, { recursive: true });
      const target = path.join(this.stateDir, snapshotFile);
      const temporary = `${target}.${process.pid}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, target);
      this.lastWriteMs = performance.now() - started;
    };
    this.writing = this.writing.then(run, run);
    await this.writing;
  }
}
