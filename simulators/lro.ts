/**
 * Long-running operations as ASR exposes them: the mutating call answers 202 with an absolute
 * `Azure-AsyncOperation` status URL (`…/vaults/{v}/replicationOperationStatus/{job}`), a `Retry-After`
 * in real seconds, and — where the SDK's final result is a resource — a `Location` to that resource.
 *
 * core-lro 2.7.2 (used by @azure/arm-recoveryservices-siterecovery 5.1.0) then polls the status URL
 * until `Succeeded`/`Failed`, and gets its final result from the request URL for PUT, from `Location`
 * for POST, and from nothing for DELETE.
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
  options: { location?: string; status?: 201 | 202; outcome?: AuditOutcome; body?: unknown } = {},
): ArmResponse {
  return {
    status: options.status ?? 202,
    headers: {
      'Azure-AsyncOperation': absoluteUrl(sim, operationStatusPath(job.vaultId, job.name)),
      ...(options.location === undefined ? {} : { Location: absoluteUrl(sim, options.location) }),
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
