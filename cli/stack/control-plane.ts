/**
 * The embedded stack's control plane: the local OpenID Connect issuer and the factory server (the API
 * people act through), configured through the server's own `loadServerConfig`, so the stack exercises the
 * same code path as a deployed server. The server signs with an Ed25519 stamp key of this stack; with a
 * key directory the key is kept there, so waves started before a restart (which trust its public key)
 * still accept the restarted server's actions.
 */
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateStampKeyPair, publicKeyOf } from '../../contracts/operator-stamp.ts';
import { buildServer } from '../../server/app.ts';
import { loadServerConfig, type ServerConfig } from '../../server/config.ts';
import type { Temporal } from '../operate/connection.ts';
import { localRoleGroups, seededUsers, startOidcIssuer, type RunningOidcIssuer } from './oidc-issuer.ts';

/** The local users' password: the stack is for one machine, and prints it (docs/stack.md). */
export const LOCAL_PASSWORD = 'factory';

export interface ControlPlaneOptions {
  /** A connected client of the stack's Temporal; the caller closes it. */
  temporal: Temporal;
  serverPort: number;
  issuerPort: number;
  /**
   * What wave start reads (settings profile, artifact store, notification channels): the workers'
   * environment, so the server starts waves the stack's workers can run.
   */
  env: Record<string, string>;
  /** The workspace whose plan `POST /api/waves/{id}/start` starts waves from. */
  workspace?: string;
  /** Where the stamp key is kept across restarts; absent: a new key for this run only. */
  keyDir?: string;
}

export interface RunningControlPlane {
  issuer: RunningOidcIssuer;
  server: FastifyInstance;
  /** The server's base URL (API under /api, OpenAPI at /api/openapi.json, the dashboard). */
  url: string;
  config: ServerConfig;
  password: string;
  close(): Promise<void>;
}

interface StoredStampKey {
  keyId: string;
  /** base64url Ed25519 private key: a secret, in a file only its owner may read. */
  privateKey: string;
}

/** This stack's stamp key: read from `keyDir` when it holds one, else made (and kept there when given). */
export function stackStampKey(keyDir: string | undefined): StoredStampKey {
  const file = keyDir ? join(keyDir, 'stamp-key.json') : undefined;
  if (file && existsSync(file)) {
    let stored: Partial<StoredStampKey>;
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredStampKey>;
      if (typeof stored.keyId !== 'string' || typeof stored.privateKey !== 'string') throw new Error();
      publicKeyOf(stored.privateKey);
    } catch {
      // Never echo the content: it is a private key.
      throw new Error(
        `${file}: not a stamp key ({"keyId", "privateKey"}); delete it to make a new one (waves started with the old key will then refuse the server's actions)`,
      );
    }
    return { keyId: stored.keyId, privateKey: stored.privateKey };
  }
  const keyId = `stack-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
  const key = { keyId, ...generateStampKeyPair() };
  const stored: StoredStampKey = { keyId: key.keyId, privateKey: key.privateKey };
  if (keyDir && file) {
    mkdirSync(keyDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return stored;
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<RunningControlPlane> {
  const password = LOCAL_PASSWORD;
  const callback = `http://127.0.0.1:${options.serverPort}/auth/callback`;
  const issuer = await startOidcIssuer({
    port: options.issuerPort,
    users: seededUsers(password),
    redirectUris: [callback],
  });
  try {
    const key = stackStampKey(options.keyDir);
    const config = loadServerConfig({
      ...options.env,
      FACTORY_SERVER_HOST: '127.0.0.1',
      FACTORY_SERVER_PORT: String(options.serverPort),
      FACTORY_OIDC_ISSUER: issuer.issuer,
      FACTORY_OIDC_AUDIENCE: issuer.audience,
      // What `factory login` asks the server for (/api/auth-config): the issuer's public client and its API scope.
      FACTORY_OIDC_CLIENT_ID: issuer.clientId,
      FACTORY_OIDC_SCOPE: 'openid profile groups api offline_access',
      FACTORY_ROLE_GROUPS: localRoleGroups,
      // The dashboard signs browsers in with the same public client (authorization code + PKCE).
      FACTORY_DASHBOARD_CLIENT_ID: issuer.clientId,
      FACTORY_DASHBOARD_REDIRECT_URL: callback,
      FACTORY_DASHBOARD_SCOPE: 'openid profile groups api',
      FACTORY_DASHBOARD_RESOURCE: issuer.audience,
      FACTORY_STAMP_KEY_ID: key.keyId,
      FACTORY_STAMP_PRIVATE_KEY: key.privateKey,
      ...(options.workspace ? { FACTORY_WORKSPACE: options.workspace } : {}),
    });
    const server = await buildServer(config, { temporal: options.temporal });
    try {
      const url = await server.listen({ host: config.host, port: config.port });
      return {
        issuer,
        server,
        url,
        config,
        password,
        close: async () => {
          await server.close();
          await issuer.close();
        },
      };
    } catch (error) {
      await server.close();
      throw error;
    }
  } catch (error) {
    await issuer.close();
    throw error;
  }
}
