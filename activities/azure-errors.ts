/** Turns Azure SDK errors into Temporal failures with a stable `type` and Azure's code and message. */
import { isRestError, RestError } from '@azure/core-rest-pipeline';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ErrorType, azureErrorType } from '../contracts/errors.ts';
import { Liveness, pause } from './liveness.ts';

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
      type: azureErrorType(code),
      message: `${context}: Azure answered ${rest.statusCode} ${code}: ${rest.message}`,
      nonRetryable: true,
      details: [{ statusCode: rest.statusCode, code }],
    });
  }
  if (rest instanceof Error && rest.message.startsWith('The long-running operation has failed')) {
    return ApplicationFailure.create({
      type: ErrorType.azureOperationFailed,
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

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

const isThrottled = (error: unknown) => {
  const rest = asRestError(error);
  return isRestError(rest) && rest.statusCode === 429;
};
const throttledWaitMs = 1000;
const maxThrottledWaitMs = 10_000;

/**
 * Wraps the Azure activities (all idempotent) for a program that shares one principal's ARM budget:
 *
 * - A 429 that outlasted the SDK's own Retry-After handling waits (1 s longer each time, up to 10 s) and
 *   runs the activity again in the same attempt, for as long as the attempt may run: throttling is
 *   back-pressure, not a failure, and a failed attempt costs Temporal a retry and the operator a false
 *   alarm. Every activity reads Azure's state before it writes, so running it again repeats nothing.
 * - The attempt heartbeats (its latest details) every second while what it waits for is within its own
 *   bound (`liveness.ts`): a request waiting its turn in the worker's ARM budget or a slow answer must not
 *   look like a lost worker, but a hung request or a killed worker stops the heartbeat, and Temporal's
 *   heartbeat timeout starts a new attempt. Its requests are aborted when the attempt is cancelled.
 */
export function asAzureActivities<T extends object>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(activities) as [
    string,
    (...args: unknown[]) => Promise<unknown>,
  ][]) {
    wrapped[name] = async (...args: unknown[]) => {
      const context = activityContext();
      // Called directly (tests and tools set up state with the same functions): nothing to keep alive.
      if (!context) return run(...args);
      const liveness = new Liveness(context.cancellationSignal);
      const send = context.heartbeat;
      let details: unknown = context.info.heartbeatDetails;
      let sentAt = 0;
      Object.defineProperty(context, 'heartbeat', {
        value: (latest: unknown) => {
          details = latest;
          sentAt = Date.now();
          liveness.progressed();
          send(latest);
        },
      });
      const keepAlive = setInterval(() => {
        const now = Date.now();
        if (now - sentAt >= 1000 && liveness.busy(now)) send(details);
      }, 1000);
      try {
        return await liveness.run(async () => {
          for (let runs = 1; ; runs += 1) {
            try {
              return await run(...args);
            } catch (error) {
              if (!isThrottled(error) || context.cancellationSignal.aborted) throw error;
              await pause(Math.min(throttledWaitMs * runs, maxThrottledWaitMs));
            }
          }
        });
      } finally {
        clearInterval(keepAlive);
      }
    };
  }
  return wrapped as T;
}
