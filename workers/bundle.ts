/**
 * Bundles workflow code once (webpack inside the Temporal SDK) so workers and tests can reuse it, with the
 * factory's failure converter: failures raised in workflows carry their messages encoded, hence encrypted.
 */
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { failureConverterPath } from './payload-codec.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export function bundleWorkflows(
  path = workflowsPath,
  logger: Logger = new DefaultLogger('WARN'),
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: path, failureConverterPath, logger });
}
