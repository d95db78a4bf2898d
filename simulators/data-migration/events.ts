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
        const { to } = target.scaling;
        // Syncs on this target ran at the old speed until now.
        sim.dataMigration.ratesChange(
          event.at,
          () => {
            target.sku = to;
            delete target.scaling;
          },
          (sync) => sim.dataMigration.drivenBy(sync, target.id),
        );
      }
      break;
    }
    case 'delete':
      delete state.databaseMigrations[idKey(operation.resourceId)];
      break;
    case 'sqlServiceCreate': {
      const service = state.sqlMigrationServices[idKey(operation.resourceId)];
      if (service) service.provisioningState = 'Succeeded';
      break;
    }
    case 'serviceCreate':
    case 'create':
    case 'cutover':
    case 'cancel':
      break;
  }
  finishOperation(sim, operation, event.at);
}
