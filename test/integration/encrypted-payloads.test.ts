/**
 * Payload encryption end to end: a batch (with a failed enable and an operator's retry) and a database
 * migration run through workers and a client that share a codec key; the raw histories, as Temporal stores
 * them and as a client without the codec reads them, hold no VM name, ARM id, database name, error message or
 * operator's reason in clear, and that client cannot read the results the codec client reads. The factory
 * server's codec endpoint decrypts those raw payloads for an operator from the Web UI's origin, and refuses a
 * viewer, a request without a token, and a foreign origin's preflight.
 */
import { Client, WorkflowFailedError } from '@temporalio/client';
import proto, { type temporal } from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deviceCodeToken,
  localRoleGroups,
  startOidcIssuer,
  type RunningOidcIssuer,
} from '../../cli/stack/oidc-issuer.ts';
import type { Temporal } from '../../cli/operate/connection.ts';
import { databaseCutoverSignal, retryUpdate } from '../../contracts/messages.ts';
import { demoDatabases, demoScope } from '../../domain/demo.ts';
import { buildServer } from '../../server/app.ts';
import { parseRoleGroups, type ServerConfig } from '../../server/config.ts';
import { ENCRYPTED_ENCODING } from '../../workers/payload-codec.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import type { migrationBatch } from '../../workflows/batch.ts';
import type { migrationDatabase } from '../../workflows/database.ts';
import {
  startBatch,
  startDatabase,
  startHarness,
  startInProcessWorkers,
  testStampKeyId,
  testStampPrivateKey,
  trustedTestStampKeys,
  waitForBatchProgress,
  type Harness,
} from './harness.ts';

const REASON = 'encrypted-payloads: retry after the appliance fix, CHG-4242';
const CUTOVER_REASON = 'encrypted-payloads: payroll freeze is over';
const UI_ORIGIN = 'https://temporal-ui.factory.test';
const VMS = ['reporting-db-01', 'reporting-app-02'];
const payroll = demoDatabases(demoScope)[0]!.spec;

let harness: Harness;
let workers: RunningWorkers;
let issuer: RunningOidcIssuer;
let app: FastifyInstance;
let base: string;
/** A client on the same connection without the codec: what anyone with Temporal access but no key sees. */
let keyless: Client;
const tokens: Record<string, string> = {};
const histories: Record<'batch' | 'database' | 'failed', temporal.api.history.v1.IHistory> = {
  batch: {},
  database: {},
  failed: {},
};
/** A database whose target is not a SQL VM: the workflow fails, its message naming the target's ARM id. */
const invalidDatabase = {
  ...payroll,
  id: 'encrypted-db-invalid',
  target: { ...payroll.target, kind: 'SqlVm' as const },
};

beforeAll(async () => {
  harness = await startHarness('encrypted', { speed: 2000 });
  workers = await startInProcessWorkers(harness);
  keyless = new Client({ connection: harness.client.connection });

  // The first enable fails: an activity failure (Azure's error, the VM, its ARM ids) enters the history.
  await harness.admin.configureFaults({ targeted: [{ vm: VMS[0], fault: 'EnableDr', count: 1 }] });
  const batch = await startBatch(harness, 'encrypted-batch', VMS);
  await waitForBatchProgress(batch, 'the VM parked', (p) => p.phase === 'awaiting-operator');
  await harness.admin.configureFaults({});
  await batch.executeUpdate(retryUpdate, {
    args: [{ by: 'alice@contoso.com', reason: REASON, ticket: 'CHG-4242', vmNames: [VMS[0]!] }],
  });
  const database = await startDatabase(
    harness,
    { ...payroll, id: 'encrypted-db-1' },
    { notifyWorkflowId: 'batch-encrypted-none' },
  );
  await database.signal(databaseCutoverSignal, { by: 'batch-payroll', reason: CUTOVER_REASON });
  expect((await batch.result()).vms.map((vm) => vm.outcome)).toEqual(['migrated', 'migrated']);
  expect(await database.result()).toMatchObject({ outcome: 'migrated' });
  histories.batch = await keyless.workflow.getHandle(batch.workflowId).fetchHistory();
  histories.database = await keyless.workflow.getHandle(database.workflowId).fetchHistory();
  const failed = await startDatabase(harness, invalidDatabase);
  await failed.result().catch(() => undefined);
  histories.failed = await keyless.workflow.getHandle(failed.workflowId).fetchHistory();

  issuer = await startOidcIssuer({ port: 0 });
  for (const username of ['viola', 'oscar'])
    tokens[username] = await deviceCodeToken(issuer, username, 'factory');
  const config: ServerConfig = {
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
    audit: { workflowId: `factory-audit-encrypted-test-${Date.now()}`, taskQueue: harness.taskQueue },
    codec: { roles: ['operator', 'lead', 'admin'], corsOrigins: [UI_ORIGIN] },
  };
  const server: Temporal = {
    client: harness.client,
    address: harness.workerEnv.TEMPORAL_ADDRESS ?? '',
    namespace: 'default',
    workflowUrl: (workflowId) => `${UI_ORIGIN}/${workflowId}`,
    close: async () => {},
  };
  app = await buildServer(config, { temporal: server });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  await issuer?.close();
  await workers?.shutdown();
  await harness?.close();
});

