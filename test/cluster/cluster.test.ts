/**
 * The demo wave on a real Temporal cluster: PostgreSQL, the frontend, history, matching and internal-worker
 * services as separate processes of the pinned server, mutual TLS everywhere (cli/stack/cluster.ts). The
 * worker is a separate process configured only by the TEMPORAL_* variables a Temporal Cloud worker would
 * get. Mid-wave the history service is SIGKILLed and restarted, then the frontend: the wave completes with
 * every Azure side effect exactly once, and the read-only Web UI shows it. The history batches PostgreSQL then
 * holds (`history_node.data`, read with `psql`) carry no VM name, database name, ARM id or reason in clear,
 * while the same bytes decoded with the codec do. Run by `npm run test:cluster` (vitest.cluster.config.ts).
 */
import { Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common';
import proto, { type temporal } from '@temporalio/proto';
import { execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_RETENTION_DAYS, startCluster, type RunningCluster } from '../../cli/stack/cluster.ts';
import { freePort } from '../../cli/stack/ports.ts';
import { ensurePostgresInstalled } from '../../cli/stack/postgres.ts';
import { databaseWorkflowId } from '../../contracts/ids.ts';
import { demoDatabases, demoScope, demoSite, demoWave } from '../../domain/demo.ts';
import { decodeHistoryPayloads, ENCRYPTED_ENCODING } from '../../workers/payload-codec.ts';
import { searchAttributeKeys } from '../../contracts/search-attributes.ts';
import { batchProgressQuery, waveProgressQuery } from '../../contracts/messages.ts';
import { createMutualTlsMaterial } from '../../simulators/certificates.ts';
import {
  demoBatchSettings,
  pathOf,
  runCli,
  spawnWorkerProcess,
  startDemoWave,
  startHarness,
  waitFor,
  type Harness,
} from '../integration/harness.ts';

const WAVE_ID = 'cl-demo';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every history batch the cluster stored, as PostgreSQL holds it: `history_node.data` is the
 * proto3-encoded `temporal.api.history.v1.History` of one batch of events (`data_encoding` Proto3). Read
 * with the installed server's `psql` as the stack's own superuser; the password goes in the environment.
 */
async function storedHistoryBatches(cluster: RunningCluster): Promise<Buffer[]> {
  const { postgres } = cluster;
  const { stdout } = await promisify(execFile)(
    join(ensurePostgresInstalled(), 'psql'),
    [
      ...['-h', postgres.host, '-p', String(postgres.port), '-U', postgres.user, '-d', 'temporal'],
      ...['--no-psqlrc', '--tuples-only', '--no-align', '-v', 'ON_ERROR_STOP=1'],
      ...['-c', "SELECT data_encoding || ':' || encode(data, 'hex') FROM history_node"],
    ],
    {
      env: { PATH: process.env.PATH ?? '', PGPASSWORD: postgres.password, PGCONNECT_TIMEOUT: '10' },
      maxBuffer: 512 * 1024 * 1024,
    },
  );
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [encoding, hex] = line.split(':');
      expect(encoding).toBe('Proto3');
      return Buffer.from(hex ?? '', 'hex');
    });
}

