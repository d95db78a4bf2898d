/**
 * Azure-AsyncOperation statuses of Database Migration calls and target rescaling, as ARM resource
 * providers expose them: `GET /subscriptions/{s}/providers/{namespace}/locations/{location}/
 * operationStatuses/{id}` → `{ id, name, status, startTime, endTime?, error? }`.
 */
import { idKey, notFound, type ArmResponse, type ArmRoute, type AuditOutcome } from '../arm.ts';
import { iso } from '../clock.ts';
import type { SimulationCore } from '../simulation-core.ts';
import { apiVersions } from './resources.ts';
import type { DataOperation, SyncFailure } from './types.ts';

export function operationStatusPath(operation: DataOperation, namespace: string): string {
  return `/subscriptions/${operation.subscriptionId}/providers/${namespace}/locations/${operation.location}/operationStatuses/${operation.name}`;
}

export function startOperation(
  sim: SimulationCore,
  options: {
    kind: DataOperation['kind'];
    resourceId: string;
    subscriptionId: string;
    location: string;
    /** Timed operations complete (and apply their effect) after this many simulated seconds. */
    durationSeconds?: number;
  },
): DataOperation {
  const now = sim.now();
  const name = sim.newGuid();
  const operation: DataOperation = {
    id: name,
    name,
    subscriptionId: options.subscriptionId,
    location: options.location,
    kind: options.kind,
    resourceId: options.resourceId,
    startTime: now,
    status: 'InProgress',
  };
  sim.state.dataMigration.operations[idKey(name)] = operation;
  if (options.durationSeconds !== undefined) {
    operation.endsAt = now + Math.ceil(options.durationSeconds * 1000);
    sim.schedule({ kind: 'dataOperationDue', at: operation.endsAt, operationId: name });
  }
  sim.changed();
  return operation;
}

export function finishOperation(
  sim: SimulationCore,
  operation: DataOperation | undefined,
  at: number,
  error?: SyncFailure,
  status: DataOperation['status'] = error ? 'Failed' : 'Succeeded',
): void {
  if (!operation || operation.status !== 'InProgress') return;
  operation.status = status;
  operation.endTime = at;
  if (error) operation.error = error;
  sim.changed();
}

/** Real seconds until a timed operation is due; 0 otherwise (the client polls at its own interval). */
const retryAfter = (sim: SimulationCore, operation: DataOperation): number =>
  operation.endsAt === undefined || operation.status !== 'InProgress'
    ? 0
    : Math.round(sim.clock.realSecondsUntil(operation.endsAt));

/** 201/202 answer of a call that started `operation`. */
export function acceptedOperation(
  sim: SimulationCore,
  operation: DataOperation,
  options: {
    namespace: string;
    apiVersion: string;
    status?: 200 | 201 | 202;
    body?: unknown;
    location?: string;
    outcome?: AuditOutcome;
  },
): ArmResponse {
  const url = (path: string) => `${sim.endpoint}${path}?api-version=${options.apiVersion}`;
  return {
    status: options.status ?? 202,
    headers: {
      'Azure-AsyncOperation': url(operationStatusPath(operation, options.namespace)),
      ...(options.location === undefined ? {} : { Location: url(options.location) }),
      'Retry-After': String(retryAfter(sim, operation)),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    outcome: options.outcome ?? 'accepted',
    resourceId: operation.resourceId,
  };
}

export function operationStatusBody(operation: DataOperation, namespace: string) {
  return {
    id: operationStatusPath(operation, namespace),
    name: operation.name,
    status: operation.status,
    startTime: iso(operation.startTime),
    ...(operation.endTime === undefined ? {} : { endTime: iso(operation.endTime) }),
    ...(operation.error ? { error: operation.error } : {}),
  };
}

export function operationStatusRoutes(sim: SimulationCore): ArmRoute[] {
  return [
    {
      pattern:
        '/subscriptions/{subscriptionId}/providers/{namespace}/locations/{location}/operationStatuses/{operationId}',
      methods: {
        GET: {
          operation: 'OperationStatuses_Get',
          apiVersions: apiVersions.all,
          handle: ({ params }): ArmResponse => {
            const operation = sim.state.dataMigration.operations[idKey(params.operationId ?? '')];
            if (!operation || idKey(operation.subscriptionId) !== idKey(params.subscriptionId ?? '')) {
              throw notFound('OperationNotFound', `Operation '${params.operationId}' was not found.`);
            }
            return {
              status: 200,
              body: operationStatusBody(operation, params.namespace ?? ''),
              headers: { 'Retry-After': String(retryAfter(sim, operation)) },
            };
          },
        },
      },
    },
  ];
}
