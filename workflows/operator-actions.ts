/** Validation of operator actions (updates) shared by the migration workflows; sandbox-safe. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { OperatorAction } from '../contracts/messages.ts';
import { ErrorType } from '../contracts/errors.ts';

/** Rejects an update: the operator sees the message, nothing is written to the workflow history. */
export function refuse(message: string): never {
  throw ApplicationFailure.create({ type: ErrorType.operatorActionRefused, message, nonRetryable: true });
}

/** Every operator action names who acts and why; a change ticket id, when given, must look like one. */
export function validateOperatorAction(action: OperatorAction): void {
  if (!action.by?.trim()) refuse('An operator action needs `by`: who is acting.');
  if (!action.reason?.trim()) refuse('An operator action needs a `reason`.');
  if (action.ticket !== undefined && !/^[\w.-]{1,64}$/.test(action.ticket)) {
    refuse(`Change ticket id '${action.ticket}' is not valid (1-64 letters, digits, '.', '_' or '-').`);
  }
}
