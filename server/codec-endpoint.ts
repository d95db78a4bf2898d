/**
 * The Temporal Web UI's "Remote Codec Endpoint" on the factory server: `POST /codec/decode` and
 * `/codec/encode` take and answer `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }` (the codec
 * server protocol the Web UI and the `temporal` CLI speak), through the same codec the server's Temporal client
 * uses. The UI calls it from the browser: CORS for the configured UI origins, and the user's OIDC access token
 * (the UI's "pass access token" option) verified like every API call; only the configured roles may use it.
 * https://docs.temporal.io/production-deployment/data-encryption#codec-server-setup
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Role } from '../contracts/operator-stamp.ts';
import { PayloadDecryptionError } from '../workers/payload-codec.ts';
import { AuthenticationError, type TokenVerifier } from './identity.ts';

export interface CodecEndpointOptions {
  /** The codecs of the server's Temporal client, in the data converter's order. */
  codecs: PayloadCodec[];
  verifyToken: TokenVerifier;
  /** Roles that may decode and encode (FACTORY_CODEC_ROLES). */
  roles: readonly Role[];
  /** Browser origins allowed to call it: the Temporal Web UI's (FACTORY_CODEC_CORS_ORIGINS). */
  corsOrigins: readonly string[];
}

const base64 = z.base64().max(8 * 1024 * 1024);
const wirePayload = z.object({
  metadata: z.record(z.string().max(200), base64).default({}),
  data: base64.optional(),
});
const wirePayloads = z.object({ payloads: z.array(wirePayload).max(10_000) });
type WirePayload = z.output<typeof wirePayload>;
const errorBody = z.object({
  error: z.string(),
  reason: z.string(),
  roleNeeded: z.array(z.string()).optional(),
});

const fromWire = (payload: WirePayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(payload.data ?? '', 'base64'),
});
const toWire = (payload: Payload): WirePayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value).toString('base64'),
    ]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

/** Registers the codec routes (prefix `/codec`) with their own CORS and authentication. */
export async function codecEndpoint(parent: FastifyInstance, options: CodecEndpointOptions): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const allowed = new Set(options.corsOrigins);

  const cors = (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return;
    reply
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-credentials', 'true')
      .header('vary', 'Origin');
  };

  app.addHook('onRequest', async (request, reply) => {
    cors(request, reply);
    if (request.method === 'OPTIONS') return;
    let identity;
    try {
      identity = await options.verifyToken(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'unauthorized', reason: error.message });
    }
    if (!options.roles.some((role) => identity.roles.includes(role))) {
      const reason = `${identity.name} may not see decrypted payloads: the codec endpoint needs the role ${options.roles.join(' or ')}`;
      request.log.warn(
        { by: identity.name, roles: identity.roles, url: request.url },
        'codec endpoint refused',
      );
      return reply.code(403).send({ error: 'forbidden', reason, roleNeeded: [...options.roles] });
    }
    // Who decrypted what, without any payload: the server's log is the record of who looked.
    request.log.info(
      { by: identity.name, namespace: request.headers['x-namespace'], url: request.url },
      'codec endpoint',
    );
  });

  // The Web UI's preflight: the browser sends the token and the namespace header on a JSON POST.
  app.options('/*', { schema: { hide: true } }, (request, reply) => {
    if (!allowed.has(request.headers.origin ?? ''))
      return reply
        .code(403)
        .send({ error: 'forbidden', reason: 'origin not allowed (FACTORY_CODEC_CORS_ORIGINS)' });
    return reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
      .header('access-control-max-age', '600')
      .send();
  });

  const route = (kind: 'decode' | 'encode', summary: string) =>
    app.post(
      `/${kind}`,
      {
        bodyLimit: 16 * 1024 * 1024,
        schema: {
          tags: ['codec'],
          summary,
          body: wirePayloads,
          response: { 200: wirePayloads, 400: errorBody, 401: errorBody, 403: errorBody },
        },
      },
      async (request, reply) => {
        let payloads = request.body.payloads.map(fromWire);
        try {
          if (kind === 'decode')
            for (const codec of [...options.codecs].reverse()) payloads = await codec.decode(payloads);
          else for (const codec of options.codecs) payloads = await codec.encode(payloads);
        } catch (error) {
          if (!(error instanceof PayloadDecryptionError)) throw error;
          return reply.code(400).send({ error: 'bad-request', reason: error.message });
        }
        return { payloads: payloads.map(toWire) };
      },
    );
  route('decode', 'Decrypt payloads for the Temporal Web UI (roles from FACTORY_CODEC_ROLES)');
  route('encode', 'Encrypt payloads for the Temporal Web UI (roles from FACTORY_CODEC_ROLES)');
  return Promise.resolve();
}