describe('Temporal cluster on PostgreSQL with mutual TLS (separate services)', () => {
  let cluster: RunningCluster;
  let harness: Harness;
  let worker: ChildProcess | undefined;
  /** The wave's database ids (the wave scopes them: `cl-demo.payroll-db-01.payroll`). */
  let waveDatabaseIds: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'mf-cluster-test-'));

  beforeAll(async () => {
    // PostgreSQL runs as an unprivileged user, which must be able to enter the folder.
    chmodSync(dir, 0o711);
    cluster = await startCluster({
      dir: join(dir, 'cluster'),
      frontendPort: await freePort(),
      uiPort: await freePort(),
    });
    console.log(`cluster ready in ${cluster.startSeconds.toFixed(1)} s`);
    // Slow enough that replication and cutover span seconds, so the kills land inside the wave.
    harness = await startHarness('cluster', { speed: 200, temporalEnv: cluster.clientEnv });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker?.once('exit', resolve));
      worker.kill('SIGKILL');
      await exited;
    }
    await harness?.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses clients without a certificate of its CA, and keeps the namespace a year', async () => {
    const { address } = cluster;
    const attempt = (options: Parameters<typeof Connection.connect>[0]) =>
      Connection.connect({ connectTimeout: '3s', ...options }).then(
        async (connection) => {
          await connection.close();
          return 'connected';
        },
        () => 'refused',
      );
    const caPem = readFileSync(cluster.tls.caCert);
    const serverNameOverride = cluster.clientEnv.TEMPORAL_TLS_SERVER_NAME;
    const intruder = createMutualTlsMaterial({
      caName: 'Some Other CA',
      serverNames: ['localhost'],
      clientName: 'intruder',
    });

    expect(await attempt({ address }), 'plain gRPC').toBe('refused');
    expect(
      await attempt({ address, tls: { serverNameOverride, serverRootCACertificate: caPem } }),
      'TLS without a client certificate',
    ).toBe('refused');
    expect(
      await attempt({
        address,
        tls: {
          serverNameOverride,
          serverRootCACertificate: caPem,
          clientCertPair: {
            crt: Buffer.from(intruder.client.certPem),
            key: Buffer.from(intruder.client.keyPem),
          },
        },
      }),
      'a client certificate of another CA',
    ).toBe('refused');

    // The factory's own client settings get in: a year's retention and the factory's search attributes.
    const described = await harness.client.connection.workflowService.describeNamespace({
      namespace: 'default',
    });
    expect(tsToMs(described.config?.workflowExecutionRetentionTtl)).toBe(
      CLUSTER_RETENTION_DAYS * 24 * 3600 * 1000,
    );
    const attributes = await harness.client.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(Object.keys(attributes.customAttributes ?? {})).toEqual(
      expect.arrayContaining(searchAttributeKeys.map((key) => key.name)),
    );

    // A worker without the client certificate stops at start-up, naming the setting.
    const {
      TEMPORAL_TLS_CLIENT_CERT_PATH: _certificate,
      TEMPORAL_TLS_CLIENT_KEY_PATH: _key,
      ...withoutCertificate
    } = harness.workerEnv;
    const failure = await spawnWorkerProcess({ ...harness, workerEnv: withoutCertificate }).then(
      (child) => {
        child.kill('SIGKILL');
        return 'the worker started';
      },
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(failure).toMatch(/worker exited with 1 before ready/);
    expect(failure).toMatch(/client certificate[^\n]*TEMPORAL_TLS_CLIENT_CERT_PATH/);
  });

  it('completes the demo wave with each side effect once while history, then the frontend, are killed and restarted', async () => {
    worker = await spawnWorkerProcess(harness);
    const handle = await startDemoWave(
      harness.client,
      WAVE_ID,
      {
        ...demoBatchSettings,
        azureTaskQueue: harness.azureTaskQueue,
        replicationReportEveryMs: 1000,
        heartbeatTimeoutMs: 3000,
      },
      harness.taskQueue,
    );
    const phases = async () => {
      const wave = await handle.query(waveProgressQuery);
      return Promise.all(
        wave.batches.map(
          async (b) =>
            (await harness.client.workflow.getHandle(b.workflowId).query(batchProgressQuery)).phase,
        ),
      );
    };
    const { history, frontend } = cluster.services;

    await waitFor(
      'a batch replicating',
      async () => ((await phases()).includes('replicating') ? true : undefined),
      120_000,
    );
    const historyPid = history.pid();
    await history.kill('SIGKILL');
    await history.start();
    expect(history.pid()).not.toBe(historyPid);

    await waitFor(
      'a batch in cutover',
      async () => ((await phases()).includes('cutover') ? true : undefined),
      240_000,
    );
    const frontendPid = frontend.pid();
    await frontend.kill('SIGKILL');
    await frontend.start();
    expect(frontend.pid()).not.toBe(frontendPid);

    const outcome = await handle.result();
    expect(outcome.counts).toEqual({
      migrated: 20,
      'rolled-back': 0,
      deferred: 0,
      'failed-needs-attention': 0,
    });
    expect(outcome.databases.map((d) => d.outcome)).toEqual(['migrated', 'migrated']);
    waveDatabaseIds = outcome.databases.map((d) => d.databaseId);

    const { entries } = await harness.admin.audit();
    const accepted = entries.filter((e) => e.status < 300);
    const puts = accepted.filter(
      (e) => e.method === 'PUT' && /\/replicationProtectedItems\/[^/]+$/i.test(pathOf(e.path)),
    );
    // A retried enable PUTs again: the simulator answers an existing item with 200 and starts nothing.
    const enables = puts.filter((e) => e.outcome !== 'noop');
    expect(enables).toHaveLength(20);
    expect(new Set(enables.map((e) => pathOf(e.path))).size).toBe(20);
    for (const action of ['testFailover', 'testFailoverCleanup', 'unplannedFailover', 'failoverCommit']) {
      const calls = accepted.filter((e) => e.method === 'POST' && pathOf(e.path).endsWith(`/${action}`));
      expect(calls, action).toHaveLength(2);
    }
    expect(accepted.filter((e) => e.method === 'POST' && pathOf(e.path).endsWith('/remove'))).toHaveLength(
      20,
    );
    // One cutover POST for the payroll database, as demo-wave.test.ts checks on the dev server.
    const payrollCutovers = accepted.filter(
      (e) =>
        e.method === 'POST' &&
        pathOf(e.path).includes('/databaseMigrations/payroll') &&
        pathOf(e.path).endsWith('/cutover'),
    );
    expect(payrollCutovers).toHaveLength(1);
    expect(await harness.admin.invariants()).toEqual({ violations: [] });

    // The read-only Web UI reaches the frontend over mutual TLS with a certificate of its own.
    const settings = (await (await fetch(`${cluster.uiUrl}/api/v1/settings`)).json()) as Record<
      string,
      unknown
    >;
    expect(settings.DisableWriteActions).toBe(true);
    const described = await fetch(
      `${cluster.uiUrl}/api/v1/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`,
    );
    expect(described.status).toBe(200);
    expect(JSON.stringify(await described.json())).toContain('WORKFLOW_EXECUTION_STATUS_COMPLETED');

    // The CLI reads the wave with the cluster's TOML profile, as an operator would.
    const status = await runCli(['wave', 'status', 'cl-demo', '--json'], {
      cwd: tmpdir(),
      env: {
        TEMPORAL_CONFIG_FILE: cluster.configFile,
        TEMPORAL_PROFILE: 'cluster',
        // The key the wave's payloads were encrypted with (the stack's own key file).
        FACTORY_CODEC_KEY_FILE: harness.workerEnv.FACTORY_CODEC_KEY_FILE ?? '',
      },
    });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ waveId: 'cl-demo', phase: 'completed' });
  });
  it('stores no VM name, database name, ARM id or reason in clear in PostgreSQL', async () => {
    const batches = await storedHistoryBatches(cluster);
    const raw = batches.map((data) => data.toString('latin1')).join('\n');
    // The completed wave (one wave, two batches, two databases) is all the cluster ran.
    expect(raw.length).toBeGreaterThan(10_000);
    expect(raw).toContain(ENCRYPTED_ENCODING);

    const databases = demoDatabases(demoScope).map((d) => d.spec);
    const secrets = [
      ...demoWave(demoSite(), WAVE_ID).batches.flatMap((b) => b.vmNames),
      demoScope.subscriptionId,
      '/subscriptions/',
      demoScope.vaultName,
      ...databases.flatMap((d) => [
        `"${d.target.databaseName}"`,
        d.target.serverId.split('/').at(-1)!,
        d.sourceServer,
      ]),
      // The batch's reason when it opens a database's cutover (workflows/batch.ts).
      'the application cutover window is open',
    ];
    // Workflow ids are Temporal's metadata, never encoded: a database's id names its source server
    // (`database-cl-demo.payroll-db-01.payroll`), so those ids are taken out before the search.
    expect(waveDatabaseIds).toHaveLength(2);
    const outsideIds = waveDatabaseIds
      .map((id) => databaseWorkflowId(id))
      .reduce((text, id) => text.replaceAll(id, '<database workflow id>'), raw);
    // Each clear occurrence with the printable bytes around it, so a failure shows which field leaks.
    const leaks = secrets.flatMap((secret) =>
      [...outsideIds.matchAll(new RegExp(escapeRegExp(secret), 'g'))].map(
        (match) =>
          `${secret}: …${outsideIds.slice(Math.max(0, match.index - 80), match.index + secret.length + 40).replace(/[^\x20-\x7e]/g, '.')}…`,
      ),
    );
    expect(leaks).toEqual([]);

    // The same bytes decoded with the codec hold every one of them: the search above can find them.
    const converter = harness.client.options.loadedDataConverter;
    const decoded = await Promise.all(
      batches.map(async (data) => {
        const history: temporal.api.history.v1.IHistory = proto.temporal.api.history.v1.History.decode(data);
        await decodeHistoryPayloads(history, converter);
        return Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
      }),
    );
    const decodedText = decoded.join('\n');
    for (const secret of secrets) expect(decodedText, `decoded history lacks '${secret}'`).toContain(secret);
  });
});
