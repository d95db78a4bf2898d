/** Activity options the migration workflows share. */
import type { RetryPolicy } from '@temporalio/common';

/** Retries of every factory activity: quick first retries, then at most a minute apart, until their timeout. */
export const azureRetry: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
};
