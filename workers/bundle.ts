/** Bundles workflow code once (webpack inside the Temporal SDK) so workers and tests can reuse it. */
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export function bundleWorkflows(
  path = workflowsPath,
  logger: Logger = new DefaultLogger('WARN'),
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: path, logger });
}
