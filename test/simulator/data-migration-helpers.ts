/**
 * Clients for the Database Migration contract tests, pointed at the simulator exactly as production
 * code would point them at Azure:
 * - SQL migration API and target scaling: `@azure/core-client` ServiceClient + core-rest-pipeline's
 *   bearer policy, `tlsOptions: { ca }`; long-running operations through core-lro's `createHttpPoller`
 *   (the engine the generated 3.x SDK uses);
 * - classic DMS: `@azure/arm-datamigration` 2.1.1 with an https.Agent that trusts the simulator CA.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent } from 'node:https';
import { DataMigrationServiceClient } from '@azure/arm-datamigration';
import { ServiceClient } from '@azure/core-client';
import { createHttpPoller, type LroResponse } from '@azure/core-lro';
import {
  bearerTokenAuthenticationPolicy,
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type HttpMethods,
} from '@azure/core-rest-pipeline';
import { exponentialRetryPolicy } from '@azure/ms-rest-js';
import type { DatabaseSeed } from '../../simulators/admin-client.ts';
import type { RunningSimulator } from '../../simulators/index.ts';
import { localCredential, scope } from './helpers.ts';
import type { MigrateMySqlAzureDbForMySqlSyncTaskProperties } from '@azure/arm-datamigration/esm/models/index.js';

export const sqlMigrationApi = '2025-06-30';
export const targetGroup = 'rg-data-targets';
export const rg = `/subscriptions/${scope.subscriptionId}/resourceGroups`;
export const miId = `${rg}/${targetGroup}/providers/Microsoft.Sql/managedInstances/sqlmi-payroll`;
export const vmId = `${rg}/${targetGroup}/providers/Microsoft.SqlVirtualMachine/sqlVirtualMachines/sqlvm-crm`;
export const sqlServerId = `${rg}/${targetGroup}/providers/Microsoft.Sql/servers/sql-reporting`;
export const migrationServiceId = `${rg}/${scope.resourceGroup}/providers/Microsoft.DataMigration/sqlMigrationServices/sqlms-factory`;

/** Source databases on the demo's db-tier VMs and their targets. */
export function databaseSeed(): DatabaseSeed {
  const target = (kind: DatabaseSeed['databases'][number]['target']['kind'], server: string) => ({
    kind,
    resourceGroup: targetGroup,
    server,
  });
  return {
    subscriptionId: scope.subscriptionId,
    location: scope.location,
    bandwidthMbps: 500,
    sqlMigrationServices: [migrationServiceId],
    databases: [
      {
        name: 'payroll',
        sourceServer: 'payroll-db-01',
        engine: 'SqlServer',
        version: '2019',
        sizeMB: 50_000,
        logRateMBPerHour: 2_000,
        target: target('SqlMi', 'sqlmi-payroll'),
      },
      {
        name: 'crm',
        sourceServer: 'crm-db-01',
        engine: 'SqlServer',
        version: '2017',
        sizeMB: 20_000,
        logRateMBPerHour: 500,
        target: target('SqlVm', 'sqlvm-crm'),
      },
      {
        name: 'reporting',
        sourceServer: 'reporting-db-01',
        engine: 'SqlServer',
        version: '2016',
        sizeMB: 8_000,
        logRateMBPerHour: 0,
        target: target('SqlDb', 'sql-reporting'),
      },
      {
        name: 'intranet',
        sourceServer: 'intranet-db-01',
        engine: 'MySql',
        version: '8.0',
        sizeMB: 6_000,
        logRateMBPerHour: 300,
        target: target('MySql', 'mysql-intranet'),
      },
      {
        name: 'wiki',
        sourceServer: 'intranet-db-01',
        engine: 'PostgreSql',
        version: '14',
        sizeMB: 3_000,
        logRateMBPerHour: 100,
        target: target('PostgreSql', 'pg-wiki'),
      },
      // Generates log faster than an 8-vCore MI restores it (100 MiB/s): never ready until scaled up.
      {
        name: 'ledger',
        sourceServer: 'payroll-db-01',
        engine: 'SqlServer',
        version: '2019',
        sizeMB: 10_000,
        logRateMBPerHour: 450_000,
        target: target('SqlMi', 'sqlmi-payroll'),
      },
    ],
  };
}

