import type { SimulatedClock } from './clock.ts';
import { DataMigrationModel } from './data-migration/model.ts';
import type { ScheduledEvent } from './scheduler.ts';
import { SimulationCore } from './simulation-core.ts';
import { ReplicationModel } from './site-recovery/replication.ts';
import type { SimulatorState } from './store.ts';

/**
 * Applies one due event to the world. Passed in (see `events.ts`) rather than imported: the event handlers
 * depend on `Simulation`, so importing them here would close an import cycle.
 */
export type ApplyEvent = (sim: Simulation, event: ScheduledEvent) => void;

/**
 * The simulated world: the core (state, clock, pending events) with the replication and data-migration
 * models. Requests call `advance()` first, which applies every event due by now in time order; there is
 * no background loop.
 */
export class Simulation extends SimulationCore {
  readonly replication: ReplicationModel;
  readonly dataMigration: DataMigrationModel;

  constructor(
    state: SimulatorState,
    clock: SimulatedClock,
    seed: number,
    onChange: () => void,
    private readonly applyEvent: ApplyEvent,
  ) {
    super(state, clock, seed, onChange);
    this.replication = new ReplicationModel(this);
    this.dataMigration = new DataMigrationModel(this);
  }

  /** Applies all events due by the current simulated time, in order, each at its own time. */
  advance(): void {
    const now = this.now();
    let event = this.queue.popDue(now);
    while (event) {
      this.applyEvent(this, event);
      this.changed();
      event = this.queue.popDue(now);
    }
  }
}
