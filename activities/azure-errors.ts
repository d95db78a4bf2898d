/** Turns Azure SDK errors into Temporal failures with a stable `type` and Azure's code and message. */
import { isRestError, RestError } from '@azure/core-rest-pipeline';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { beating } from './heartbeat.ts';

interface ArmErrorBody {
  error?: { code?: string; message?: string };
}

export function azureErrorCode(error: unknown): string | undefined {
  if (!isRestError(error)) return undefined;
  const body = error.details as ArmErrorBody | undefined;
  return body?.error?.code ?? error.code;
}

/**
 * 4xx answers (other than throttling and timeouts) mean the request itself is wrong or the resource is in
 * the wrong state: retrying the same call cannot help, so they fail the activity for the workflow to decide.
 * Everything else (5xx, 429 past the SDK's own Retry-After handling, sockets) stays retryable.
 */
export const isPermanent = (statusCode: number) =>
  statusCode >= 400 && statusCode < 500 && statusCode !== 408 && statusCode !== 429;

/** core-lro and some core-client paths throw plain errors carrying `statusCode`: read them as RestErrors. */
export function asRestError(error: unknown): unknown {
  if (isRestError(error) || !(error instanceof Error)) return error;
  const { statusCode, code } = error as Error & { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number') return error;
  return new RestError(error.message, { statusCode, code: typeof code === 'string' ? code : undefined });
}

export function toActivityFailure(error: unknown, context: string): unknown {
  const rest = asRestError(error);
  if (isRestError(rest) && rest.statusCode && isPermanent(rest.statusCode)) {
    const code = azureErrorCode(rest) ?? `Http${rest.statusCode}`;
    return ApplicationFailure.create({
      type: `Azure.${code}`,
      message: `${context}: Azure answered ${rest.statusCode} ${code}: ${rest.message}`,
      nonRetryable: true,
      details: [{ statusCode: rest.statusCode, code }],
    });
  }
  if (rest instanceof Error && rest.message.startsWith('The long-running operation has failed')) {
    return ApplicationFailure.create({
      type: 'Azure.OperationFailed',
      message: `${context}: ${rest.message}`,
      nonRetryable: true,
    });
  }
  return rest;
}

export async function withAzureErrors<T>(context: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // A stopped attempt (Temporal cancelled it) reports the cancellation, not the aborted request.
    if (Context.current().cancellationSignal.aborted) throw new CancelledFailure(`${context}: cancelled`);
    throw toActivityFailure(error, context);
  }
}

const isThrottled = (error: unknown) => {
  const rest = asRestError(error);
  return isRestError(rest) && rest.statusCode === 429;
};
const throttledWaitMs = 1000;
const maxThrottledWaitMs = 10_000;

/**
 * Wraps idempotent activities so that a 429 which outlasted the SDK's own Retry-After handling waits
 * (heartbeating, 1 s longer each time up to 10 s) and runs the activity again in the same attempt, for as
 * long as the attempt may run: throttling is back-pressure, not a failure. Thousands of VMs and databases
 * share one principal's ARM budget, and a failed attempt costs Temporal a retry and the operator a false
 * alarm. Every activity reads Azure's state before it writes, so running it again repeats nothing.
 */
export function waitingOutThrottling<T extends object>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(activities) as [
    string,
    (...args: unknown[]) => Promise<unknown>,
  ][]) {
    wrapped[name] = async (...args: unknown[]) => {
      for (let runs = 1; ; runs += 1) {
        try {
          return await run(...args);
        } catch (error) {
          if (!isThrottled(error) || Context.current().cancellationSignal.aborted) throw error;
          const wait = Math.min(throttledWaitMs * runs, maxThrottledWaitMs);
          await beating({ throttled: runs }, () => Context.current().sleep(wait));
        }
      }
    };
  }
  return wrapped as T;
}
