/**
 * Observability against real Temporal, real workers and the simulator: after a small batch and a database
 * migration reach their waits, the worker's `/metrics` shows ARM requests by ARM operation (no resource
 * names in labels) next to the SDK's own metrics, the factory server's `/metrics` counts the VMs and the
 * database by phase, the server refuses an off-host scrape without a token, and the worker's log lines are
 * JSON carrying the workflow and activity ids, with the SDK's task token redacted.
 */
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';
import {
  deviceCodeToken,
  localRoleGroups,
  startOidcIssuer,
  type RunningOidcIssuer,
} from '../../cli/stack/oidc-issuer.ts';
import type { Temporal } from '../../cli/operate/connection.ts';
import { batchWorkflowId, databaseWorkflowId } from '../../contracts/ids.ts';
import { databaseProgressQuery } from '../../contracts/messages.ts';
import { demoDatabases, demoScope } from '../../domain/demo.ts';
import { buildServer } from '../../server/app.ts';
import { parseRoleGroups, type ServerConfig } from '../../server/config.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import { startWorkers, type RunningWorkers } from '../../workers/run.ts';
import {
  startBatch,
  startDatabase,
  startHarness,
  testStampKeyId,
  testStampPrivateKey,
  trustedTestStampKeys,
  waitFor,
  waitForBatchProgress,
  type Harness,
} from './harness.ts';
import {
  dashboardMetricNames,
  metricNamesOf,
  parseMetrics,
  sample,
  type MetricSample,
} from '../prometheus-text.ts';

const BATCH = 'obs-metrics-batch';
const VMS = ['payroll-web-04', 'payroll-app-02'];
const DATABASE = { ...demoDatabases(demoScope)[0]!.spec, id: 'obs-metrics.payroll' };

let harness: Harness;
let workers: RunningWorkers;
let issuer: RunningOidcIssuer;
let app: FastifyInstance;
const logLines: string[] = [];

beforeAll(async () => {
  harness = await startHarness('obs', { speed: 2000 });
  const config = loadWorkerConfig({
    ...harness.workerEnv,
    FACTORY_METRICS_PORT: '0',
    // Debug: the SDK logs each activity's start and end through the Runtime logger.
    FACTORY_LOG_LEVEL: 'debug',
  });
  workers = await startWorkers(config, {
    workflowBundle: { codePath: inject('workflowBundlePath') },
    logDestination: { write: (line: string) => void logLines.push(line) },
  });
  issuer = await startOidcIssuer({ port: 0 });
  const serverConfig: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    oidc: {
      issuer: issuer.issuer,
      audience: issuer.audience,
      clockToleranceSeconds: 5,
      groupsClaim: 'groups',
    },
    roleGroups: parseRoleGroups(localRoleGroups),
    stamp: { keyId: testStampKeyId, privateKey: testStampPrivateKey, trustedKeys: trustedTestStampKeys },
    audit: { workflowId: `factory-audit-obs-test-${Date.now()}`, taskQueue: harness.taskQueue },
    // Every scrape reads Temporal again: the test waits for values, not for a refresh interval.
    metricsRefreshSeconds: 0,
  };
  const temporal: Temporal = {
    client: harness.client,
    address: harness.workerEnv.TEMPORAL_ADDRESS ?? '',
    namespace: 'default',
    workflowUrl: (workflowId) => `http://ui.invalid/${workflowId}`,
    close: async () => {},
  };
  app = await buildServer(serverConfig, { temporal });

  // The cutover window opens in an hour: the batch replicates, then waits for it.
  const start = new Date(Date.now() + 3600_000).toISOString();
  const end = new Date(Date.now() + 7200_000).toISOString();
  const batch = await startBatch(harness, BATCH, VMS, { cutoverWindow: { start, end } });
  const database = await startDatabase(harness, DATABASE);
  await waitForBatchProgress(
    batch,
    'the batch to wait for its window',
    (p) => p.phase === 'awaiting-cutover-window',
  );
  await waitFor('the database to be ready for cutover', async () =>
    (await database.query(databaseProgressQuery)).phase === 'ready-for-cutover' ? true : undefined,
  );
});

afterAll(async () => {
  for (const id of [batchWorkflowId(BATCH), databaseWorkflowId(DATABASE.id)])
    await harness?.client.workflow
      .getHandle(id)
      .terminate('observability test done')
      .catch(() => undefined);
  await app?.close();
  await issuer?.close();
  await workers?.shutdown();
  await harness?.close();
});

async function scrapeWorkerPage(): Promise<string> {
  const response = await fetch(workers.metricsUrl!);
  expect(response.status).toBe(200);
  return response.text();
}
const scrapeWorker = async (): Promise<MetricSample[]> => parseMetrics(await scrapeWorkerPage());

async function scrapeServer(remoteAddress = '127.0.0.1', authorization?: string) {
  return app.inject({
    method: 'GET',
    url: '/metrics',
    remoteAddress,
    ...(authorization ? { headers: { authorization } } : {}),
  });
}

const sum = (samples: MetricSample[]) => samples.reduce((total, s) => total + s.value, 0);

