/** Routes each due event of the simulated world to the service that owns it. */
import { processDataMigrationEvent } from './data-migration/events.ts';
import type { ScheduledEvent } from './scheduler.ts';
import type { Simulation } from './simulation.ts';
import { processEvent } from './site-recovery/jobs.ts';

export function applyScheduledEvent(sim: Simulation, event: ScheduledEvent): void {
  if (event.kind === 'dataOperationDue') processDataMigrationEvent(sim, event);
  else if (event.kind === 'syncDue') sim.dataMigration.due(event.sync, event.at);
  else processEvent(sim, event);
}
