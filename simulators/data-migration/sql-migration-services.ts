/**
 * `Microsoft.DataMigration/sqlMigrationServices` (api-version 2025-06-30): the service migrations reference
 * and its self-hosted integration runtime.
 *
 * As in Azure, creating a service is a long-running operation (201 with `Azure-AsyncOperation`,
 * `provisioningState: Updating` until it ends) and a new service has no runtime: its
 * `integrationRuntimeState` is `NeedRegistration` until someone installs a self-hosted integration runtime
 * and registers a node with one of the service's auth keys (`listAuthKeys`); migrations on it fail with
 * `IntegrationRuntimeIsNotOnline` until then. The admin API's `setIntegrationRuntime` is that registration
 * (and a node going offline); seeding prepares the services a plan names with a registered, online node.
 */
import {
  badRequest,
  idKey,
  notFound,
  objectBody,
  optionalObject,
  requiredString,
  type ArmOperation,
  type ArmRoute,
} from '../arm.ts';
import { iso } from '../clock.ts';
import type { SimulationCore } from '../simulation-core.ts';
import type { Simulation } from '../simulation.ts';
import { acceptedOperation, startOperation } from './operations.ts';
import { apiVersions, namespaces, sqlMigrationServiceId } from './resources.ts';
import type { SqlMigrationService } from './types.ts';

const apiVersion = apiVersions.sqlMigration[0];
/** Simulated seconds a service create takes. */
export const serviceCreateSeconds = 60;

/** `Online` with a node online, `Offline` with nodes that are all offline, `NeedRegistration` without nodes. */
export function integrationRuntimeState(service: SqlMigrationService): string {
  if (service.provisioningState !== 'Succeeded') return 'NeedRegistration';
  if (service.nodes.length === 0) return 'NeedRegistration';
  return service.nodes.some((node) => node.online) ? 'Online' : 'Offline';
}

/** The name Azure gives the service's integration runtime (error messages, monitoring data). */
export const integrationRuntimeName = (service: SqlMigrationService) => `${service.name}-ir`;

export function sqlMigrationServiceResource(service: SqlMigrationService) {
  const provisioned = service.provisioningState === 'Succeeded';
  return {
    id: service.id,
    name: service.name,
    type: 'Microsoft.DataMigration/sqlMigrationServices',
    location: service.location,
    tags: service.tags,
    systemData: { createdAt: iso(service.createdAt) },
    // The create example answers `Updating` without a runtime state; a provisioned service has one.
    properties: {
      provisioningState: service.provisioningState,
      ...(provisioned ? { integrationRuntimeState: integrationRuntimeState(service) } : {}),
    },
  };
}

export function findSqlMigrationService(sim: SimulationCore, id: string): SqlMigrationService | undefined {
  return sim.state.dataMigration.sqlMigrationServices[idKey(id)];
}

/** An auth key in the shape Azure issues (`IR@<guid>@<service>@ServiceEndpoint=<host>@<secret>`). */
function authKey(sim: SimulationCore, service: { name: string; location: string }): string {
  const secret = Buffer.from(`${sim.newGuid()}${sim.newGuid()}`.replace(/-/g, ''), 'hex').toString('base64');
  return `IR@${sim.newGuid()}@${service.name}@ServiceEndpoint=${service.location}.frontend.clouddatahub.net@${secret}`;
}

function newService(
  sim: SimulationCore,
  fields: Pick<SqlMigrationService, 'id' | 'name' | 'subscriptionId' | 'resourceGroup' | 'location' | 'tags'>,
): SqlMigrationService {
  return {
    ...fields,
    createdAt: sim.now(),
    provisioningState: 'Updating',
    authKeys: { authKey1: authKey(sim, fields), authKey2: authKey(sim, fields) },
    nodes: [],
  };
}

/**
 * Seeding: a prepared service (provisioned, one registered node online), as an environment where someone
 * installed the self-hosted integration runtime would have. An existing service keeps its state.
 */
export function prepareSqlMigrationService(sim: SimulationCore, id: string, location: string): boolean {
  const match =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataMigration\/sqlMigrationServices\/([^/]+)$/i.exec(
      id,
    );
  if (!match)
    throw new Error(`'${id}' is not the ARM id of a Microsoft.DataMigration/sqlMigrationServices resource`);
  const [, subscriptionId = '', resourceGroup = '', name = ''] = match;
  const key = idKey(id);
  if (sim.state.dataMigration.sqlMigrationServices[key]) return false;
  const service = newService(sim, {
    id: sqlMigrationServiceId(subscriptionId, resourceGroup, name),
    name,
    subscriptionId,
    resourceGroup,
    location,
    tags: {},
  });
  service.provisioningState = 'Succeeded';
  service.nodes.push({ nodeName: `${name}-node1`.toUpperCase(), online: true, registeredAt: sim.now() });
  sim.state.dataMigration.sqlMigrationServices[key] = service;
  sim.changed();
  return true;
}

/**
 * Admin: someone installed a self-hosted integration runtime and registered it with the service's auth key
 * (`online`), or its node(s) went offline. Returns the runtime state, or undefined for an unknown service.
 */
export function setIntegrationRuntime(sim: SimulationCore, id: string, online: boolean): string | undefined {
  const service = findSqlMigrationService(sim, id);
  if (!service) return undefined;
  if (online && service.nodes.length === 0) {
    service.nodes.push({
      nodeName: `${service.name}-node1`.toUpperCase(),
      online: true,
      registeredAt: sim.now(),
    });
  }
  for (const node of service.nodes) node.online = online;
  sim.changed();
  return integrationRuntimeState(service);
}

