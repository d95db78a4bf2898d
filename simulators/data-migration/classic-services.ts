/**
 * Classic DMS services and projects as `@azure/arm-datamigration` 2.1.1 calls them
 * (api-version 2018-07-15-preview): `services.createOrUpdate` (LRO: 201 + Azure-AsyncOperation, the
 * service is Deploying until provisioned) / `get`, and `projects.createOrUpdate` / `get` (synchronous).
 */
import {
  badRequest,
  idKey,
  notFound,
  objectBody,
  optionalObject,
  optionalString,
  requiredString,
  type ArmRequest,
  type ArmRoute,
} from '../arm.ts';
import { iso } from '../clock.ts';
import type { Simulation } from '../simulation.ts';
import { acceptedOperation, startOperation } from './operations.ts';
import { apiVersions, dmsServiceId, namespaces } from './resources.ts';
import type { DmsProject, DmsService } from './types.ts';

/** Simulated seconds to deploy a DMS service. */
export const serviceDeploySeconds = 600;
const servicePath =
  '/subscriptions/{subscriptionId}/resourceGroups/{groupName}/providers/Microsoft.DataMigration/services/{serviceName}';
export const projectPath = `${servicePath}/projects/{projectName}`;

export function dmsServiceResource(sim: Simulation, service: DmsService) {
  return {
    id: service.id,
    name: service.name,
    type: 'Microsoft.DataMigration/services',
    location: service.location,
    kind: service.kind,
    etag: `"${service.createdAt}"`,
    sku: service.sku,
    properties: {
      provisioningState: sim.now() >= service.readyAt ? 'Succeeded' : 'Deploying',
      virtualSubnetId: service.virtualSubnetId,
      publicKey: '',
    },
  };
}

export function dmsProjectResource(project: DmsProject) {
  return {
    id: project.id,
    name: project.name,
    type: 'Microsoft.DataMigration/services/projects',
    location: project.location,
    properties: {
      ...project.echo,
      sourcePlatform: project.sourcePlatform,
      targetPlatform: project.targetPlatform,
      creationTime: iso(project.createdAt),
      provisioningState: 'Succeeded',
    },
  };
}

export function findService(sim: Simulation, params: ArmRequest['params']): DmsService {
  const { subscriptionId = '', groupName = '', serviceName = '' } = params;
  const service =
    sim.state.dataMigration.services[idKey(dmsServiceId(subscriptionId, groupName, serviceName))];
  if (!service) {
    throw notFound(
      'ResourceNotFound',
      `The Resource 'Microsoft.DataMigration/services/${serviceName}' under resource group '${groupName}' was not found.`,
    );
  }
  return service;
}

export function findProject(sim: Simulation, params: ArmRequest['params']): DmsProject {
  const service = findService(sim, params);
  const project =
    sim.state.dataMigration.projects[idKey(`${service.id}/projects/${params.projectName ?? ''}`)];
  if (!project) {
    throw notFound(
      'ResourceNotFound',
      `The Resource 'Microsoft.DataMigration/services/${service.name}/projects/${params.projectName}' was not found.`,
    );
  }
  return project;
}

/** Connection infos without passwords. */
export function redactConnection(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { password: _password, ...rest } = value as Record<string, unknown>;
  return rest;
}

const sourcePlatforms = ['SQL', 'MySQL', 'PostgreSql', 'MongoDb', 'Unknown'] as const;
const targetPlatforms = [
  'SQLDB',
  'SQLMI',
  'AzureDbForMySql',
  'AzureDbForPostgreSql',
  'MongoDb',
  'Unknown',
] as const;

