/**
 * The Key Vault secrets data plane, as `@azure/keyvault-secrets` 4.11 calls it: GET and PUT
 * `/secrets/{name}[/{version}]` at the simulator's root (the SDK parses a secret id as
 * `<vault-url>/secrets/<name>/<version>`, so the vault cannot live under a path prefix). One vault per
 * simulator: its URL is the simulator's endpoint.
 *
 * Authentication follows Key Vault's challenge protocol: a request without a token answers 401 with
 * `WWW-Authenticate: Bearer authorization="…", resource="https://vault.azure.net"`, and the SDK retries with a
 * token for that resource. Shapes from Azure/azure-rest-api-specs, specification/keyvault/data-plane
 * (Microsoft.KeyVault/stable/7.6/secrets.json: SecretBundle, KeyVaultError, SecretSetParameters).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Simulation } from './simulation.ts';
import type { PlainResponse } from './source-platform.ts';

export const keyVaultResource = 'https://vault.azure.net';

export interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  enabled: boolean;
  /** Epoch seconds, as Key Vault's attributes carry them. */
  created: number;
  updated: number;
}

/** Secret name → versions, oldest first. */
export type KeyVaultState = Record<string, SecretVersion[]>;

/** Key Vault's secret names: 1–127 letters, digits and dashes. */
const secretNamePattern = /^[0-9a-zA-Z-]{1,127}$/;
/** api-versions the 4.x SDKs send; the simulator does not model differences between them. */
const apiVersions = new Set(['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01']);

const keyVaultError = (status: number, code: string, message: string, headers?: Record<string, string>) => ({
  status,
  body: { error: { code, message } },
  ...(headers ? { headers } : {}),
});

function vaultState(sim: Simulation): KeyVaultState {
  sim.state.keyVault ??= {};
  return sim.state.keyVault;
}

/** Stores a new version of `name` (what a PUT, or the admin seeding, does). */
export function setSecret(
  sim: Simulation,
  name: string,
  value: string,
  options: { contentType?: string; enabled?: boolean } = {},
): SecretVersion {
  if (!secretNamePattern.test(name))
    throw new Error(`'${name}' is not a Key Vault secret name (1-127 letters, digits and dashes)`);
  const now = Math.floor(sim.now() / 1000);
  const secret: SecretVersion = {
    version: randomBytes(16).toString('hex'),
    value,
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    enabled: options.enabled ?? true,
    created: now,
    updated: now,
  };
  const state = vaultState(sim);
  // Key Vault names are case-insensitive: keep the first spelling's key.
  const key = Object.keys(state).find((existing) => existing.toLowerCase() === name.toLowerCase()) ?? name;
  (state[key] ??= []).push(secret);
  sim.changed();
  return secret;
}

/** The latest version id of `name`, or undefined when the vault has none. */
export function latestSecretVersion(sim: Simulation, name: string): string | undefined {
  return findVersions(sim, name)?.[1].at(-1)?.version;
}

function findVersions(sim: Simulation, name: string): [string, SecretVersion[]] | undefined {
  const entry = Object.entries(vaultState(sim)).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry;
}

function bundle(sim: Simulation, name: string, secret: SecretVersion) {
  return {
    value: secret.value,
    id: `${sim.endpoint}/secrets/${name}/${secret.version}`,
    ...(secret.contentType === undefined ? {} : { contentType: secret.contentType }),
    attributes: {
      enabled: secret.enabled,
      created: secret.created,
      updated: secret.updated,
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
    },
  };
}

/** The audience of an (unsigned, simulator-issued) bearer token, or undefined when there is none. */
function tokenAudience(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      aud?: unknown;
    };
    return typeof claims.aud === 'string' ? claims.aud.replace(/\/$/, '') : undefined;
  } catch {
    return undefined;
  }
}

/** Answers a Key Vault request, or undefined when the path is not the secrets data plane. */
export function handleKeyVault(
  sim: Simulation,
  method: string,
  url: URL,
  headers: IncomingHttpHeaders,
  body: string,
): PlainResponse | undefined {
  const match = /^\/secrets\/([^/]+)(?:\/([^/]*))?\/?$/.exec(url.pathname);
  if (!match?.[1]) return undefined;
  const name = decodeURIComponent(match[1]);
  const version = match[2] ? decodeURIComponent(match[2]) : '';
  const authorization: string | undefined = headers.authorization;
  const audience = tokenAudience(authorization);
  if (audience !== keyVaultResource) {
    return keyVaultError(
      401,
      'Unauthorized',
      authorization
        ? `AKV10022: Invalid audience. Expected ${keyVaultResource}, found: ${audience ?? '(none)'}.`
        : 'AKV10000: Request is missing a Bearer or PoP token.',
      {
        'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/local", resource="${keyVaultResource}"`,
      },
    );
  }
  const apiVersion = url.searchParams.get('api-version');
  if (!apiVersion || !apiVersions.has(apiVersion))
    return keyVaultError(
      400,
      'BadParameter',
      `The api-version '${apiVersion ?? ''}' is not supported; supported: ${[...apiVersions].join(', ')}.`,
    );
  if (method === 'PUT' && version === '') {
    let parameters: { value?: unknown; contentType?: unknown; attributes?: { enabled?: unknown } };
    try {
      parameters = JSON.parse(body) as typeof parameters;
    } catch {
      return keyVaultError(400, 'BadParameter', 'The request body is not valid JSON.');
    }
    if (typeof parameters.value !== 'string')
      return keyVaultError(400, 'BadParameter', "Property 'value' is required and must be a string.");
    if (!secretNamePattern.test(name))
      return keyVaultError(
        400,
        'BadParameter',
        `The secret name '${name}' is invalid: 1-127 letters, digits and dashes.`,
      );
    const secret = setSecret(sim, name, parameters.value, {
      ...(typeof parameters.contentType === 'string' ? { contentType: parameters.contentType } : {}),
      ...(typeof parameters.attributes?.enabled === 'boolean'
        ? { enabled: parameters.attributes.enabled }
        : {}),
    });
    return { status: 200, body: bundle(sim, name, secret) };
  }
  if (method !== 'GET')
    return keyVaultError(405, 'MethodNotAllowed', `${method} is not supported on ${url.pathname}.`);
  const found = findVersions(sim, name);
  const secret = found
    ? version === ''
      ? found[1].at(-1)
      : found[1].find((candidate) => candidate.version === version)
    : undefined;
  if (!found || !secret)
    return keyVaultError(
      404,
      'SecretNotFound',
      `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault.`,
    );
  if (!secret.enabled)
    return keyVaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.');
  return { status: 200, body: bundle(sim, found[0], secret) };
}
