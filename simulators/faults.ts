/**
 * Seeded fault injection. Every random decision is a digest of (seed, what is decided, a stable key or a
 * persisted counter), so the same seed and the same sequence of calls inject the same faults.
 *
 * Kinds of faults:
 * - per-operation failure rates (`rules`): a job of that scenario fails on its last task;
 * - targeted faults (`targeted`): named VMs or databases fail an operation (or stall), optionally only
 *   the first `count` times;
 * - transient errors (`transient`): a fraction of ARM requests answer 500/503 before being handled;
 * - 429 storms (`storms`): windows of real time in which every ARM request is throttled;
 * - latency (`latency`): real milliseconds added before each ARM request is handled;
 * - replication stalls (`stalls` + targeted `Stall`): initial replication of an item makes no progress
 *   until it is repaired (repairReplication starts a resync that is not stalled);
 * - appliance outages (`applianceOutages`): every transfer on the named process servers stalls and
 *   the process server reports Critical health;
 * - slow jobs (`slowJobs`): Site Recovery jobs of a scenario take that many simulated seconds longer, as
 *   real jobs sometimes do (a resync start that takes hours while the factory polls).
 */
import { createHash } from 'node:crypto';

/** Operations that failure rates and targeted faults can fail, with the Azure error each reports. */
export const faultableScenarios = {
  EnableDr: {
    code: 'EnableProtectionFailed',
    message:
      'Enable protection failed because the mobility service could not be installed on the source machine.',
    possibleCauses: 'The source machine is not reachable from the replication appliance.',
    recommendedAction:
      'Check connectivity between the appliance and the source machine, then disable and re-enable replication.',
  },
  TestFailover: {
    code: 'TestFailoverFailed',
    message: 'Test failover failed while creating the test virtual machine.',
    possibleCauses: 'A transient error occurred in the target region.',
    recommendedAction: 'Clean up the test failover and retry it.',
  },
  UnplannedFailover: {
    code: 'FailoverFailed',
    message: 'Failover failed while creating the Azure virtual machine.',
    possibleCauses: 'A transient error occurred in the target region.',
    recommendedAction: 'Retry the failover.',
  },
  Commit: {
    code: 'FailoverCommitFailed',
    message: 'Commit of the failover failed while finalizing the Azure virtual machine.',
    possibleCauses: 'A transient error occurred in the target region.',
    recommendedAction: 'Retry the commit.',
  },
  DatabaseCutover: {
    code: 'CutoverFailed',
    message: 'The cutover failed while restoring the tail-log backup on the target.',
    possibleCauses: 'The last log backup could not be restored on the target.',
    recommendedAction: 'Start a new migration of the database.',
  },
  /** The cutover request is refused (400) although the migration shows ReadyForCutover. */
  DatabaseCutoverNotReady: {
    code: 'MigrationNotReadyForCutoverError',
    message: 'The last log backup is still being restored on the target.',
    possibleCauses: 'A log backup arrived after the migration reported ReadyForCutover.',
    recommendedAction: 'Wait until no log backup is pending, then cut over again.',
  },
} as const;

export type FaultableScenario = keyof typeof faultableScenarios;
export const faultableScenarioNames = Object.keys(faultableScenarios) as [
  FaultableScenario,
  ...FaultableScenario[],
];

export interface FaultRule {
  scenario: FaultableScenario;
  /** Probability in [0, 1] that an operation of this scenario fails. */
  probability: number;
}

export interface TargetedFault {
  /** Source VM name (Site Recovery faults). */
  vm?: string;
  /** Source database name (Database Migration faults). */
  database?: string;
  /** The operation to fail, or `Stall`: initial replication / the database migration makes no progress. */
  fault: FaultableScenario | 'Stall';
  /** Inject only the first `count` times (operations) — omitted: always. Ignored for `Stall`. */
  count?: number;
}

export interface StormWindow {
  /** Real epoch milliseconds. */
  startsAt: number;
  endsAt: number;
  retryAfterSeconds: number;
}

export interface FaultConfig {
  rules: FaultRule[];
  transient: { probability: number; statuses: (500 | 503)[] };
  storms: StormWindow[];
  latency: { ms: number; jitterMs: number };
  stalls: { probability: number };
  applianceOutages: string[];
  targeted: TargetedFault[];
  slowJobs: SlowJob[];
}

export interface SlowJob {
  /** Site Recovery job scenario, e.g. `RepairReplication`. */
  scenario: string;
  extraSeconds: number;
}

/** What the admin API and `startSimulator({ faults })` accept: storms relative to now, the rest optional. */
export interface FaultConfigInput {
  rules?: FaultRule[];
  transient?: { probability: number; statuses?: (500 | 503)[] };
  storms?: { afterSeconds?: number; durationSeconds: number; retryAfterSeconds?: number }[];
  latency?: { ms: number; jitterMs?: number };
  stalls?: { probability: number };
  applianceOutages?: string[];
  targeted?: TargetedFault[];
  slowJobs?: SlowJob[];
}

/** Persisted fault state: the configuration and the counters that keep decisions reproducible. */
export interface FaultState {
  config: FaultConfig;
  /** ARM requests seen by the transient/latency draws. */
  requests: number;
  /** Targeted faults used so far, by index key. */
  used: Record<string, number>;
}

export const noFaults = (): FaultConfig => ({
  rules: [],
  transient: { probability: 0, statuses: [500, 503] },
  storms: [],
  latency: { ms: 0, jitterMs: 0 },
  stalls: { probability: 0 },
  applianceOutages: [],
  targeted: [],
  slowJobs: [],
});

