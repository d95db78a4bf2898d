import { AuditLog } from './audit.ts';
import type { SimulatedClock } from './clock.ts';
import { FaultInjector } from './faults.ts';
import { seededGuid } from './ids.ts';
import { EventQueue, type ScheduledEvent } from './scheduler.ts';
import type { SimulatorState } from './store.ts';

type NewEvent = ScheduledEvent extends infer E ? (E extends ScheduledEvent ? Omit<E, 'seq'> : never) : never;

/**
 * The simulated world without its service models: state, clock, pending events, audit and faults. The
 * replication and data-migration models are built on this core, so they need not know the `Simulation` that
 * composes them (and `simulation.ts` can import them without an import cycle).
 */
export class SimulationCore {
  readonly queue: EventQueue;
  readonly audit: AuditLog;
  readonly faults: FaultInjector;
  /** Absolute https base URL (no trailing slash), known once the server listens. */
  endpoint = '';
  /**
   * ARM requests answered since start (not persisted): by kind, the 429 / injected-fault answers, the
   * Site Recovery share (Microsoft.RecoveryServices paths) by kind, and every request by operation id.
   */
  readonly armRequests = {
    reads: 0,
    writes: 0,
    deletes: 0,
    throttled: 0,
    faulted: 0,
    siteRecovery: { reads: 0, writes: 0, deletes: 0 },
    byOperation: {} as Record<string, number>,
  };
  /** Open vSphere API session tokens (not persisted: a restarted vCenter forgets its sessions too). */
  readonly vsphereSessions = new Set<string>();

  constructor(
    readonly state: SimulatorState,
    readonly clock: SimulatedClock,
    readonly seed: number,
    private readonly onChange: () => void,
  ) {
    this.queue = new EventQueue(state.events);
    this.audit = new AuditLog(state.audit, onChange);
    this.faults = new FaultInjector(state.faults, seed, onChange);
  }

  now(): number {
    return this.clock.now();
  }

  newGuid(): string {
    this.state.counters.guid += 1;
    return seededGuid(this.seed, this.state.counters.guid);
  }

  schedule(event: NewEvent): void {
    this.state.counters.event += 1;
    this.queue.push({ ...event, seq: this.state.counters.event });
    this.changed();
  }

  changed(): void {
    this.onChange();
  }

  /** Counts additions and removals of protected items: listings rebuild their order only then. */
  itemsVersion = 0;
  itemsAddedOrRemoved(): void {
    this.itemsVersion += 1;
  }

  /** The state as it should be written to disk. */
  snapshot(): SimulatorState {
    this.state.simulatedTime = this.now();
    return this.state;
  }
}
