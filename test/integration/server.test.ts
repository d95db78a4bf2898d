/**
 * The factory server against the tests' Temporal dev server, in-process workers and the local OpenID
 * Connect issuer: tokens obtained through the real device-code flow, each role allowed exactly its
 * actions (403 with the reason and the role needed otherwise, and every refusal in the wave's audit),
 * 401 without a valid token, the OpenAPI document, and the signed stamp an action carries to the workflow.
 */
import type { FastifyInstance } from 'fastify';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deviceCodeToken,
  localRoleGroups,
  startOidcIssuer,
  type RunningOidcIssuer,
} from '../../cli/stack/oidc-issuer.ts';
import { batchWorkflowId, waveWorkflowId } from '../../contracts/ids.ts';
import { batchProgressQuery, pauseUpdate } from '../../contracts/messages.ts';
import { stampProblem, type OperatorStamp } from '../../contracts/operator-stamp.ts';
import type { Temporal } from '../../cli/operate/connection.ts';
import { buildServer } from '../../server/app.ts';
import { parseRoleGroups, type ServerConfig } from '../../server/config.ts';
import { rolesFor, type ActionName } from '../../server/roles.ts';
import type { RunningWorkers } from '../../workers/run.ts';
import { decodeHistoryPayloads } from '../../workers/payload-codec.ts';
import {
  demoBatchSettings,
  startDemoWave,
  startHarness,
  startInProcessWorkers,
  testIdentities,
  testStampKeyId,
  testStampPrivateKey,
  trustedTestStampKeys,
  waitFor,
  type Harness,
} from './harness.ts';

const WAVE = 'server-api-wave';
const BATCH = `${WAVE}-batch-01`;
/** A batch the wave does not have: allowed batch actions answer 404, and nothing changes the wave. */
const NO_BATCH = `${WAVE}-batch-99`;
const NO_DATABASE = 'server-api-no-such-database';

let harness: Harness;
let workers: RunningWorkers;
let issuer: RunningOidcIssuer;
let app: FastifyInstance;
let base: string;
const tokens: Record<string, string> = {};
// The server signs with the key the harness's stamp-checking waves trust, so actions through it can reach them.
const privateKey = testStampPrivateKey;
const trustedKeys = trustedTestStampKeys;
/** A wave started with trusted keys: its workflows refuse any update the server did not sign. */
const SIGNED_WAVE = 'server-signed-wave';

const users = { viola: 'viewer', oscar: 'operator', april: 'approver', leo: 'lead', ada: 'admin' } as const;

beforeAll(async () => {
  harness = await startHarness('server', { speed: 2000 });
  workers = await startInProcessWorkers(harness);
  issuer = await startOidcIssuer({ port: 0 });
  for (const username of Object.keys(users))
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
    stamp: { keyId: testStampKeyId, privateKey, trustedKeys },
    audit: { workflowId: `factory-audit-server-test-${Date.now()}`, taskQueue: harness.taskQueue },
  };
  const temporal: Temporal = {
    client: harness.client,
    address: harness.workerEnv.TEMPORAL_ADDRESS ?? '',
    namespace: 'default',
    workflowUrl: (workflowId) => `http://ui.invalid/${workflowId}`,
    close: async () => {},
  };
  app = await buildServer(config, { temporal });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  await startDemoWave(
    harness.client,
    WAVE,
    { ...demoBatchSettings, azureTaskQueue: harness.azureTaskQueue },
    harness.taskQueue,
  );
  // The wave answers its query once a worker has run its first task.
  await waitFor('the wave to list its batches', async () => {
    const response = await call('viola', 'GET', `/api/waves/${WAVE}`);
    return response.status === 200 && (response.body.batches as unknown[]).length > 0 ? true : undefined;
  });
});

afterAll(async () => {
  await app?.close();
  await issuer?.close();
  await workers?.shutdown();
  await harness?.close();
});