export function classicServiceRoutes(sim: Simulation): ArmRoute[] {
  const versions = apiVersions.classic;
  return [
    {
      pattern: servicePath,
      methods: {
        GET: {
          operation: 'Services_Get',
          apiVersions: versions,
          handle: ({ params }) => ({ status: 200, body: dmsServiceResource(sim, findService(sim, params)) }),
        },
        PUT: {
          operation: 'Services_CreateOrUpdate',
          apiVersions: versions,
          handle: ({ params, body, query }) => {
            const { subscriptionId = '', groupName = '', serviceName = '' } = params;
            const request = objectBody(body, 'a Data Migration service');
            const location = requiredString(request.location, 'location');
            const properties = optionalObject(request.properties, 'properties') ?? {};
            const virtualSubnetId = requiredString(properties.virtualSubnetId, 'properties.virtualSubnetId');
            const sku = optionalObject(request.sku, 'sku') ?? {};
            const skuName = optionalString(sku.name, 'sku.name') ?? 'Premium_4vCores';
            const id = dmsServiceId(subscriptionId, groupName, serviceName);
            const existing = sim.state.dataMigration.services[idKey(id)];
            if (existing) {
              existing.sku = { ...existing.sku, name: skuName };
              sim.changed();
              return { status: 200, body: dmsServiceResource(sim, existing), resourceId: id };
            }
            const operation = startOperation(sim, {
              kind: 'serviceCreate',
              resourceId: id,
              subscriptionId,
              location,
              durationSeconds: serviceDeploySeconds,
            });
            const service: DmsService = {
              id,
              name: serviceName,
              subscriptionId,
              resourceGroup: groupName,
              location,
              kind: optionalString(request.kind, 'kind') ?? 'Cloud',
              sku: {
                name: skuName,
                tier:
                  optionalString(sku.tier, 'sku.tier') ??
                  (skuName.startsWith('Premium') ? 'Premium' : 'Standard'),
                size: optionalString(sku.size, 'sku.size') ?? /(\d+)vCores/.exec(skuName)?.[1] ?? '4',
              },
              virtualSubnetId,
              readyAt: operation.endsAt ?? sim.now(),
              createdAt: sim.now(),
            };
            sim.state.dataMigration.services[idKey(id)] = service;
            sim.changed();
            return acceptedOperation(sim, operation, {
              namespace: namespaces.dataMigration,
              apiVersion: query.get('api-version') ?? versions[0],
              status: 201,
              body: dmsServiceResource(sim, service),
              outcome: 'created',
            });
          },
        },
      },
    },
    {
      pattern: projectPath,
      methods: {
        GET: {
          operation: 'Projects_Get',
          apiVersions: versions,
          handle: ({ params }) => ({ status: 200, body: dmsProjectResource(findProject(sim, params)) }),
        },
        PUT: {
          operation: 'Projects_CreateOrUpdate',
          apiVersions: versions,
          handle: ({ params, body }) => {
            const service = findService(sim, params);
            const request = objectBody(body, 'a Data Migration project');
            const properties = optionalObject(request.properties, 'properties');
            if (!properties)
              throw badRequest('InvalidRequestContent', "The required field 'properties' is missing.");
            const platform = <T extends string>(value: unknown, field: string, allowed: readonly T[]): T => {
              const text = requiredString(value, field);
              const found = allowed.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
              if (!found) {
                throw badRequest(
                  'InvalidRequestContent',
                  `'${text}' is not a valid ${field}: ${allowed.join(', ')}.`,
                );
              }
              return found;
            };
            const id = `${service.id}/projects/${params.projectName ?? ''}`;
            const existing = sim.state.dataMigration.projects[idKey(id)];
            const project: DmsProject = {
              id,
              serviceId: service.id,
              name: params.projectName ?? '',
              location: optionalString(request.location, 'location') ?? service.location,
              sourcePlatform: platform(
                properties.sourcePlatform,
                'properties.sourcePlatform',
                sourcePlatforms,
              ),
              targetPlatform: platform(
                properties.targetPlatform,
                'properties.targetPlatform',
                targetPlatforms,
              ),
              echo: {
                ...(properties.sourceConnectionInfo
                  ? { sourceConnectionInfo: redactConnection(properties.sourceConnectionInfo) }
                  : {}),
                ...(properties.targetConnectionInfo
                  ? { targetConnectionInfo: redactConnection(properties.targetConnectionInfo) }
                  : {}),
                ...(Array.isArray(properties.databasesInfo)
                  ? { databasesInfo: properties.databasesInfo }
                  : {}),
              },
              createdAt: existing?.createdAt ?? sim.now(),
            };
            sim.state.dataMigration.projects[idKey(id)] = project;
            sim.changed();
            return {
              status: existing ? 200 : 201,
              body: dmsProjectResource(project),
              outcome: existing ? 'updated' : 'created',
              resourceId: id,
            };
          },
        },
      },
    },
  ];
}
