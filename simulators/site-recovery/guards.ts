/** 409 checks: an operation must be in the item's allowedOperations, with the current state in the message. */
import { conflict, type ArmError } from '../arm.ts';
import { runningJob } from './jobs.ts';
import type { Simulation } from '../simulation.ts';
import { allowedOperations } from './item-view.ts';
import type { ItemOperation } from './states.ts';
import type { ProtectedItem } from './types.ts';

const pendingTestFailover = new Set([
  'TestFailoverInitiated',
  'WaitingForCompletion',
  'TestFailoverFailed',
  'MarkedForDeletion',
]);

export function describeItem(sim: Simulation, item: ProtectedItem): string {
  return `protectionState '${item.protectionState}', testFailoverState '${item.testFailoverState}', allowedOperations [${allowedOperations(sim, item).join(', ')}]`;
}

/** Throws the ARM 409 that explains why `operation` cannot run on `item` now, if it cannot. */
export function requireOperation(sim: Simulation, item: ProtectedItem, operation: ItemOperation): void {
  const error = operationConflict(sim, item, operation);
  if (error) throw error;
}

export function operationConflict(
  sim: Simulation,
  item: ProtectedItem,
  operation: ItemOperation,
): ArmError | undefined {
  if (allowedOperations(sim, item).includes(operation)) return undefined;
  const who = `protected item '${item.friendlyName}' (${item.name})`;
  const state = describeItem(sim, item);
  const running = runningJob(sim, item.currentJobId);
  if (running) {
    return conflict(
      'OperationInProgress',
      `Operation '${operation}' cannot start on ${who}: job '${running.name}' (${running.scenarioName}) is still in progress; ${state}.`,
    );
  }
  if (operation === 'TestFailover' && pendingTestFailover.has(item.testFailoverState)) {
    return conflict(
      'TestFailoverAlreadyActive',
      `A test failover of ${who} is active or has not been cleaned up; run test failover cleanup first; ${state}.`,
    );
  }
  if (pendingTestFailover.has(item.testFailoverState)) {
    return conflict(
      'TestFailoverCleanupRequired',
      `Operation '${operation}' is not allowed on ${who} until its test failover is cleaned up; ${state}.`,
    );
  }
  if (operation === 'Commit') {
    return conflict('FailoverNotCompleted', `Commit requires a completed failover of ${who}; ${state}.`);
  }
  if (operation === 'CompleteMigration') {
    return conflict(
      'CompleteMigrationNotAllowed',
      `Complete migration requires a committed failover of ${who}; ${state}.`,
    );
  }
  return conflict('OperationNotAllowed', `Operation '${operation}' is not allowed on ${who}; ${state}.`);
}
