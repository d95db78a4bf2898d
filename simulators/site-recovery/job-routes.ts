/** replicationJobs: get and list (with ASR's `$filter` fields). */
import { badRequest, idKey, page, type ArmRoute } from '../arm.ts';
import type { Simulation } from '../simulation.ts';
import { equalsIgnoreCase, parseFilter } from './filters.ts';
import { jobResource, jobState } from './jobs.ts';
import { findJob, findVault, inVault, siteRecoveryApiVersions } from './resources.ts';
import type { Job } from './types.ts';

const vaultPath =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{resourceName}';

/** JobQueryParameter fields. `jobOutputType` and `timezoneOffset` only shape exports; they are accepted. */
const filterFields = [
  'startTime',
  'endTime',
  'fabricId',
  'affectedObjectTypes',
  'jobName',
  'jobStatus',
  'jobOutputType',
  'timezoneOffset',
] as const;

function parseTime(value: string, field: string): number {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw badRequest('InvalidFilter', `'${value}' is not a valid date-time for '${field}'.`);
  return time;
}

function jobMatches(sim: Simulation, job: Job, filter: Map<string, string>): boolean {
  const now = sim.now();
  for (const [field, value] of filter) {
    switch (field) {
      case 'startTime':
        if (job.startTime < parseTime(value, field)) return false;
        break;
      case 'endTime':
        if (job.startTime > parseTime(value, field)) return false;
        break;
      case 'fabricId':
        if (
          !idKey(job.targetObjectId).startsWith(`${idKey(value)}/`) &&
          !equalsIgnoreCase(job.targetObjectId, value)
        )
          return false;
        break;
      case 'affectedObjectTypes':
        if (!value.split(',').some((type) => equalsIgnoreCase(job.targetInstanceType, type.trim())))
          return false;
        break;
      case 'jobName':
        if (!equalsIgnoreCase(job.scenarioName, value)) return false;
        break;
      case 'jobStatus':
        if (!value.split(',').some((status) => equalsIgnoreCase(jobState(job, now), status.trim())))
          return false;
        break;
      case 'jobOutputType':
      case 'timezoneOffset':
        break;
    }
  }
  return true;
}

export function jobRoutes(sim: Simulation): ArmRoute[] {
  const v = siteRecoveryApiVersions;
  return [
    {
      pattern: `${vaultPath}/replicationJobs`,
      methods: {
        GET: {
          operation: 'ReplicationJobs_List',
          apiVersions: v,
          handle: (request) => {
            const vault = findVault(sim, request.params);
            const filter = parseFilter(request.query.get('$filter'), filterFields);
            const jobs = inVault(sim.state.jobs, vault)
              .filter((job) => jobMatches(sim, job, filter))
              .sort((a, b) => a.startTime - b.startTime);
            const result = page(jobs, request, sim.endpoint);
            return {
              status: 200,
              body: {
                value: result.value.map((job) => jobResource(sim, job)),
                ...(result.nextLink ? { nextLink: result.nextLink } : {}),
              },
            };
          },
        },
      },
    },
    {
      pattern: `${vaultPath}/replicationJobs/{jobName}`,
      methods: {
        GET: {
          operation: 'ReplicationJobs_Get',
          apiVersions: v,
          handle: ({ params }) => ({
            status: 200,
            body: jobResource(sim, findJob(sim, params, params.jobName ?? '')),
          }),
        },
      },
    },
  ];
}
