/** Turns Azure SDK errors into Temporal failures with a stable `type` and Azure's code and message. */
import { isRestError } from '@azure/core-rest-pipeline';
import { ApplicationFailure } from '@temporalio/common';

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

export function toActivityFailure(error: unknown, context: string): unknown {
  if (isRestError(error) && error.statusCode && isPermanent(error.statusCode)) {
    const code = azureErrorCode(error) ?? `Http${error.statusCode}`;
    return ApplicationFailure.create({
      type: `Azure.${code}`,
      message: `${context}: Azure answered ${error.statusCode} ${code}: ${error.message}`,
      nonRetryable: true,
      details: [{ statusCode: error.statusCode, code }],
    });
  }
  if (error instanceof Error && error.message.startsWith('The long-running operation has failed')) {
    return ApplicationFailure.create({
      type: 'Azure.OperationFailed',
      message: `${context}: ${error.message}`,
      nonRetryable: true,
    });
  }
  return error;
}

export async function withAzureErrors<T>(context: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toActivityFailure(error, context);
  }
}
