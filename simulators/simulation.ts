import { AuditLog } from './audit.ts';
import type { SimulatedClock } from './clock.ts';
import { seededGuid } from './ids.ts';
import { DataMigrationModel } from './data-migration/model.ts';
import { processDataMigrationEvent } from './data-migration/events.ts';
import { FaultInjector } from './faults.ts';
import { EventQueue, type ScheduledEvent } from './scheduler.ts';
import { processEvent } from './site-recovery/jobs.ts';
import { ReplicationModel } from './site-recovery/replication.ts';
import type { SimulatorState } from './store.ts';

type NewEvent = ScheduledEvent extends infer E ? (E extends ScheduledEvent ? Omit<E, 'seq'> : never) : never;

/**
 * The simulated world: state, clock, pending events and the derived indexes. Requests call
 * `advance()` first, which applies every event due by now in time order; there is no background loop.
 */
export class Simulation {
  readonly queue: EventQueue;
  readonly replication: ReplicationModel;
  readonly audit: AuditLog;
  readonly faults: FaultInjector;
  readonly dataMigration: DataMigrationModel;
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

  constructor(
    readonly state: SimulatorState,
    readonly clock: SimulatedClock,
    readonly seed: number,
    private readonly onChange: () => void,
  ) {
    this.queue = new EventQueue(state.events);
    this.audit = new AuditLog(state.audit, onChange);
    this.faults = new FaultInjector(state.faults, seed, onChange);
    this.replication = new ReplicationModel(this);
    this.dataMigration = new DataMigrationModel(this);
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

  /** Applies all events due by the current simulated time, in order, each at its own time. */
  advance(): void {
    const now = this.now();
    let event = this.queue.popDue(now);
    while (event) {
      if (event.kind === 'dataOperationDue') processDataMigrationEvent(this, event);
      else if (event.kind === 'syncDue') this.dataMigration.due(event.sync, event.at);
      else processEvent(this, event);
      this.changed();
      event = this.queue.popDue(now);
    }
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
