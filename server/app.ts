/**
 * The factory server's HTTP API: every read the CLI does and every operator action, behind a verified
 * OpenID Connect access token and the factory's roles. Requests and responses are zod schemas; the
 * OpenAPI document generated from them is served at /api/openapi.json.
 */
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { VerifiedIdentity } from '../contracts/operator-stamp.ts';
import { connectTemporal, type Temporal } from '../cli/operate/connection.ts';
import { refusalMessage } from '../cli/operate/exit-codes.ts';
import { preflightCheckNames } from '../domain/preflight/checks.ts';
import type { ServerConfig } from './config.ts';
import { AuthenticationError, createTokenVerifier, type TokenVerifier } from './identity.ts';
import { addMetricsRoute, ProgressMetrics } from './metrics.ts';
import { registerDashboard } from './dashboard/routes.ts';
import { createOperations, statusOf } from './operations.ts';
import { codecEndpoint } from './codec-endpoint.ts';
import { defaultCodecEndpoint } from './config.ts';
import { actionNames, mayAct, mayRead, readerRoles, rolesFor, type ActionName } from './roles.ts';

/** What `factory login` asks for when the server names no scope: an ID token, a name and a refresh token. */
export const DEFAULT_CLI_SCOPE = 'openid profile offline_access';
/** Routes anyone may call: the OpenAPI document, and how to sign in. */
const publicRoutes = new Set(['/api/openapi.json', '/api/auth-config']);

export interface ServerDependencies {
  /** A connected Temporal client; without one the server connects from the environment and closes it. */
  temporal?: Temporal;
  verifyToken?: TokenVerifier;
  logger?: boolean | FastifyBaseLogger;
}

const id = z.string().trim().min(1).max(200);
const text = (max: number) => z.string().trim().min(1).max(max);
const vmNames = z.array(text(200)).min(1).max(1000);

const errorBody = z.object({
  error: z.string(),
  reason: z.string(),
  roleNeeded: z.array(z.string()).optional(),
});
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

const intent = z.object({
  reason: text(1000).describe('Why: recorded in the audit trail'),
  ticket: text(100).optional().describe('Change ticket id'),
});
const actionResult = z.object({
  message: z.string(),
  workflowId: z.string().optional(),
  results: z.array(z.object({ batchId: z.string(), accepted: z.boolean(), message: z.string() })).optional(),
});
const batchTarget = z.object({ batchId: id });

const waveListEntry = z.object({
  waveId: z.string(),
  workflowId: z.string(),
  status: z.string(),
  phase: z.string().optional(),
  startTime: z.string().optional(),
  closeTime: z.string().optional(),
  plannedVms: z.number().optional(),
  url: z.string(),
});
const auditEntry = z.object({
  at: z.string(),
  workflowId: z.string(),
  runId: z.string().describe('Empty for refusals'),
  identity: z.string().optional().describe('Temporal client identity that sent it'),
  action: z.string(),
  by: z.string().optional(),
  reason: z.string().optional(),
  ticket: z.string().optional(),
  details: z.record(z.string(), z.unknown()),
  outcome: z.enum(['completed', 'failed', 'in-progress', 'refused']).optional(),
  result: z.string().optional(),
});
const waveSnapshot = z.looseObject({
  waveId: z.string(),
  workflowId: z.string(),
  status: z.string(),
  phase: z.string(),
  vmCount: z.number(),
  batches: z.array(z.looseObject({ batchId: z.string(), phase: z.string() })),
  decisions: z.array(z.looseObject({ kind: z.string(), subject: z.string(), detail: z.string() })),
  takenAt: z.string(),
});
const batchStatus = z.looseObject({
  batchId: z.string(),
  phase: z.string(),
  paused: z.boolean(),
  vms: z.array(z.looseObject({ name: z.string(), disposition: z.string(), state: z.string() })),
  workflowId: z.string(),
  status: z.string(),
  url: z.string(),
});
const databaseStatus = z.looseObject({
  databaseId: z.string(),
  name: z.string(),
  engine: z.string(),
  phase: z.string(),
  cutoverCompleted: z.boolean(),
  workflowId: z.string(),
  status: z.string(),
  url: z.string(),
});

type Reply = FastifyReply;

/**
 * The CLI's view types are interfaces (no index signature); their response schemas are loose objects that
 * name the fields clients rely on and pass the rest through. The serializer still validates the named ones.
 */
const loose = <S extends z.ZodType>(_schema: S, value: Promise<object>) => value as Promise<z.output<S>>;

