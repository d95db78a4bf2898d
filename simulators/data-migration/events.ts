/** Timed Database Migration operations completing on the simulated clock. */
import { idKey } from '../arm.ts';
import type { ScheduledEvent } from '../scheduler.ts';
import type { Simulation } from '../simulation.ts';
import { finishOperation } from './operations.ts';

export function processDataMigrationEvent(
  sim: Simulation,
  event: Extract<ScheduledEvent, { kind: 'dataOperationDue' }>,
): void {
  const state = sim.state.dataMigration;
  const operation = state.operations[idKey(event.operationId)];
  if (!operation || operation.status !== 'InProgress') return;
  switch (operation.kind) {
    case 'scale': {
      const target = state.targets[idKey(operation.resourceId)];
      if (target?.scaling?.operationId === operation.name) {
        // Syncs on this target ran at the old speed until now.
        sim.dataMigration.settleTarget(target.id, event.at);
        target.sku = target.scaling.to;
        delete target.scaling;
      }
      break;
    }
    case 'delete':
      delete state.databaseMigrations[idKey(operation.resourceId)];
      break;
    case 'serviceCreate':
    case 'create':
    case 'cutover':
    case 'cancel':
      break;
  }
  finishOperation(sim, operation, event.at);
}