async function call(
  user: string | undefined,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  authorization = user === undefined ? undefined : `Bearer ${tokens[user]}`,
) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(authorization ? { authorization } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Each action as the API takes it, with a body that passes validation. */
const actions: { action: ActionName; path: string; body: Record<string, unknown> }[] = [
  { action: 'start', path: `/api/waves/${WAVE}/start`, body: {} },
  { action: 'approve', path: `/api/waves/${WAVE}/approve`, body: {} },
  { action: 'concurrency', path: `/api/waves/${WAVE}/concurrency`, body: { maxConcurrentBatches: 2 } },
  { action: 'pause', path: `/api/waves/${WAVE}/pause`, body: { batchId: NO_BATCH } },
  { action: 'resume', path: `/api/waves/${WAVE}/resume`, body: { batchId: NO_BATCH } },
  { action: 'retry', path: `/api/waves/${WAVE}/retry`, body: { batchId: NO_BATCH } },
  { action: 'skip', path: `/api/waves/${WAVE}/skip`, body: { batchId: NO_BATCH, vmNames: ['vm-x'] } },
  { action: 'postpone', path: `/api/waves/${WAVE}/postpone`, body: { batchId: NO_BATCH, until: '+1d' } },
  { action: 'cutover', path: `/api/waves/${WAVE}/cutover`, body: { batchId: NO_BATCH } },
  { action: 'force-cutover', path: `/api/waves/${WAVE}/cutover`, body: { batchId: NO_BATCH, force: true } },
  { action: 'sign-off', path: `/api/waves/${WAVE}/sign-off`, body: { batchId: NO_BATCH, approved: true } },
  { action: 'rollback', path: `/api/waves/${WAVE}/rollback`, body: { batchId: NO_BATCH } },
  { action: 'database-cutover', path: `/api/databases/${NO_DATABASE}/cutover`, body: {} },
  { action: 'force-database-cutover', path: `/api/databases/${NO_DATABASE}/cutover`, body: { force: true } },
  { action: 'database-retry', path: `/api/databases/${NO_DATABASE}/retry`, body: {} },
  { action: 'database-rollback', path: `/api/databases/${NO_DATABASE}/rollback`, body: {} },
];

describe('factory server', () => {
  it('lists every route in its OpenAPI document, without a token', async () => {
    const { status, body } = await call(undefined, 'GET', '/api/openapi.json');
    expect(status).toBe(200);
    const paths = Object.keys(body.paths as object).sort();
    expect(paths).toEqual(
      [
        '/api/auth-config',
        '/api/me',
        '/api/waves',
        '/api/waves/{waveId}',
        '/api/waves/{waveId}/audit',
        '/api/batches/{batchId}',
        '/api/databases/{databaseId}',
        ...[
          'start',
          'approve',
          'concurrency',
          'pause',
          'resume',
          'retry',
          'skip',
          'rollback',
          'cutover',
          'postpone',
          'sign-off',
          'cancel',
        ].map((a) => `/api/waves/{waveId}/${a}`),
        ...['cutover', 'retry', 'rollback'].map((a) => `/api/databases/{databaseId}/${a}`),
        // The Web UI's remote codec endpoint (server/codec-endpoint.ts).
        '/codec/decode',
        '/codec/encode',
      ].sort(),
    );
    const approve = (
      body.paths as Record<string, Record<string, { requestBody?: unknown; responses: object }>>
    )['/api/waves/{waveId}/approve']?.post;
    expect(approve?.requestBody).toBeDefined();
    expect(Object.keys(approve?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '401', '403', '409']),
    );
  });

  it('tells anyone how to sign in, and a signed-in user who they are', async () => {
    const config = await call(undefined, 'GET', '/api/auth-config');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ issuer: issuer.issuer, audience: issuer.audience });
    expect(config.body.scope).toContain('openid');
    expect((await call(undefined, 'GET', '/api/me')).status).toBe(401);
    const me = await call('leo', 'GET', '/api/me');
    expect(me.body).toMatchObject({ subject: 'leo', name: 'Leo Lead', roles: ['lead'] });
    expect(me.body.actions).toEqual(expect.arrayContaining(['cancel', 'rollback', 'force-cutover']));
    expect(me.body.actions).not.toContain('approve');
  });

  it('answers 401 without a token, with a malformed one and with one from another issuer', async () => {
    expect((await call(undefined, 'GET', '/api/waves')).status).toBe(401);
    expect((await call(undefined, 'GET', '/api/waves', undefined, 'Bearer not-a-jwt')).status).toBe(401);
    const other = await startOidcIssuer({ port: 0, audience: issuer.audience });
    try {
      const foreign = await deviceCodeToken(other, 'ada', 'factory');
      const response = await call(
        undefined,
        'POST',
        `/api/waves/${WAVE}/concurrency`,
        { reason: 'x', maxConcurrentBatches: 2 },
        `Bearer ${foreign}`,
      );
      expect(response.status).toBe(401);
      expect(response.body.reason).toMatch(/not valid/);
    } finally {
      await other.close();
    }
  });

  it('lets every role read', async () => {
    for (const user of Object.keys(users)) {
      const list = await call(user, 'GET', '/api/waves');
      expect(list.status).toBe(200);
      expect((list.body.waves as { waveId: string }[]).map((w) => w.waveId)).toContain(WAVE);
      expect((await call(user, 'GET', `/api/waves/${WAVE}`)).body.waveId).toBe(WAVE);
    }
    expect((await call('viola', 'GET', `/api/waves/no-such-wave`)).status).toBe(404);
  });

  it("sends an action to the workflow with a stamp signed for the token's user", async () => {
    const response = await call('oscar', 'POST', `/api/waves/${WAVE}/concurrency`, {
      reason: 'two at a time',
      ticket: 'CHG-7',
      maxConcurrentBatches: 2,
      by: 'someone else',
    });
    expect(response.status).toBe(200);
    expect(response.body.message).toMatch(/up to 2 batch/);
    const history = await decodeHistoryPayloads(
      await harness.client.workflow.getHandle(waveWorkflowId(WAVE)).fetchHistory(),
      harness.client.options.loadedDataConverter,
    );
    const accepted = (history.events ?? []).flatMap((e) => {
      const request = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      return request?.input?.name === 'setBatchConcurrency' ? [request] : [];
    });
    const arg = defaultPayloadConverter.fromPayload<Record<string, unknown> & { stamp: OperatorStamp }>(
      accepted[0]!.input!.args!.payloads![0]!,
    );
    expect(arg.by).toBe('Oscar Operator');
    expect(arg.stamp.identity).toEqual({ subject: 'oscar', name: 'Oscar Operator', roles: ['operator'] });
    const { stamp, ...args } = arg;
    expect(args).toEqual({
      by: 'Oscar Operator',
      reason: 'two at a time',
      ticket: 'CHG-7',
      maxConcurrentBatches: 2,
    });
    const problem = (update: string, signedArgs: unknown) =>
      stampProblem({
        trustedKeys,
        update,
        workflowId: waveWorkflowId(WAVE),
        args: signedArgs,
        stamp,
        nowMs: Date.parse(stamp.issuedAt),
      });
    expect(problem('setBatchConcurrency', args)).toBeUndefined();
    // Replayed with other arguments it is worthless.
    expect(problem('setBatchConcurrency', { ...args, maxConcurrentBatches: 50 })).toMatch(/does not match/);
  });

  it('allows each role exactly its actions and refuses the rest with 403, the reason and the role needed', async () => {
    const refused: { user: string; action: ActionName }[] = [];
    for (const [user, role] of Object.entries(users))
      for (const { action, path, body } of actions) {
        const response = await call(user, 'POST', path, { reason: `${user} tries ${action}`, ...body });
        const allowed = rolesFor(action).includes(role);
        if (allowed) {
          // Past the role check: the wave, batch or database answers (accepted, refused by state, not found).
          expect([200, 400, 404, 409], `${user} ${action}: ${JSON.stringify(response.body)}`).toContain(
            response.status,
          );
        } else {
          expect(response.status, `${user} ${action}`).toBe(403);
          expect(response.body.error).toBe('forbidden');
          expect(response.body.roleNeeded).toEqual(rolesFor(action));
          expect(response.body.reason).toContain(`${action} needs the role`);
          refused.push({ user, action });
        }
      }
    // Viewers may do nothing; admins everything.
    expect(refused.filter((r) => r.user === 'viola')).toHaveLength(actions.length);
    expect(refused.filter((r) => r.user === 'ada')).toHaveLength(0);

    const audit = await call('viola', 'GET', `/api/waves/${WAVE}/audit`);
    expect(audit.status).toBe(200);
    const entries = audit.body.entries as {
      action: string;
      by?: string;
      outcome?: string;
      reason?: string;
      details: Record<string, unknown>;
    }[];
    const names: Record<string, string> = {
      viola: 'Viola Viewer',
      oscar: 'Oscar Operator',
      april: 'April Approver',
      leo: 'Leo Lead',
      ada: 'Ada Admin',
    };
    for (const { user, action } of refused.filter((r) => !r.action.includes('database')))
      expect(
        entries.some(
          (e) =>
            e.outcome === 'refused' &&
            e.action === action &&
            e.by === names[user] &&
            e.details.refusedBy === 'server',
        ),
        `${user} ${action} in the audit`,
      ).toBe(true);
    // The approval of a wave that does not wait for one is the workflow's refusal, recorded too.
    expect(
      entries.some(
        (e) => e.outcome === 'refused' && e.action === 'approve' && e.details.refusedBy === 'workflow',
      ),
    ).toBe(true);
    // Accepted actions are there as well, with the caller's reason.
    expect(entries.some((e) => e.action === 'setBatchConcurrency' && e.reason === 'two at a time')).toBe(
      true,
    );
  });

  it('reads a batch and refuses bad input with 400', async () => {
    const batch = await call('viola', 'GET', `/api/batches/${BATCH}`);
    expect([200, 404]).toContain(batch.status);
    const bad = await call('oscar', 'POST', `/api/waves/${WAVE}/concurrency`, {
      reason: '',
      maxConcurrentBatches: 0,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('bad-request');
  });

  it('acts on a wave that checks stamps, which refuses the same update sent straight to Temporal', async () => {
    await startDemoWave(
      harness.client,
      SIGNED_WAVE,
      { ...demoBatchSettings, azureTaskQueue: harness.azureTaskQueue },
      harness.taskQueue,
      { trustedStampKeys: trustedKeys, startedBy: testIdentities.admin },
    );
    const batchId = `${SIGNED_WAVE}-batch-01`;
    const batch = harness.client.workflow.getHandle(batchWorkflowId(batchId));
    await waitFor('the signed wave to start its first batch', async () =>
      (await batch.query(batchProgressQuery).catch(() => undefined)) === undefined ? undefined : true,
    );
    const direct = { by: 'Oscar Operator', reason: 'straight to Temporal' };
    const refused: unknown = await batch
      .executeUpdate(pauseUpdate, { args: [direct] })
      .catch((e: unknown) => e);
    expect((refused as { cause?: Error }).cause?.message).toMatch(/carries no signed stamp/);
    const paused = await call('oscar', 'POST', `/api/waves/${SIGNED_WAVE}/pause`, {
      batchId,
      reason: 'through the server',
    });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect((await batch.query(batchProgressQuery)).paused).toBe(true);
    const resumed = await call('oscar', 'POST', `/api/waves/${SIGNED_WAVE}/resume`, {
      batchId,
      reason: 'through the server',
    });
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    expect((await batch.query(batchProgressQuery)).paused).toBe(false);
  });
});