export interface ArmResult {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface ArmClient {
  /** One request; a 4xx/5xx answer throws RestError with Azure's code and message. */
  send(method: HttpMethods, path: string, body?: unknown, apiVersion?: string): Promise<ArmResult>;
  /** A long-running operation polled to its end by core-lro; resolves with the final resource. */
  lro(method: HttpMethods, path: string, body?: unknown, apiVersion?: string): Promise<unknown>;
}

export function armClient(sim: RunningSimulator, options: { maxRetries?: number } = {}): ArmClient {
  const client = new ServiceClient({
    endpoint: sim.endpoint,
    tlsOptions: { ca: sim.caCertPem },
    retryOptions: { maxRetries: options.maxRetries ?? 3, retryDelayInMs: 20, maxRetryDelayInMs: 200 },
  });
  client.pipeline.addPolicy(
    bearerTokenAuthenticationPolicy({
      credential: localCredential(),
      scopes: 'https://management.azure.com/.default',
    }),
  );
  const raw = async (method: HttpMethods, url: string, body?: unknown): Promise<ArmResult> => {
    const request = createPipelineRequest({
      url,
      method,
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const response = await client.sendRequest(request);
    const parsed = response.bodyAsText ? (JSON.parse(response.bodyAsText) as Record<string, unknown>) : {};
    if (response.status >= 400) {
      const error = (parsed.error ?? {}) as { code?: string; message?: string };
      throw new RestError(error.message ?? `HTTP ${response.status}`, {
        code: error.code ?? '',
        statusCode: response.status,
        response,
      });
    }
    return { status: response.status, headers: response.headers.toJSON(), body: parsed };
  };
  const url = (path: string, apiVersion: string) =>
    `${sim.endpoint}${path}${path.includes('?') ? '&' : '?'}api-version=${apiVersion}`;
  const asLro = (result: ArmResult): LroResponse => ({
    flatResponse: result.body,
    rawResponse: { statusCode: result.status, headers: result.headers, body: result.body },
  });
  return {
    send: (method, path, body, apiVersion = sqlMigrationApi) => raw(method, url(path, apiVersion), body),
    async lro(method, path, body, apiVersion = sqlMigrationApi) {
      const poller = await createHttpPoller(
        {
          requestPath: url(path, apiVersion),
          requestMethod: method,
          sendInitialRequest: async () => asLro(await raw(method, url(path, apiVersion), body)),
          sendPollRequest: async (pollPath: string) => asLro(await raw('GET', pollPath)),
        },
        { intervalInMs: 10 },
      );
      return poller.pollUntilDone();
    },
  };
}

/**
 * The classic DMS client. ms-rest-js takes no CA option; `agentSettings` gives it an https.Agent that
 * trusts the simulator CA. Its LRO poller waits `longRunningOperationRetryTimeout` seconds between
 * polls (default 30) and its 5xx retry starts at 30 s: both are shortened for tests.
 */
export function classicDmsClient(sim: RunningSimulator): DataMigrationServiceClient {
  return new DataMigrationServiceClient(localCredential(), scope.subscriptionId, {
    baseUri: sim.endpoint,
    agentSettings: { https: new Agent({ ca: sim.caCertPem, keepAlive: true }), http: new HttpAgent() },
    longRunningOperationRetryTimeout: 0,
    requestPolicyFactories: (defaults) =>
      defaults.map((factory) =>
        isExponentialRetry(factory) ? exponentialRetryPolicy(3, 20, 10, 200) : factory,
      ),
  });
}

function isExponentialRetry(factory: unknown): boolean {
  const create = (factory as { create?: (...args: unknown[]) => unknown }).create;
  if (!create) return false;
  const policy = create({ sendRequest: () => undefined }, { log: () => undefined, shouldLog: () => false });
  return (policy as { constructor?: { name?: string } }).constructor?.name === 'ExponentialRetryPolicy';
}

/** The classic DMS MySQL sync task the contract tests create (intranet-db-01 → its flexible server). */
export const mysqlTask: MigrateMySqlAzureDbForMySqlSyncTaskProperties = {
  taskType: 'Migrate.MySql.AzureDbForMySql.Sync',
  input: {
    sourceConnectionInfo: {
      type: 'MySqlConnectionInfo',
      serverName: 'intranet-db-01.contoso.local',
      port: 3306,
      userName: 'root',
      password: 'secret',
    },
    targetConnectionInfo: {
      type: 'MySqlConnectionInfo',
      serverName: 'mysql-intranet.mysql.database.azure.com',
      port: 3306,
      userName: 'admin',
      password: 'secret',
    },
    selectedDatabases: [{ name: 'intranet', targetDatabaseName: 'intranet' }],
  },
};