/** Migrations on this service that are moving data (the runtime's running jobs). */
function runningJobs(sim: SimulationCore, service: SqlMigrationService): number {
  return Object.values(sim.state.dataMigration.databaseMigrations).filter(
    (migration) =>
      idKey(migration.migrationServiceId) === idKey(service.id) &&
      !['Succeeded', 'Failed', 'Canceled'].includes(migration.sync.phase),
  ).length;
}

export function sqlMigrationServiceRoutes(sim: Simulation): ArmRoute[] {
  const base =
    '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataMigration/sqlMigrationServices/{sqlMigrationServiceName}';
  const find = (params: Record<string, string>): SqlMigrationService => {
    const { subscriptionId = '', resourceGroupName = '', sqlMigrationServiceName = '' } = params;
    const service = findSqlMigrationService(
      sim,
      sqlMigrationServiceId(subscriptionId, resourceGroupName, sqlMigrationServiceName),
    );
    if (!service) {
      throw notFound(
        'ResourceNotFound',
        `The Resource 'Microsoft.DataMigration/sqlMigrationServices/${sqlMigrationServiceName}' under resource group '${resourceGroupName}' was not found.`,
      );
    }
    return service;
  };
  const post = (name: string, operation: string, handle: ArmOperation['handle']): ArmRoute => ({
    pattern: `${base}/${name}`,
    methods: { POST: { operation, apiVersions: apiVersions.sqlMigration, handle } },
  });
  return [
    {
      pattern: base,
      methods: {
        GET: {
          operation: 'SqlMigrationServices_Get',
          apiVersions: apiVersions.sqlMigration,
          handle: ({ params }) => ({ status: 200, body: sqlMigrationServiceResource(find(params)) }),
        },
        PUT: {
          operation: 'SqlMigrationServices_CreateOrUpdate',
          apiVersions: apiVersions.sqlMigration,
          handle: ({ params, body }) => {
            const { subscriptionId = '', resourceGroupName = '', sqlMigrationServiceName = '' } = params;
            const request = objectBody(body, 'a SQL migration service');
            const location = requiredString(request.location, 'location');
            const tags = Object.fromEntries(
              Object.entries(optionalObject(request.tags, 'tags') ?? {}).map(([key, value]) => [
                key,
                String(value),
              ]),
            );
            const id = sqlMigrationServiceId(subscriptionId, resourceGroupName, sqlMigrationServiceName);
            const existing = findSqlMigrationService(sim, id);
            if (existing) {
              // An update changes tags only; the runtime and its keys stay.
              existing.tags = tags;
              sim.changed();
              return {
                status: 200,
                body: sqlMigrationServiceResource(existing),
                outcome: 'updated',
                resourceId: id,
              };
            }
            const service = newService(sim, {
              id,
              name: sqlMigrationServiceName,
              subscriptionId,
              resourceGroup: resourceGroupName,
              location,
              tags,
            });
            const operation = startOperation(sim, {
              kind: 'sqlServiceCreate',
              resourceId: id,
              subscriptionId,
              location,
              durationSeconds: serviceCreateSeconds,
            });
            service.createOperationId = operation.name;
            sim.state.dataMigration.sqlMigrationServices[idKey(id)] = service;
            sim.changed();
            return acceptedOperation(sim, operation, {
              namespace: namespaces.dataMigration,
              apiVersion,
              status: 201,
              body: sqlMigrationServiceResource(service),
              outcome: 'created',
            });
          },
        },
      },
    },
    post('listAuthKeys', 'SqlMigrationServices_listAuthKeys', ({ params }) => ({
      status: 200,
      body: { ...find(params).authKeys },
    })),
    post('regenerateAuthKeys', 'SqlMigrationServices_regenerateAuthKeys', ({ params, body }) => {
      const service = find(params);
      const keyName = requiredString(objectBody(body, 'the key to regenerate').keyName, 'keyName');
      if (keyName !== 'authKey1' && keyName !== 'authKey2') {
        throw badRequest(
          'RegenerateAuthenticationKeyNameInvalid',
          `Key name '${keyName}' is invalid. Valid key names are authKey1 and authKey2.`,
        );
      }
      service.authKeys[keyName] = authKey(sim, service);
      sim.changed();
      return { status: 200, body: { keyName, [keyName]: service.authKeys[keyName] } };
    }),
    post('listMonitoringData', 'SqlMigrationServices_listMonitoringData', ({ params }) => {
      const service = find(params);
      const jobs = runningJobs(sim, service);
      const online = service.nodes.filter((node) => node.online);
      return {
        status: 200,
        body: {
          name: integrationRuntimeName(service),
          // Monitoring data comes from the nodes themselves: an offline node reports nothing.
          nodes: online.map((node, index) => {
            const running = Math.floor(jobs / online.length) + (index < jobs % online.length ? 1 : 0);
            return {
              nodeName: node.nodeName,
              availableMemoryInMB: 16_384,
              cpuUtilization: Math.min(95, 5 + running * 3),
              concurrentJobsLimit: 20,
              concurrentJobsRunning: Math.min(20, running),
              maxConcurrentJobs: 20,
              sentBytes: 0,
              receivedBytes: 0,
            };
          }),
        },
      };
    }),
  ];
}
