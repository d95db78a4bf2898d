/**
 * A small local HTTPS stand-in for Azure Key Vault's secret reads, for testing the codec's Key Vault key source
 * through the real `@azure/keyvault-secrets` client: the challenge (401 with WWW-Authenticate, as Key Vault
 * answers a request without a token) and `GET /secrets/{name}/{version}` (REST API 2025-07-01).
 * https://learn.microsoft.com/rest/api/keyvault/secrets/get-secret/get-secret
 * Until the Azure simulator serves Key Vault (simulators/), tests use this.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createMutualTlsMaterial } from '../simulators/certificates.ts';

export interface KeyVaultDouble {
  vaultUrl: string;
  caCertPem: string;
  /** Method, path and whether a bearer token came with it, per request. */
  requests: { method: string; path: string; authorized: boolean }[];
  setSecret(name: string, value: string): void;
  close(): Promise<void>;
}

export async function startKeyVaultDouble(): Promise<KeyVaultDouble> {
  const tls = createMutualTlsMaterial({
    caName: 'Key Vault Test Double CA',
    serverNames: ['localhost'],
    clientName: 'unused',
  });
  const secrets = new Map<string, { value: string; version: string }>();
  const requests: KeyVaultDouble['requests'] = [];
  const server = createServer({ cert: tls.server.certPem, key: tls.server.keyPem }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://localhost');
    const authorized = /^Bearer \S+/.test(request.headers.authorization ?? '');
    requests.push({ method: request.method ?? '', path: url.pathname, authorized });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (!authorized)
      return send(
        401,
        { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
        {
          'www-authenticate':
            'Bearer authorization="https://login.microsoftonline.com/local-tenant", resource="https://vault.azure.net"',
        },
      );
    const match = /^\/secrets\/([0-9A-Za-z-]+)\/?([0-9a-f]*)$/.exec(url.pathname);
    if (request.method !== 'GET' || !match)
      return send(400, { error: { code: 'BadParameter', message: 'not a secret read' } });
    const secret = secrets.get(match[1]!);
    if (!secret || (match[2] && match[2] !== secret.version))
      return send(404, {
        error: {
          code: 'SecretNotFound',
          message: `A secret with (name/id) ${match[1]} was not found in this key vault.`,
        },
      });
    return send(200, {
      value: secret.value,
      id: `${vaultUrl}secrets/${match[1]}/${secret.version}`,
      attributes: { enabled: true, created: 1764979200, updated: 1764979200, recoveryLevel: 'Recoverable' },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const vaultUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    vaultUrl,
    caCertPem: tls.caCertPem,
    requests,
    setSecret(name, value) {
      secrets.set(name, { value, version: randomUUID().replace(/-/g, '') });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