/** The history as Temporal stores it (protobuf), read as text: any clear string would show. */
const rawText = (history: temporal.api.history.v1.IHistory) =>
  Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish()).toString('latin1');

const payloadsOf = (history: temporal.api.history.v1.IHistory) =>
  history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];

describe('encrypted payloads in histories', () => {
  it('the raw histories hold no VM name, ARM id, database name, Azure error or reason', () => {
    const secrets = [
      ...VMS,
      demoScope.subscriptionId,
      '/subscriptions/',
      demoScope.vaultName,
      'EnableProtectionFailed',
      'mobility service',
      REASON,
      'CHG-4242',
      CUTOVER_REASON,
      payroll.sourceServer,
      'sqlmi-payroll',
      `"${payroll.target.databaseName}"`,
      'is not the ARM id',
    ];
    for (const [name, history] of Object.entries(histories)) {
      const text = rawText(history);
      expect(text.length, name).toBeGreaterThan(1000);
      for (const secret of secrets)
        expect(text, `${name} history contains '${secret}'`).not.toContain(secret);
      expect(text).toContain(ENCRYPTED_ENCODING);
    }
  });

  it('a workflow\'s failure carries only "Encoded failure"; the codec client reads the real message', async () => {
    const failure = histories.failed.events?.at(-1)?.workflowExecutionFailedEventAttributes?.failure;
    expect(failure?.message).toBe('Encoded failure');
    expect(failure?.stackTrace).toBe('');
    expect(Buffer.from(failure?.encodedAttributes?.metadata?.encoding ?? []).toString()).toBe(
      ENCRYPTED_ENCODING,
    );
    const error: unknown = await harness.client.workflow
      .getHandle<typeof migrationDatabase>('database-encrypted-db-invalid')
      .result()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toContain(
      `target.serverId '${payroll.target.serverId}' is not the ARM id of a SqlVm server`,
    );
  });

  it('the results decode with the codec and not without it', async () => {
    const batchId = 'batch-encrypted-batch';
    expect(
      (await harness.client.workflow.getHandle<typeof migrationBatch>(batchId).result()).vms,
    ).toHaveLength(2);
    await expect(keyless.workflow.getHandle(batchId).result()).rejects.toThrow(/binary\/encrypted/);
  });
});

describe('the Web UI codec endpoint', () => {
  const wire = (payloads: temporal.api.common.v1.IPayload[]) => ({
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(p.data ?? []).toString('base64'),
    })),
  });
  const post = (path: string, body: unknown, user?: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: UI_ORIGIN,
        'x-namespace': 'default',
        ...(user ? { authorization: `Bearer ${tokens[user]}` } : {}),
      },
      body: JSON.stringify(body),
    });
  const clear = (body: { payloads: { metadata: Record<string, string>; data: string }[] }) =>
    body.payloads.map((p) => ({
      encoding: Buffer.from(p.metadata.encoding ?? '', 'base64').toString(),
      data: Buffer.from(p.data, 'base64').toString(),
    }));

  it('decrypts the raw payloads for an operator, with CORS for the Web UI', async () => {
    const response = await post('/codec/decode', wire(payloadsOf(histories.database)), 'oscar');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const [input] = clear((await response.json()) as Parameters<typeof clear>[0]);
    expect(input!.encoding).toBe('json/plain');
    expect(JSON.parse(input!.data)).toMatchObject({
      spec: { id: 'encrypted-db-1', sourceServer: payroll.sourceServer, name: payroll.name },
    });
  });

  it('encodes for an operator what the workers can decode', async () => {
    const plain = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"hello"').toString('base64'),
    };
    const encoded = await post('/codec/encode', { payloads: [plain] }, 'oscar');
    expect(encoded.status).toBe(200);
    const body = (await encoded.json()) as Parameters<typeof clear>[0];
    expect(clear(body)[0]!.encoding).toBe(ENCRYPTED_ENCODING);
    const [decoded] = await harness.client.options.loadedDataConverter.payloadCodecs[0]!.decode(
      body.payloads.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
        ),
        data: Buffer.from(p.data, 'base64'),
      })),
    );
    expect(Buffer.from(decoded!.data!).toString()).toBe('"hello"');
  });

  it('refuses a viewer (403) and a request without a token (401), and shows them nothing', async () => {
    const body = wire(payloadsOf(histories.database));
    const viewer = await post('/codec/decode', body, 'viola');
    expect(viewer.status).toBe(403);
    const refusal = (await viewer.json()) as { reason: string; roleNeeded: string[] };
    expect(refusal.roleNeeded).toEqual(['operator', 'lead', 'admin']);
    expect(JSON.stringify(refusal)).not.toContain(payroll.sourceServer);
    const anonymous = await post('/codec/decode', body);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain(payroll.sourceServer);
  });

  it("answers the Web UI's preflight, and not another origin's", async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const ui = await preflight(UI_ORIGIN);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ui.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await preflight('https://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
