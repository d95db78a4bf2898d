/**
 * The HTTPS front door: admin API, vSphere API, Key Vault secrets and ARM on one port. ARM requests go through
 * authentication, throttling, routing, api-version checks and the audit, in that order.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdmin } from './admin.ts';
import {
  ArmError,
  ArmRouter,
  checkApiVersion,
  type ArmResponse,
  type AuditOutcome,
  type HttpMethod,
} from './arm.ts';
import { isMutating } from './audit.ts';
import { authenticate } from './auth.ts';
import type { TlsMaterial } from './certificates.ts';
import { iso } from './clock.ts';
import { computeRoutes } from './compute.ts';
import { dataMigrationRoutes } from './data-migration/routes.ts';
import { handleKeyVault } from './key-vault.ts';
import { landingZoneRoutes } from './landing-zone/routes.ts';
import { operationStatusRoutes } from './lro.ts';
import type { Simulation } from './simulation.ts';
import { withSiteRecoveryErrors } from './site-recovery/errors.ts';
import { fabricRoutes } from './site-recovery/fabrics.ts';
import { jobRoutes } from './site-recovery/job-routes.ts';
import { protectedItemRoutes } from './site-recovery/protected-items.ts';
import { recoveryPlanRoutes } from './site-recovery/recovery-plans.ts';
import { SourcePlatform, type PlainResponse } from './source-platform.ts';
import { requestKind, type Throttle } from './throttling.ts';
import { simulatorLog } from './log.ts';

const maxBodyBytes = 16 * 1024 * 1024;
const methods: readonly HttpMethod[] = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'];

export function createSimulatorServer(sim: Simulation, throttle: Throttle, tls: TlsMaterial): Server {
  const router = new ArmRouter().add(
    ...withSiteRecoveryErrors([
      ...fabricRoutes(sim),
      ...protectedItemRoutes(sim),
      ...recoveryPlanRoutes(sim),
      ...jobRoutes(sim),
      ...operationStatusRoutes(sim),
    ]),
    ...computeRoutes(sim),
    ...dataMigrationRoutes(sim),
    ...landingZoneRoutes(sim),
  );
  const sourcePlatform = new SourcePlatform(sim);
  const server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      simulatorLog.error({ err: error, method: request.method }, 'simulator request failed');
      if (!response.headersSent) {
        send(response, 500, {
          error: { code: 'InternalServerError', message: 'The simulator failed to handle the request.' },
        });
      } else {
        response.destroy();
      }
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', sim.endpoint || 'https://127.0.0.1');
    const method = (request.method ?? 'GET').toUpperCase();
    const text = await readBody(request);
    const isAdmin = url.pathname === '/health' || url.pathname.startsWith('/admin/');
    if (!isAdmin && !url.pathname.startsWith('/api/')) {
      const latency = sim.faults.latencyMs();
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    }
    sim.advance();

    if (isAdmin || url.pathname.startsWith('/api/')) {
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        send(response, 400, {
          error: { code: 'InvalidJson', message: 'The request body is not valid JSON.' },
        });
        return;
      }
      if (isAdmin && !isLoopback(request.socket.remoteAddress)) {
        send(response, 403, {
          error: { code: 'Forbidden', message: 'The admin API only answers loopback clients.' },
        });
        return;
      }
      const result: PlainResponse | undefined = isAdmin
        ? handleAdmin(sim, throttle, method, url, body)
        : sourcePlatform.handle(method, url, request.headers);
      if (result) {
        send(response, result.status, result.body, result.headers);
        return;
      }
    }
    const keyVault = handleKeyVault(sim, method, url, request.headers, text);
    if (keyVault) {
      send(response, keyVault.status, keyVault.body, keyVault.headers);
      return;
    }
    if (!methods.includes(method as HttpMethod)) {
      send(response, 405, { error: { code: 'MethodNotAllowed', message: `${method} is not supported.` } });
      return;
    }
    handleArm(request, response, method as HttpMethod, url, text);
  }

  function handleArm(
    request: IncomingMessage,
    response: ServerResponse,
    method: HttpMethod,
    url: URL,
    text: string,
  ): void {
    const headers: Record<string, string> = {
      'x-ms-request-id': randomUUID(),
      'x-ms-correlation-request-id': headerValue(request, 'x-ms-correlation-request-id') ?? randomUUID(),
    };
    const clientRequestId = headerValue(request, 'x-ms-client-request-id');
    if (clientRequestId) headers['x-ms-client-request-id'] = clientRequestId;
    const match = router.match(url.pathname);
    const operation = match?.route.methods[method];
    let principal = 'anonymous';

    const finish = (result: ArmResponse, outcome: AuditOutcome, errorCode?: string) => {
      sim.armRequests[requestKind(method)] += 1;
      if (/\/providers\/Microsoft\.RecoveryServices\//i.test(url.pathname))
        sim.armRequests.siteRecovery[requestKind(method)] += 1;
      if (result.status === 429) sim.armRequests.throttled += 1;
      if (outcome === 'faulted') sim.armRequests.faulted += 1;
      const operationId = operation?.operation ?? 'Unknown';
      sim.armRequests.byOperation[operationId] = (sim.armRequests.byOperation[operationId] ?? 0) + 1;
      if (isMutating(method)) {
        sim.audit.append({
          time: iso(sim.now()),
          principal,
          method,
          path: url.pathname,
          operation: operation?.operation ?? 'Unknown',
          resourceId: result.resourceId ?? url.pathname,
          status: result.status,
          outcome,
          ...(errorCode === undefined ? {} : { errorCode }),
        });
      }
      send(response, result.status, result.body, { ...headers, ...result.headers });
    };
    const fail = (error: ArmError, outcome: AuditOutcome = 'rejected') =>
      finish({ status: error.status, body: error.toBody(), headers: error.headers }, outcome, error.code);

    try {
      const caller = authenticate(headerValue(request, 'authorization'));
      principal = caller.principal;
      const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(url.pathname)?.[1] ?? '';
      const kind = requestKind(method);
      const decision = throttle.take(subscriptionId, principal, kind);
      if (throttle.enabled)
        headers[`x-ms-ratelimit-remaining-subscription-${kind}`] = String(decision.remaining);
      const injected = sim.faults.requestFault(Date.now());
      if (injected?.kind === 'storm') {
        fail(
          new ArmError(
            429,
            'TooManyRequests',
            `Number of requests for subscription '${subscriptionId}' actor '${principal}' exceeded. Please try again after '${injected.retryAfterSeconds}' seconds.`,
            { 'Retry-After': String(injected.retryAfterSeconds) },
          ),
          'throttled',
        );
        return;
      }
      if (injected?.kind === 'transient') {
        fail(
          injected.status === 503
            ? new ArmError(
                503,
                'ServiceUnavailable',
                'The service is temporarily unavailable. Please retry the request.',
              )
            : new ArmError(
                500,
                'InternalServerError',
                'An internal server error occurred. Please retry the request.',
              ),
          'faulted',
        );
        return;
      }
      if (!decision.allowed) {
        fail(
          new ArmError(
            429,
            'TooManyRequests',
            `Number of '${kind}' requests for subscription '${subscriptionId}' actor '${principal}' exceeded. Please try again after '${decision.retryAfterSeconds}' seconds after the additional tokens are filled.`,
            { 'Retry-After': String(decision.retryAfterSeconds) },
          ),
          'throttled',
        );
        return;
      }
      if (!match) {
        throw new ArmError(
          404,
          'NotFound',
          `The resource path '${url.pathname}' is not served by the simulator.`,
        );
      }
      if (!operation) {
        const allowed = Object.keys(match.route.methods).join(', ');
        throw new ArmError(
          405,
          'MethodNotAllowed',
          `The HTTP method '${method}' is not supported for this resource. Supported: ${allowed}.`,
          { Allow: allowed },
        );
      }
      checkApiVersion(url.searchParams, operation.apiVersions);
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw new ArmError(400, 'InvalidRequestContent', 'The request content is not valid JSON.');
      }
      const result = operation.handle({
        method,
        url,
        params: match.params,
        query: url.searchParams,
        body,
        principal,
        tenantId: caller.tenantId,
      });
      finish(result, result.outcome ?? defaultOutcome(method, result.status));
    } catch (error) {
      if (error instanceof ArmError) {
        fail(error, error.status === 401 ? 'unauthorized' : 'rejected');
        return;
      }
      throw error;
    }
  }

  return server;
}

function defaultOutcome(method: HttpMethod, status: number): AuditOutcome {
  if (status === 202) return 'accepted';
  if (method === 'DELETE') return 'deleted';
  return status === 201 ? 'created' : 'updated';
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw new Error(`request body larger than ${maxBodyBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    ...(payload === '' ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    'Content-Length': Buffer.byteLength(payload),
  });
  response.end(payload);
}
