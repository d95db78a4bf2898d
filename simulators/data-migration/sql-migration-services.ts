/** `Microsoft.DataMigration/sqlMigrationServices` (api-version 2025-06-30): the service migrations reference. */
import { idKey, notFound, objectBody, optionalObject, requiredString, type ArmRoute } from '../arm.ts';
import { iso } from '../clock.ts';
import type { Simulation } from '../simulation.ts';
import { apiVersions, sqlMigrationServiceId } from './resources.ts';
import type { SqlMigrationService } from './types.ts';

export function sqlMigrationServiceResource(service: SqlMigrationService) {
  return {
    id: service.id,
    name: service.name,
    type: 'Microsoft.DataMigration/sqlMigrationServices',
    location: service.location,
    tags: service.tags,
    systemData: { createdAt: iso(service.createdAt) },
    properties: { provisioningState: 'Succeeded', integrationRuntimeState: 'Online' },
  };
}

export function findSqlMigrationService(sim: Simulation, id: string): SqlMigrationService | undefined {
  return sim.state.dataMigration.sqlMigrationServices[idKey(id)];
}

export function sqlMigrationServiceRoutes(sim: Simulation): ArmRoute[] {
  return [
    {
      pattern:
        '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataMigration/sqlMigrationServices/{sqlMigrationServiceName}',
      methods: {
        GET: {
          operation: 'SqlMigrationServices_Get',
          apiVersions: apiVersions.sqlMigration,
          handle: ({ params }) => {
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
            return { status: 200, body: sqlMigrationServiceResource(service) };
          },
        },
        PUT: {
          operation: 'SqlMigrationServices_CreateOrUpdate',
          apiVersions: apiVersions.sqlMigration,
          handle: ({ params, body }) => {
            const { subscriptionId = '', resourceGroupName = '', sqlMigrationServiceName = '' } = params;
            const request = objectBody(body, 'a SQL migration service');
            const location = requiredString(request.location, 'location');
            const tags = optionalObject(request.tags, 'tags') ?? {};
            const id = sqlMigrationServiceId(subscriptionId, resourceGroupName, sqlMigrationServiceName);
            const existing = findSqlMigrationService(sim, id);
            const service: SqlMigrationService = {
              id,
              name: sqlMigrationServiceName,
              subscriptionId,
              resourceGroup: resourceGroupName,
              location,
              tags: Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, String(value)])),
              createdAt: existing?.createdAt ?? sim.now(),
            };
            sim.state.dataMigration.sqlMigrationServices[idKey(id)] = service;
            sim.changed();
            // Creating the service resource is synchronous here (the integration runtime is pre-registered).
            return {
              status: existing ? 200 : 201,
              body: sqlMigrationServiceResource(service),
              outcome: existing ? 'updated' : 'created',
              resourceId: id,
            };
          },
        },
      },
    },
  ];
}
