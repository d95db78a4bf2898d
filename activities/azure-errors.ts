/** Turns Azure SDK errors into Temporal failures with a stable `type` and Azure's code and message. */
import { isRestError, RestError } from '@azure/core-rest-pipeline';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ErrorType, azureErrorType } from '../contracts/errors.ts';
import { Liveness, pause } from './liveness.ts';

/** One entry of `error.details[]`: Site Recovery puts its specific error here. */
interface ArmErrorDetail {
  code?: string;
  message?: string;
  possibleCauses?: string;
  recommendedAction?: string;
}

interface ArmErrorBody {
  error?: ArmErrorDetail & { details?: ArmErrorDetail[] };
}

/** What Azure said went wrong: the most specific code it gave, with its guidance when it gave some. */
export interface AzureErrorDetail {
  code: string;
  message: string;
  possibleCauses?: string;
  recommendedAction?: string;
}

/** The ARM error body of a RestError: set by `ArmRest.send`, or kept by core-client in the response. */
function errorBody(error: RestError): ArmErrorBody | undefined {
  const response = error.response as { parsedBody?: unknown; bodyAsText?: string | null } | undefined;
  const candidates = [error.details, response?.parsedBody];
  for (const candidate of candidates) {
    if (candidate && typeof candidate === 'object' && 'error' in candidate) return candidate as ArmErrorBody;
  }
  if (response?.bodyAsText) {
    try {
      const parsed = JSON.parse(response.bodyAsText) as unknown;
      if (parsed && typeof parsed === 'object' && 'error' in parsed) return parsed as ArmErrorBody;
    } catch {
      // Not JSON: only the status and the RestError's own code are known.
    }
  }
  return undefined;
}

/**
 * Azure's specific error. Site Recovery answers with a generic top-level code (`BadRequest`, `NotFound`,
 * `Conflict`) and the specific one in `error.details[]` with possible causes and a recommended action;
 * other services put the specific code at the top level. Every comparison with a specific code reads it
 * here.
 */
export function azureErrorDetail(error: unknown): AzureErrorDetail | undefined {
  if (!isRestError(error)) return undefined;
  const top = errorBody(error)?.error;
  const specific = top?.details?.find((detail) => typeof detail.code === 'string' && detail.code !== '');
  const code = specific?.code ?? top?.code ?? error.code;
  if (code === undefined) return undefined;
  return {
    code,
    message: specific?.message ?? top?.message ?? error.message,
    ...(specific?.possibleCauses ? { possibleCauses: specific.possibleCauses } : {}),
    ...(specific?.recommendedAction ? { recommendedAction: specific.recommendedAction } : {}),
  };
}

/** The most specific error code Azure gave (see `azureErrorDetail`). */
export function azureErrorCode(error: unknown): string | undefined {
  return azureErrorDetail(error)?.code;
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
    const detail = azureErrorDetail(rest);
    const code = detail?.code ?? `Http${rest.statusCode}`;
    const advice = detail?.recommendedAction ? ` Recommended action: ${detail.recommendedAction}` : '';
    return ApplicationFailure.create({
      type: azureErrorType(code),
      message: `${context}: Azure answered ${rest.statusCode} ${code}: ${detail?.message ?? rest.message}${advice}`,
      nonRetryable: true,
      details: [
        {
          statusCode: rest.statusCode,
          code,
          ...(detail?.possibleCauses ? { possibleCauses: detail.possibleCauses } : {}),
          ...(detail?.recommendedAction ? { recommendedAction: detail.recommendedAction } : {}),
        },
      ],
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