export async function buildServer(
  config: ServerConfig,
  deps: ServerDependencies = {},
): Promise<FastifyInstance> {
  const ownTemporal = deps.temporal === undefined;
  const temporal = deps.temporal ?? (await connectTemporal({}));
  const verifyToken = deps.verifyToken ?? createTokenVerifier(config);
  const ops = createOperations(temporal, config);
  const identities = new WeakMap<FastifyRequest, VerifiedIdentity>();

  // A logger instance (the factory's pino logger, server/main.ts) or Fastify's own on/off.
  const app = Fastify(
    typeof deps.logger === 'object' ? { loggerInstance: deps.logger } : { logger: deps.logger ?? false },
  ).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  if (ownTemporal) app.addHook('onClose', () => temporal.close());

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Migration Factory',
        description:
          'The factory server: reads and operator actions on waves, batches and databases. Every request needs an OpenID Connect access token; actions need a role (docs/server.md).',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.setErrorHandler((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error))
      return reply.code(400).send({ error: 'bad-request', reason: error.message });
    const status = statusOf(error);
    if (status !== undefined)
      return reply.code(status).send({
        error: status === 404 ? 'not-found' : 'bad-request',
        reason: error instanceof Error ? error.message : String(error),
      });
    request.log.error(error);
    return reply.code(500).send({ error: 'internal', reason: 'the factory server failed; see its log' });
  });

  // Every API route but the OpenAPI document needs a valid token and a role.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') || publicRoutes.has(request.url.split('?')[0] ?? '')) return;
    let identity: VerifiedIdentity;
    try {
      identity = await verifyToken(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'unauthorized', reason: error.message });
    }
    if (!mayRead(identity.roles)) {
      const reason = `${identity.name} has no factory role: their groups map to none of ${readerRoles.join(', ')}`;
      return reply.code(403).send({ error: 'forbidden', reason, roleNeeded: readerRoles });
    }
    identities.set(request, identity);
  });

  interface Target {
    action: ActionName;
    waveId?: string;
    batchId?: string;
    databaseId?: string;
    workflowId?: string;
    statedReason?: string;
  }

  /** Checks the caller's role, runs the action, and records any refusal (the server's or the workflow's). */
  async function act<T>(
    request: FastifyRequest,
    reply: Reply,
    target: Target,
    run: (identity: VerifiedIdentity) => Promise<T>,
  ) {
    const identity = identities.get(request)!;
    const refusal = (refusedBy: 'server' | 'workflow', reason: string, roleNeeded?: string[]) =>
      ops.recordRefusal({
        at: new Date().toISOString(),
        by: identity.name,
        subject: identity.subject,
        roles: identity.roles,
        action: target.action,
        ...(target.waveId ? { waveId: target.waveId } : {}),
        ...(target.batchId ? { batchId: target.batchId } : {}),
        ...(target.databaseId ? { databaseId: target.databaseId } : {}),
        ...(target.workflowId ? { workflowId: target.workflowId } : {}),
        ...(target.statedReason ? { statedReason: target.statedReason } : {}),
        refusedBy,
        reason,
        ...(roleNeeded ? { roleNeeded } : {}),
      });
    if (!mayAct(target.action, identity.roles)) {
      const roleNeeded = rolesFor(target.action);
      const reason = `${target.action} needs the role ${roleNeeded.join(' or ')}; ${identity.name} has ${identity.roles.join(', ')}`;
      await refusal('server', reason, roleNeeded);
      return reply.code(403).send({ error: 'forbidden', reason, roleNeeded });
    }
    try {
      return reply.code(200).send(await run(identity));
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      const workflowRefusal = refusalMessage(error);
      const reason = workflowRefusal ?? (error instanceof Error ? error.message : String(error));
      await refusal(workflowRefusal === undefined ? 'server' : 'workflow', reason);
      return reply.code(409).send({ error: 'refused', reason });
    }
  }

  // The Web UI's remote codec endpoint, with the codec of the server's own Temporal client.
  await app.register(codecEndpoint, {
    prefix: '/codec',
    codecs: temporal.client.options.loadedDataConverter.payloadCodecs,
    verifyToken,
    ...(config.codec ?? defaultCodecEndpoint),
  });

  const waveParams = z.object({ waveId: id });
  const tags = { waves: ['waves'], batches: ['batches'], databases: ['databases'], actions: ['actions'] };

  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  addMetricsRoute(
    app,
    new ProgressMetrics(temporal.client, {
      taskQueue: config.audit.taskQueue,
      refreshSeconds: config.metricsRefreshSeconds ?? 30,
      onError: (error, what) => app.log.warn({ err: error }, `metrics: cannot read ${what}`),
    }),
    verifyToken,
  );

  app.get(
    '/api/auth-config',
    {
      schema: {
        tags: ['identity'],
        summary: 'How to sign in: the OpenID Connect issuer, audience and CLI client (no token needed)',
        security: [],
        response: {
          200: z.object({
            issuer: z.string(),
            audience: z.string(),
            clientId: z.string().optional().describe('Public client of `factory login`, when configured'),
            scope: z.string(),
          }),
        },
      },
    },
    () => ({
      issuer: config.oidc.issuer,
      audience: config.oidc.audience,
      ...(config.oidc.cliClientId ? { clientId: config.oidc.cliClientId } : {}),
      scope: config.oidc.cliScope ?? DEFAULT_CLI_SCOPE,
    }),
  );
  app.get(
    '/api/me',
    {
      schema: {
        tags: ['identity'],
        summary: "The caller's verified identity, roles and the actions they allow",
        response: {
          200: z.object({
            subject: z.string(),
            name: z.string(),
            roles: z.array(z.string()),
            actions: z.array(z.string()),
          }),
          ...errors,
        },
      },
    },
    (request) => {
      const identity = identities.get(request)!;
      return {
        subject: identity.subject,
        name: identity.name,
        roles: identity.roles,
        actions: actionNames.filter((action) => mayAct(action, identity.roles)),
      };
    },
  );
  app.get(
    '/api/waves',
    {
      schema: {
        tags: tags.waves,
        summary: 'Started and planned waves',
        response: { 200: z.object({ namespace: z.string(), waves: z.array(waveListEntry) }), ...errors },
      },
    },
    () => ops.listWaves(),
  );
  app.get(
    '/api/waves/:waveId',
    {
      schema: {
        tags: tags.waves,
        summary: 'A wave, its batches and the decisions it waits for',
        params: waveParams,
        response: { 200: waveSnapshot, ...errors },
      },
    },
    (request) => loose(waveSnapshot, ops.waveStatus(request.params.waveId)),
  );
  app.get(
    '/api/waves/:waveId/audit',
    {
      schema: {
        tags: tags.waves,
        summary: 'Accepted and refused actions on a wave, oldest first',
        params: waveParams,
        response: {
          200: z.object({ waveId: z.string(), workflowId: z.string(), entries: z.array(auditEntry) }),
          ...errors,
        },
      },
    },
    async (request) =>
      ops.waveAudit(request.params.waveId, await ops.refusals({ waveId: request.params.waveId })),
  );
  app.get(
    '/api/batches/:batchId',
    {
      schema: {
        tags: tags.batches,
        summary: 'A batch and its VMs',
        params: z.object({ batchId: id }),
        response: { 200: batchStatus, ...errors },
      },
    },
    (request) => loose(batchStatus, ops.batchStatus(request.params.batchId)),
  );
  app.get(
    '/api/databases/:databaseId',
    {
      schema: {
        tags: tags.databases,
        summary: 'A database migration',
        params: z.object({ databaseId: id }),
        response: { 200: databaseStatus, ...errors },
      },
    },
    (request) => loose(databaseStatus, ops.databaseStatus(request.params.databaseId)),
  );

  const actionSchema = <B extends z.ZodType>(summary: string, body: B) => ({
    schema: {
      tags: tags.actions,
      summary,
      params: waveParams,
      body,
      response: { 200: actionResult, ...errors },
    },
  });

  app.post(
    '/api/waves/:waveId/start',
    actionSchema(
      "Start a wave of the server's workspace plan (operator)",
      intent.extend({
        profile: z.enum(['azure', 'simulator']).optional(),
        maxConcurrentBatches: z.number().int().min(1).max(100).default(2),
        requireApproval: z.boolean().default(true),
        signOff: z.boolean().default(false),
        cutoverWhenReady: z.boolean().default(false),
      }),
    ),
    (request, reply) =>
      act(
        request,
        reply,
        { action: 'start', waveId: request.params.waveId, statedReason: request.body.reason },
        (identity) => ops.startWave(request.params.waveId, identity, request.body),
      ),
  );
  app.post(
    '/api/waves/:waveId/approve',
    actionSchema(
      'Approve a wave, with waivers (approver)',
      intent.extend({
        waivers: z
          .array(z.object({ server: text(200), reason: text(1000) }))
          .max(1000)
          .optional(),
        preflightWaivers: z
          .array(z.object({ check: z.enum(preflightCheckNames), reason: text(1000) }))
          .max(50)
          .optional(),
        acceptCapacityViolations: z.boolean().optional(),
      }),
    ),
    (request, reply) =>
      act(
        request,
        reply,
        { action: 'approve', waveId: request.params.waveId, statedReason: request.body.reason },
        (identity) => ops.approve(request.params.waveId, identity, request.body),
      ),
  );
  app.post(
    '/api/waves/:waveId/cancel',
    actionSchema('Cancel a wave: its batches roll back what is not committed (lead)', intent),
    (request, reply) =>
      act(
        request,
        reply,
        { action: 'cancel', waveId: request.params.waveId, statedReason: request.body.reason },
        (identity) => ops.cancelWave(request.params.waveId, identity, request.body),
      ),
  );
  app.post(
    '/api/waves/:waveId/concurrency',
    actionSchema(
      'Set how many batches run at once (operator)',
      intent.extend({ maxConcurrentBatches: z.number().int().min(1).max(100) }),
    ),
    (request, reply) =>
      act(
        request,
        reply,
        { action: 'concurrency', waveId: request.params.waveId, statedReason: request.body.reason },
        (identity) => ops.concurrency(request.params.waveId, identity, request.body),
      ),
  );
  for (const kind of ['pause', 'resume'] as const)
    app.post(
      `/api/waves/:waveId/${kind}`,
      actionSchema(
        `${kind === 'pause' ? 'Pause' : 'Resume'} one batch, or every running batch of the wave (operator)`,
        intent.extend({ batchId: id.optional() }),
      ),
      (request, reply) =>
        act(
          request,
          reply,
          {
            action: kind,
            waveId: request.params.waveId,
            ...(request.body.batchId ? { batchId: request.body.batchId } : {}),
            statedReason: request.body.reason,
          },
          (identity) => ops.pauseResume(kind, request.params.waveId, identity, request.body),
        ),
    );
  const batchAction = <B extends z.ZodObject>(
    path: string,
    action: (body: z.output<B>) => ActionName,
    summary: string,
    body: B,
    run: (
      waveId: string,
      identity: VerifiedIdentity,
      body: z.output<B> & { batchId: string; reason: string },
    ) => Promise<unknown>,
  ) =>
    app.post(`/api/waves/:waveId/${path}`, actionSchema(summary, body), (request, reply) => {
      const payload = request.body as z.output<B> & { batchId: string; reason: string; ticket?: string };
      return act(
        request,
        reply,
        {
          action: action(request.body as z.output<B>),
          waveId: request.params.waveId,
          batchId: payload.batchId,
          statedReason: payload.reason,
        },
        (identity) => run(request.params.waveId, identity, payload),
      );
    });
  const onBatch = intent.extend(batchTarget.shape);
  batchAction(
    'retry',
    () => 'retry',
    'Retry a held batch or named parked VMs (operator)',
    onBatch.extend({ vmNames: vmNames.optional() }),
    (w, i, b) => ops.retry(w, i, b),
  );
  batchAction(
    'skip',
    () => 'skip',
    'Defer VMs to a later wave (operator)',
    onBatch.extend({ vmNames }),
    (w, i, b) => ops.skip(w, i, b),
  );
  batchAction(
    'rollback',
    () => 'rollback',
    'Roll a batch back to a clean state (lead)',
    onBatch,
    (w, i, b) => ops.rollback(w, i, b),
  );
  batchAction(
    'cutover',
    (b) => (b.force ? 'force-cutover' : 'cutover'),
    'Open the cutover window now (operator); outside the planned window with force (lead)',
    onBatch.extend({ force: z.boolean().optional() }),
    (w, i, b) => ops.cutover(w, i, b),
  );
  batchAction(
    'postpone',
    () => 'postpone',
    'Move the cutover to a later time, within two years (operator)',
    onBatch.extend({ until: text(40).describe('ISO date-time') }),
    (w, i, b) => ops.postpone(w, i, b),
  );
  batchAction(
    'sign-off',
    () => 'sign-off',
    'Sign off (or reject) the test failover validation (approver)',
    onBatch.extend({ approved: z.boolean() }),
    (w, i, b) => ops.signOff(w, i, b),
  );

  const databaseParams = z.object({ databaseId: id });
  const databaseAction = (kind: 'cutover' | 'retry' | 'rollback', summary: string) =>
    app.post(
      `/api/databases/:databaseId/${kind}`,
      {
        schema: {
          tags: tags.actions,
          summary,
          params: databaseParams,
          body: intent.extend({ force: z.boolean().optional() }),
          response: { 200: actionResult, ...errors },
        },
      },
      (request, reply) =>
        act(
          request,
          reply,
          {
            action:
              kind === 'cutover'
                ? request.body.force
                  ? 'force-database-cutover'
                  : 'database-cutover'
                : kind === 'retry'
                  ? 'database-retry'
                  : 'database-rollback',
            databaseId: request.params.databaseId,
            statedReason: request.body.reason,
          },
          (identity) => ops.databaseAction(kind, request.params.databaseId, identity, request.body),
        ),
    );
  databaseAction('cutover', 'Cut a ready database over now (operator in its window; lead with force)');
  databaseAction('retry', 'Retry a database held after a failure (operator)');
  databaseAction('rollback', 'Roll a database migration back (lead)');

  await registerDashboard(app, { config, temporal, verifyToken });

  await app.ready();
  return app;
}
