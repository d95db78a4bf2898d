/**
 * Migration targets as their resource providers show them (GET), and tier scaling (PATCH of the sku;
 * a long-running operation) for "scale the target up during migration": SQL managed instances
 * (sku / properties.vCores), SQL databases and MySQL / PostgreSQL flexible servers. A new tier takes
 * effect when the operation completes; restore and apply throughput follow the target's vCores.
 */
import {
  badRequest,
  conflict,
  objectBody,
  optionalObject,
  type ArmRequest,
  type ArmResponse,
  type ArmRoute,
} from '../arm.ts';
import { iso } from '../clock.ts';
import type { Simulation } from '../simulation.ts';
import { acceptedOperation, startOperation } from './operations.ts';
import { apiVersions, findTarget, namespaces, normalizeSku, resourceTypes, targetIds } from './resources.ts';
import type { TargetResource, TargetResourceKind } from './types.ts';

const gib = 1024 ** 3;

/** Simulated seconds a tier change takes. */
export const scaleSeconds: Partial<Record<TargetResourceKind, number>> = {
  SqlMi: 1800,
  SqlDb: 300,
  MySqlFlexibleServer: 240,
  PostgreSqlFlexibleServer: 240,
};

export function targetResource(target: TargetResource) {
  const updating = target.scaling !== undefined;
  const base = {
    id: target.id,
    name: target.name,
    type: resourceTypes[target.kind],
    location: target.location,
    ...(target.sku ? { sku: target.sku } : {}),
  };
  switch (target.kind) {
    case 'SqlMi':
      return {
        ...base,
        properties: {
          provisioningState: updating ? 'Updating' : 'Succeeded',
          state: 'Ready',
          vCores: target.sku?.capacity,
          storageSizeInGB: 1024,
          licenseType: 'LicenseIncluded',
          fullyQualifiedDomainName: `${target.name}.0123456789ab.database.windows.net`,
          ...(target.scaling ? { pendingSku: target.scaling.to } : {}),
        },
      };
    case 'SqlDb':
      return {
        ...base,
        properties: {
          status: updating ? 'Scaling' : 'Online',
          currentServiceObjectiveName: target.sku?.name,
          requestedServiceObjectiveName: target.scaling?.to.name ?? target.sku?.name,
          currentSku: target.sku,
          maxSizeBytes: 512 * gib,
          creationDate: iso(target.createdAt),
        },
      };
    case 'SqlServer':
      return {
        ...base,
        properties: {
          state: 'Ready',
          version: '12.0',
          fullyQualifiedDomainName: `${target.name}.database.windows.net`,
        },
      };
    case 'SqlVm':
      return {
        ...base,
        properties: {
          provisioningState: 'Succeeded',
          virtualMachineResourceId: target.id.replace(
            /Microsoft\.SqlVirtualMachine\/sqlVirtualMachines/i,
            'Microsoft.Compute/virtualMachines',
          ),
          sqlImageOffer: 'SQL2019-WS2022',
          sqlServerLicenseType: 'PAYG',
        },
      };
    case 'MySqlFlexibleServer':
    case 'PostgreSqlFlexibleServer':
      return {
        ...base,
        properties: {
          state: updating ? 'Updating' : 'Ready',
          version: target.version,
          fullyQualifiedDomainName: `${target.name}.${target.kind === 'MySqlFlexibleServer' ? 'mysql' : 'postgres'}.database.azure.com`,
          storage: { storageSizeGB: 512 },
        },
      };
  }
}

/** PATCH: validates the requested tier and starts the scaling operation (or answers 200 if unchanged). */
function scale(
  sim: Simulation,
  target: TargetResource,
  body: unknown,
  namespace: string,
  apiVersion: string,
): ArmResponse {
  const request = objectBody(body, 'the target update');
  const skuInput = optionalObject(request.sku, 'sku') ?? {};
  const properties = optionalObject(request.properties, 'properties') ?? {};
  const current = target.sku;
  if (!current) throw badRequest('InvalidRequestContent', `${target.name} has no tier to change.`);
  const text = (value: unknown, field: string) => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '') {
      throw badRequest('InvalidRequestContent', `'${field}' must be a non-empty string.`);
    }
    return value;
  };
  const count = (value: unknown, field: string) => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 128) {
      throw badRequest('InvalidRequestContent', `'${field}' must be an integer number of vCores (1–128).`);
    }
    return value;
  };
  const name = text(skuInput.name, 'sku.name');
  const capacity = count(skuInput.capacity, 'sku.capacity') ?? count(properties.vCores, 'properties.vCores');
  const family = text(skuInput.family, 'sku.family') ?? current.family;
  const next = normalizeSku({
    name: name ?? current.name,
    tier: text(skuInput.tier, 'sku.tier') ?? current.tier,
    // A new flexible-server sku name carries its vCores; otherwise keep the current capacity.
    ...(capacity !== undefined
      ? { capacity }
      : name === undefined || target.kind === 'SqlMi' || target.kind === 'SqlDb'
        ? { capacity: current.capacity }
        : {}),
    ...(family === undefined ? {} : { family }),
  });
  if (target.scaling) {
    throw conflict(
      'OperationInProgress',
      `An update of '${target.name}' to ${target.scaling.to.name} (${target.scaling.to.capacity} vCores) is already in progress.`,
    );
  }
  if (next.name === current.name && next.tier === current.tier && next.capacity === current.capacity) {
    return { status: 200, body: targetResource(target), outcome: 'noop', resourceId: target.id };
  }
  const operation = startOperation(sim, {
    kind: 'scale',
    resourceId: target.id,
    subscriptionId: target.subscriptionId,
    location: target.location,
    durationSeconds: scaleSeconds[target.kind] ?? 300,
  });
  target.scaling = {
    operationId: operation.name,
    from: current,
    to: next,
    startedAt: operation.startTime,
    endsAt: operation.endsAt ?? operation.startTime,
  };
  sim.changed();
  return acceptedOperation(sim, operation, {
    namespace,
    apiVersion,
    body: targetResource(target),
    outcome: 'updated',
  });
}