export function resolveFaultConfig(input: FaultConfigInput, realNow: number): FaultConfig {
  return {
    rules: input.rules ?? [],
    transient: {
      probability: input.transient?.probability ?? 0,
      statuses: input.transient?.statuses?.length ? input.transient.statuses : [500, 503],
    },
    storms: (input.storms ?? []).map((storm) => {
      const startsAt = realNow + (storm.afterSeconds ?? 0) * 1000;
      return {
        startsAt,
        endsAt: startsAt + storm.durationSeconds * 1000,
        retryAfterSeconds: storm.retryAfterSeconds ?? 1,
      };
    }),
    latency: { ms: input.latency?.ms ?? 0, jitterMs: input.latency?.jitterMs ?? 0 },
    stalls: { probability: input.stalls?.probability ?? 0 },
    applianceOutages: input.applianceOutages ?? [],
    targeted: input.targeted ?? [],
    slowJobs: input.slowJobs ?? [],
  };
}

/** A uniform number in [0, 1) from the seed and a key. */
export function draw(seed: number, key: string): number {
  return createHash('sha256').update(`${seed}:fault:${key}`).digest().readUInt32BE(0) / 0x1_0000_0000;
}

export type RequestFault =
  { kind: 'storm'; retryAfterSeconds: number } | { kind: 'transient'; status: 500 | 503 };

/** Who an operation acts on, for targeted faults. */
export interface FaultSubject {
  /** Source VM names the operation acts on (one item, or every item of a recovery plan). */
  vms?: readonly string[];
  database?: string;
}

export class FaultInjector {
  constructor(
    private readonly state: FaultState,
    private readonly seed: number,
    private readonly onChange: () => void,
  ) {}

  get config(): FaultConfig {
    return this.state.config;
  }

  replace(config: FaultConfig): void {
    this.state.config = config;
    this.state.used = {};
    this.onChange();
  }

  /** Adds a storm window without touching the rest of the configuration. */
  addStorm(storm: StormWindow): void {
    this.state.config.storms = [...this.state.config.storms.filter((s) => s.endsAt > storm.startsAt), storm];
    this.onChange();
  }

  /** Storm or transient error for the next ARM request (counts the request). */
  requestFault(realNow: number): RequestFault | undefined {
    const storm = this.state.config.storms.find((s) => realNow >= s.startsAt && realNow < s.endsAt);
    if (storm) return { kind: 'storm', retryAfterSeconds: storm.retryAfterSeconds };
    const { probability, statuses } = this.state.config.transient;
    if (probability <= 0) return undefined;
    this.state.requests += 1;
    this.onChange();
    const key = `transient:${this.state.requests}`;
    if (draw(this.seed, key) >= probability) return undefined;
    const status = statuses[Math.floor(draw(this.seed, `${key}:status`) * statuses.length)] ?? 500;
    return { kind: 'transient', status };
  }

  /** Real milliseconds to delay the next ARM request. */
  latencyMs(): number {
    const { ms, jitterMs } = this.state.config.latency;
    if (ms <= 0 && jitterMs <= 0) return 0;
    this.state.requests += 1;
    this.onChange();
    return Math.round(ms + jitterMs * draw(this.seed, `latency:${this.state.requests}`));
  }

  /**
   * Whether the operation `scenario` identified by `key` (a seeded job or operation name) fails: a
   * targeted fault for the subject first (consumed), else the scenario's failure rate.
   */
  operationFails(scenario: string, key: string, subject: FaultSubject): boolean {
    const index = this.targetedIndex(scenario, subject);
    if (index !== undefined) {
      const fault = this.state.config.targeted[index];
      const usedKey = String(index);
      const used = this.state.used[usedKey] ?? 0;
      if (fault?.count === undefined || used < fault.count) {
        this.state.used[usedKey] = used + 1;
        this.onChange();
        return true;
      }
    }
    const rule = this.state.config.rules.find((candidate) => candidate.scenario === scenario);
    if (!rule || rule.probability <= 0) return false;
    return draw(this.seed, key) < rule.probability;
  }

  /** Whether initial replication of the item (key = item id) stalls. */
  replicationStalls(itemKey: string, vm: string): boolean {
    if (this.targetedIndex('Stall', { vms: [vm] }) !== undefined) return true;
    const { probability } = this.state.config.stalls;
    return probability > 0 && draw(this.seed, `stall:${itemKey}`) < probability;
  }

  databaseStalled(database: string): boolean {
    return this.targetedIndex('Stall', { database }) !== undefined;
  }

  /** Simulated seconds a job of `scenario` takes beyond its usual duration. */
  extraJobSeconds(scenario: string): number {
    return (this.state.config.slowJobs ?? [])
      .filter((slow) => slow.scenario === scenario)
      .reduce((sum, slow) => sum + slow.extraSeconds, 0);
  }

  applianceDown(name: string): boolean {
    return this.state.config.applianceOutages.some((outage) => outage.toLowerCase() === name.toLowerCase());
  }

  private targetedIndex(fault: string, subject: FaultSubject): number | undefined {
    const index = this.state.config.targeted.findIndex(
      (candidate) =>
        candidate.fault === fault &&
        ((candidate.vm !== undefined && (subject.vms ?? []).includes(candidate.vm)) ||
          (candidate.database !== undefined && candidate.database === subject.database)),
    );
    return index < 0 ? undefined : index;
  }
}