describe('worker metrics', () => {
  it('serves ARM requests by ARM operation and bucket, with no resource names in labels, next to the SDK metrics', async () => {
    expect(workers.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const samples = await scrapeWorker();
    const requests = samples.filter((s) => s.name === 'factory_arm_requests_total');
    const enable = requests.filter(
      (s) =>
        s.labels.operation ===
          'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/write' &&
        s.labels.kind === 'writes',
    );
    // Enabling replication for two VMs: one PUT each at least.
    expect(sum(enable)).toBeGreaterThanOrEqual(VMS.length);
    expect(sum(requests.filter((s) => s.labels.kind === 'reads'))).toBeGreaterThan(0);
    for (const s of requests) {
      expect(s.labels.operation).toMatch(/^Microsoft\.[A-Za-z]+\/[A-Za-z/]+\/(read|write|delete|action)$/);
      for (const name of [...VMS, 'payroll', demoScope.vaultName, demoScope.resourceGroup])
        expect(s.labels.operation).not.toContain(name);
    }
    // The database migration went through the SQL migration API: an extension resource of the target, named
    // by its own provider as ARM's operation names do.
    expect(
      sum(requests.filter((s) => s.labels.operation === 'Microsoft.DataMigration/databaseMigrations/write')),
    ).toBeGreaterThan(0);
    // The SDK's own exporter, appended on the same page.
    const names = new Set(samples.map((s) => s.name));
    expect(names.has('temporal_worker_task_slots_available')).toBe(true);
    expect([...names].some((name) => name.startsWith('temporal_activity_execution_latency'))).toBe(true);
  });

  it('exports every metric the Grafana dashboard queries', async () => {
    const dashboard = JSON.parse(readFileSync(join(projectRoot, 'docs/grafana-dashboard.json'), 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const workerNames = metricNamesOf(await scrapeWorkerPage());
    const serverNames = metricNamesOf((await scrapeServer()).body);
    const missing = dashboardMetricNames(dashboard).filter(
      (name) => !workerNames.has(name) && !serverNames.has(name),
    );
    expect(missing).toEqual([]);
  });
});

describe('server metrics', () => {
  it('counts the VMs of running batches by phase and disposition, and databases by phase', async () => {
    const response = await scrapeServer();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const samples = parseMetrics(response.body);
    expect(sample(samples, 'factory_vms', { phase: 'awaiting-cutover-window', disposition: 'active' })).toBe(
      2,
    );
    expect(sample(samples, 'factory_batches', { phase: 'awaiting-cutover-window' })).toBe(1);
    expect(sample(samples, 'factory_batches', { phase: 'replicating' })).toBe(0);
    expect(sample(samples, 'factory_batches_held')).toBe(0);
    expect(sample(samples, 'factory_vm_replication', { state: 'protected' })).toBe(2);
    expect(sample(samples, 'factory_databases', { phase: 'ready-for-cutover' })).toBe(1);
    expect(sample(samples, 'factory_progress_collect_errors_total', { kind: 'batch' }) ?? 0).toBe(0);
  });

  it('refuses a scrape from another host without a token, and accepts one with a reader role', async () => {
    const refused = await scrapeServer('10.20.30.40');
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    const token = await deviceCodeToken(issuer, 'viola', 'factory');
    const allowed = await scrapeServer('10.20.30.40', `Bearer ${token}`);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('factory_vms{');
  });
});

describe('worker logs', () => {
  it('writes JSON lines with the workflow and activity ids of activity log calls, and the task token redacted', () => {
    const parsed = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const activityLines = parsed.filter(
      (line) => line.workflowId === batchWorkflowId(BATCH) && typeof line.activityId === 'string',
    );
    expect(activityLines.length).toBeGreaterThan(0);
    const line = activityLines[0]!;
    expect(line).toMatchObject({
      service: 'worker',
      workflowType: 'migrationBatch',
      taskToken: '[Redacted]',
    });
    expect(typeof line.activityType).toBe('string');
    expect(typeof line.time).toBe('string');
    expect(logLines.join('\n')).not.toMatch(/"taskToken":"(?!\[Redacted\])/);
  });
});

describe('ARM throttling', () => {
  it('counts 429s by ARM operation and logs each from its activity, with the workflow and activity ids', async () => {
    const before = logLines.length;
    // Every ARM request is throttled until the test has seen one counted and logged: the database's
    // status reads run into it whenever they come. (The last test: what the storm does to the
    // migrations afterwards does not matter.)
    await harness.admin.startStorm(120, 1);
    try {
      const throttled = await waitFor('a throttled ARM request counted', async () => {
        const samples = (await scrapeWorker()).filter((s) => s.name === 'factory_arm_throttled_total');
        return sum(samples) > 0 ? samples : undefined;
      });
      for (const s of throttled)
        expect(s.labels.operation).toMatch(/^Microsoft\.[A-Za-z]+\/.+\/(read|write|action)$/);
      // The Runtime logger orders lines across sources in a short buffer: wait for the line, not a duration.
      const warning = await waitFor('the 429 warning in the log', () =>
        Promise.resolve(
          logLines
            .slice(before)
            .map((line) => JSON.parse(line) as Record<string, unknown>)
            .find((line) => line.msg === 'ARM throttled the request (429)'),
        ),
      );
      expect(warning).toMatchObject({ level: 'warn', sdkComponent: 'activity' });
      expect(throttled.map((s) => s.labels.operation)).toContain(warning.operation);
      expect(typeof warning.workflowId).toBe('string');
      expect(typeof warning.activityId).toBe('string');
    } finally {
      await harness.admin.configureFaults({});
    }
  });
});
