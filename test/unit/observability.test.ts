/**
 * The pieces of observability that need no Temporal: log redaction and the SDK logger adapter, ARM
 * operation names, configuration errors, and the Grafana dashboard's queries against the factory's
 * registries (the SDK's `temporal_*` names are checked against a real worker's scrape in
 * test/integration/observability.test.ts).
 */
import { Client } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressMetrics } from '../../server/metrics.ts';
import { armOperation, WorkerMetrics } from '../../workers/arm-metrics.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import { factoryLogger, parseLogLevel, TemporalPinoLogger } from '../../workers/log.ts';
import { dashboardMetricNames, metricNamesOf, promqlMetricNames } from '../prometheus-text.ts';

function collectingLogger() {
  const lines: string[] = [];
  const logger = factoryLogger({
    service: 'test',
    level: 'debug',
    destination: { write: (line) => void lines.push(line) },
  });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('factory logs', () => {
  it('redacts secrets by key at any of the first levels, and bearer tokens and JWTs in messages', () => {
    const { logger, lines, parsed } = collectingLogger();
    const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJvc2NhciJ9.c2lnbmF0dXJlLWJ5dGVz';
    logger.info(
      {
        password: 'hunter2-top',
        settings: { vcenter: { password: 'hunter2-nested' }, apiKey: 'key-123456' },
        req: { headers: { authorization: `Bearer ${jwt}` } },
        artifacts: { store: { connectionString: 'AccountKey=abcdef' } },
        vm: 'payroll-web-04',
      },
      `token refused: Bearer ${jwt}`,
    );
    const text = lines.join('');
    for (const secret of ['hunter2-top', 'hunter2-nested', 'key-123456', 'AccountKey=abcdef', jwt])
      expect(text).not.toContain(secret);
    const [line] = parsed();
    expect(line).toMatchObject({
      level: 'info',
      service: 'test',
      password: '[Redacted]',
      settings: { vcenter: { password: '[Redacted]' }, apiKey: '[Redacted]' },
      req: { headers: { authorization: '[Redacted]' } },
      vm: 'payroll-web-04',
      msg: 'token refused: Bearer [Redacted]',
    });
    expect(typeof line?.time).toBe('string');
  });

  it('turns the SDK logger calls into JSON fields, with the task token redacted and errors serialised', () => {
    const { logger, parsed } = collectingLogger();
    const sdk = new TemporalPinoLogger(logger);
    sdk.warn('Activity failed', {
      workflowId: 'batch-b1',
      activityId: '7',
      activityType: 'enableReplication',
      taskToken: 'Q2hBS0VB',
      error: new Error('ARM answered 409'),
    });
    sdk.debug('below the level is still written at debug', { sdkComponent: 'worker' });
    const [failed, debug] = parsed();
    expect(failed).toMatchObject({
      level: 'warn',
      msg: 'Activity failed',
      workflowId: 'batch-b1',
      activityId: '7',
      activityType: 'enableReplication',
      taskToken: '[Redacted]',
      error: { message: 'ARM answered 409', type: 'Error' },
    });
    expect(debug).toMatchObject({ level: 'debug', sdkComponent: 'worker' });
  });

  it('names the variable when a log level or metrics port is wrong', () => {
    expect(() => parseLogLevel('loud')).toThrow(/FACTORY_LOG_LEVEL 'loud': expected one of trace, debug/);
    expect(parseLogLevel(' WARN ')).toBe('warn');
    const env = { FACTORY_PROFILE: 'simulator', TEMPORAL_ADDRESS: '127.0.0.1:7233' };
    expect(() => loadWorkerConfig({ ...env, FACTORY_METRICS_PORT: 'ninety' })).toThrow(
      /FACTORY_METRICS_PORT/,
    );
    expect(() => loadWorkerConfig({ ...env, FACTORY_LOG_LEVEL: 'loud' })).toThrow(/FACTORY_LOG_LEVEL/);
    expect(loadWorkerConfig({ ...env, FACTORY_METRICS_PORT: '9464' })).toMatchObject({
      FACTORY_METRICS_PORT: 9464,
      FACTORY_METRICS_HOST: '127.0.0.1',
    });
  });
});

describe('ARM operation names', () => {
  const vault =
    'https://management.azure.com/subscriptions/s-1/resourceGroups/rg-payroll/providers/Microsoft.RecoveryServices/vaults/vault-1';
  it.each([
    [
      'PUT',
      `${vault}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/vm-1?api-version=2025-01-01`,
      'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/write',
    ],
    [
      'GET',
      `${vault}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems`,
      'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/read',
    ],
    [
      'POST',
      `${vault}/replicationRecoveryPlans/rp-b1/unplannedFailover`,
      'Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/unplannedFailover/action',
    ],
    [
      'DELETE',
      `${vault}/replicationRecoveryPlans/rp-b1`,
      'Microsoft.RecoveryServices/vaults/replicationRecoveryPlans/delete',
    ],
    [
      'GET',
      'https://management.azure.com/subscriptions/s-1/providers/Microsoft.Compute/locations/westeurope/usages',
      'Microsoft.Compute/locations/usages/read',
    ],
    [
      'GET',
      'https://management.azure.com/subscriptions/s-1/resourceGroups/rg-payroll',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
    ],
    [
      'PUT',
      'https://management.azure.com/subscriptions/s-1/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi-1/providers/Microsoft.DataMigration/databaseMigrations/payroll',
      'Microsoft.DataMigration/databaseMigrations/write',
    ],
  ])('%s %s is %s', (method, url, operation) => {
    expect(armOperation(method, url)).toBe(operation);
    expect(operation).not.toMatch(/vault-1|rg-payroll|vm-1|rp-b1|payroll$/);
  });
});

// A lazy client: the registry is built without connecting.
const progressRegistry = () =>
  new ProgressMetrics(new Client(), { taskQueue: 'q', refreshSeconds: 30 }).registry;

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(
    readFileSync(join(import.meta.dirname, '../../docs/grafana-dashboard.json'), 'utf8'),
  ) as {
    panels: { targets?: { expr?: string }[] }[];
  };

  it('reads metric names out of PromQL, leaving functions, label names and Grafana variables', () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.95, sum by (le, kind) (rate(factory_arm_request_duration_seconds_bucket{code!~"2.."}[$__rate_interval]))) / on(kind) time() - x_total > 1e3',
      ),
    ).toEqual(['factory_arm_request_duration_seconds_bucket', 'x_total']);
  });

  it("queries only metrics the worker's and the server's registries export (SDK metrics: see the integration test)", async () => {
    const names = new Set([
      ...metricNamesOf(await new WorkerMetrics().registry.metrics()),
      ...metricNamesOf(
        await new ProgressMetrics(new Client(), { taskQueue: 'q', refreshSeconds: 30 }).registry.metrics(),
      ),
    ]);
    const queried = dashboardMetricNames(dashboard);
    expect(queried.length).toBeGreaterThan(15);
    expect(queried.filter((name) => !name.startsWith('temporal_') && !names.has(name))).toEqual([]);
    // And every factory metric family is on the dashboard (a histogram through any of its series).
    const pages = (await new WorkerMetrics().registry.metrics()) + (await progressRegistry().metrics());
    const families = [...pages.matchAll(/^# TYPE (factory_\S+) (\S+)$/gm)].map(([, name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
    );
    expect(families.filter((series) => !series.some((name) => queried.includes(name)))).toEqual([]);
  });
});
