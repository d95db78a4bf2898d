/**
 * Long-running operations as ASR exposes them (every 202 in the 2023-06-01 examples): the mutating call
 * answers 202 with an absolute `Azure-AsyncOperation` status URL
 * (`…/vaults/{v}/replicationOperationStatus/{job}`) and a `Retry-After` in real seconds, and nothing else:
 * no `Location`.
 *
 * core-lro 2.7.2 (used by @azure/arm-recoveryservices-siterecovery 5.1.0) then polls the status URL
 * until `Succeeded`/`Failed`; its final result is a GET of the request URL for PUT and the last status
 * body for POST and DELETE (there is no resource location), so a caller that needs the resource after a
 * POST reads it itself.
 */
import type { ArmResponse, ArmRoute, AuditOutcome } from './arm.ts';
import type { Simulation } from './simulation.ts';
import { findJob, operationStatusPath, siteRecoveryApiVersions } from './site-recovery/resources.ts';
import { operationStatus } from './site-recovery/jobs.ts';
import type { Job } from './site-recovery/types.ts';

const apiVersionQuery = `api-version=${siteRecoveryApiVersions[0]}`;

export const absoluteUrl = (sim: Simulation, resourceId: string): string =>
  `${sim.endpoint}${resourceId}?${apiVersionQuery}`;

/** Real seconds until the job is due, rounded: 0 lets the client poll at its own interval. */
export const retryAfterSeconds = (sim: Simulation, job: Job): number =>
  job.finished ? 0 : Math.round(sim.clock.realSecondsUntil(job.endTime));

export function accepted(
  sim: Simulation,
  job: Job,
  options: { status?: 201 | 202; outcome?: AuditOutcome; body?: unknown } = {},
): ArmResponse {
  return {
    status: options.status ?? 202,
    headers: {
      'Azure-AsyncOperation': absoluteUrl(sim, operationStatusPath(job.vaultId, job.name)),
      'Retry-After': String(retryAfterSeconds(sim, job)),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    outcome: options.outcome ?? 'accepted',
    resourceId: job.targetObjectId,
  };
}

export function operationStatusRoutes(sim: Simulation): ArmRoute[] {
  return [
    {
      pattern:
        '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{resourceName}/replicationOperationStatus/{operationName}',
      methods: {
        GET: {
          operation: 'ReplicationOperationStatus_Get',
          apiVersions: siteRecoveryApiVersions,
          handle: ({ params }): ArmResponse => {
            const job = findJob(sim, params, params.operationName ?? '');
            return {
              status: 200,
              body: operationStatus(sim, job),
              headers: { 'Retry-After': String(retryAfterSeconds(sim, job)) },
            };
          },
        },
      },
    },
  ];
}