export function targetRoutes(sim: Simulation): ArmRoute[] {
  const group = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers';
  const route = (
    pattern: string,
    kind: TargetResourceKind,
    namespace: string,
    versions: readonly string[],
    id: (params: ArmRequest['params']) => { id: string; name: string },
    scalable: boolean,
  ): ArmRoute => {
    const find = (params: ArmRequest['params']) => {
      const { id: targetId, name } = id(params);
      return findTarget(sim, targetId, kind, name, params.resourceGroupName ?? '');
    };
    const type = resourceTypes[kind].replace(/\//g, '_');
    return {
      pattern: `${group}/${pattern}`,
      methods: {
        GET: {
          operation: `${type}_Get`,
          apiVersions: versions,
          handle: ({ params }) => ({ status: 200, body: targetResource(find(params)) }),
        },
        ...(scalable
          ? {
              PATCH: {
                operation: `${type}_Update`,
                apiVersions: versions,
                handle: ({ params, body, query }: ArmRequest) =>
                  scale(sim, find(params), body, namespace, query.get('api-version') ?? versions[0] ?? ''),
              },
            }
          : {}),
      },
    };
  };
  const s = (params: ArmRequest['params']) => params.subscriptionId ?? '';
  const rg = (params: ArmRequest['params']) => params.resourceGroupName ?? '';
  return [
    route(
      'Microsoft.Sql/managedInstances/{managedInstanceName}',
      'SqlMi',
      namespaces.sql,
      apiVersions.sql,
      (p) => ({
        id: targetIds.SqlMi(s(p), rg(p), p.managedInstanceName ?? ''),
        name: p.managedInstanceName ?? '',
      }),
      true,
    ),
    route(
      'Microsoft.Sql/servers/{serverName}',
      'SqlServer',
      namespaces.sql,
      apiVersions.sql,
      (p) => ({ id: targetIds.SqlServer(s(p), rg(p), p.serverName ?? ''), name: p.serverName ?? '' }),
      false,
    ),
    route(
      'Microsoft.Sql/servers/{serverName}/databases/{databaseName}',
      'SqlDb',
      namespaces.sql,
      apiVersions.sql,
      (p) => ({
        id: targetIds.SqlDb(s(p), rg(p), p.serverName ?? '', p.databaseName ?? ''),
        name: `${p.serverName}/${p.databaseName}`,
      }),
      true,
    ),
    route(
      'Microsoft.SqlVirtualMachine/sqlVirtualMachines/{sqlVirtualMachineName}',
      'SqlVm',
      namespaces.sqlVm,
      apiVersions.sqlVm,
      (p) => ({
        id: targetIds.SqlVm(s(p), rg(p), p.sqlVirtualMachineName ?? ''),
        name: p.sqlVirtualMachineName ?? '',
      }),
      false,
    ),
    route(
      'Microsoft.DBforMySQL/flexibleServers/{serverName}',
      'MySqlFlexibleServer',
      namespaces.mysql,
      apiVersions.mysql,
      (p) => ({
        id: targetIds.MySqlFlexibleServer(s(p), rg(p), p.serverName ?? ''),
        name: p.serverName ?? '',
      }),
      true,
    ),
    route(
      'Microsoft.DBforPostgreSQL/flexibleServers/{serverName}',
      'PostgreSqlFlexibleServer',
      namespaces.postgres,
      apiVersions.postgres,
      (p) => ({
        id: targetIds.PostgreSqlFlexibleServer(s(p), rg(p), p.serverName ?? ''),
        name: p.serverName ?? '',
      }),
      true,
    ),
  ];
}
